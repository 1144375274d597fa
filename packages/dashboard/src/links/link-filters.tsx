import { useAppQuery } from '../ui/app-query.js';
import type { Page } from '../ui/pager.js';
import { LANGUAGES, LINK_STATUSES, LINK_TYPES } from './link-types.js';

/** What the list is narrowed to; empty strings mean "any". Dates are the operator's local days (YYYY-MM-DD). */
export interface LinkFilterValues {
  identifier: string;
  status: string;
  type: string;
  channel: string;
  language: string;
  campaign_id: string;
  created_from: string;
  created_to: string;
}

export const NO_FILTERS: LinkFilterValues = {
  identifier: '',
  status: '',
  type: '',
  channel: '',
  language: '',
  campaign_id: '',
  created_from: '',
  created_to: '',
};

/**
 * The filters as GET /v1/magic-links takes them. The date range is of local days: from the start of the first day
 * to the start of the day after the last, in the operator's zone, sent as UTC times.
 */
export function filterQuery(values: LinkFilterValues): Record<string, string | undefined> {
  const dayStart = (day: string, plusDays = 0) => {
    const [y, m, d] = day.split('-').map(Number);
    return new Date(y!, m! - 1, d! + plusDays).toISOString();
  };
  const or = (value: string) => (value === '' ? undefined : value);
  return {
    identifier: or(values.identifier.trim()),
    status: or(values.status),
    type: or(values.type),
    channel: or(values.channel),
    language: or(values.language),
    campaign_id: or(values.campaign_id),
    created_from: values.created_from ? dayStart(values.created_from) : undefined,
    created_to: values.created_to ? dayStart(values.created_to, 1) : undefined,
  };
}

interface Campaign {
  id: string;
  name: string;
}

const any = { value: '', label: 'Any' };

/**
 * The list's filters: each applies as soon as it changes (the search once typing pauses). A native form with
 * labelled controls, so it works from the keyboard and reads well to a screen reader.
 */
export function LinkFilters({
  values,
  onChange,
}: {
  values: LinkFilterValues;
  onChange: (values: LinkFilterValues) => void;
}) {
  // The newest campaigns name the choices; a campaign further back is still one filter away by link.
  const campaigns = useAppQuery(['campaigns', 'choices'], (api, app) =>
    api.v1<Page<Campaign>>('GET', '/campaigns', { app, query: { limit: 100 } }),
  );
  const set = (name: keyof LinkFilterValues) => (event: { target: { value: string } }) =>
    onChange({ ...values, [name]: event.target.value });
  const select = (
    name: keyof LinkFilterValues,
    label: string,
    options: Array<{ value: string; label: string }>,
  ) => (
    <div className="field">
      <label htmlFor={`filter-${name}`}>{label}</label>
      <select id={`filter-${name}`} value={values[name]} onChange={set(name)}>
        {[any, ...options].map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
  const active = Object.values(values).some((value) => value !== '');
  return (
    <form className="filters" aria-label="Filter links" onSubmit={(event) => event.preventDefault()}>
      <div className="field filter-search">
        <label htmlFor="filter-identifier">Email or phone contains</label>
        <input
          id="filter-identifier"
          type="search"
          value={values.identifier}
          onChange={set('identifier')}
          autoComplete="off"
          spellCheck={false}
        />
      </div>
      {select(
        'status',
        'Status',
        LINK_STATUSES.map((status) => ({ value: status, label: status.replaceAll('_', ' ') })),
      )}
      {select('type', 'Type', [...LINK_TYPES])}
      {select('channel', 'Channel', [
        { value: 'email', label: 'Email' },
        { value: 'phone', label: 'SMS' },
      ])}
      {select('language', 'Language', [...LANGUAGES])}
      {select(
        'campaign_id',
        'Campaign',
        (campaigns.data?.data ?? []).map((c) => ({ value: c.id, label: c.name })),
      )}
      <div className="field">
        <label htmlFor="filter-from">Created from</label>
        <input id="filter-from" type="date" value={values.created_from} onChange={set('created_from')} />
      </div>
      <div className="field">
        <label htmlFor="filter-to">Created to</label>
        <input id="filter-to" type="date" value={values.created_to} onChange={set('created_to')} />
      </div>
      {active && (
        <button type="button" className="link" onClick={() => onChange(NO_FILTERS)}>
          Clear filters
        </button>
      )}
    </form>
  );
}
