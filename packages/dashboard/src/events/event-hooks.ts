import type { AppEvent } from '../api.js';
import { useAppQuery } from '../ui/app-query.js';
import type { Page } from '../ui/pager.js';

export interface EventFilter {
  type: string;
  /** ISO times, converted from the operator's local time by the form. */
  since: string;
  until: string;
  subject_id: string;
}

export const NO_FILTER: EventFilter = { type: '', since: '', until: '', subject_id: '' };
export const PAGE_SIZE = 25;

export function useEvents(filter: EventFilter, cursor: string | undefined) {
  return useAppQuery(['events', filter, cursor], (api, app) =>
    api.v1<Page<AppEvent>>('GET', '/events', {
      app,
      query: {
        type: filter.type || undefined,
        since: filter.since || undefined,
        until: filter.until || undefined,
        subject_id: filter.subject_id || undefined,
        limit: PAGE_SIZE,
        cursor,
      },
    }),
  );
}
