import { useMemo, useState } from 'react';
import { FormError } from '../forms/form-error.js';
import { SelectField } from '../forms/select-field.js';
import { LocalTime } from '../local-time.js';
import { useSignedIn } from '../session-hooks.js';
import { Pager, useCursor } from '../ui/pager.js';
import { changedFields } from './audit-diff.js';
import { type AuditEvent, useAuditLog, useOperators } from './operators-api.js';

/**
 * Every change made through the dashboard (`dashboard.change`: who, when, which route, the resource before and
 * after) and every change to operators, newest first, across all apps. Each entry shows only the fields that
 * changed, as before → after.
 */
export function AuditLog() {
  const { apps } = useSignedIn();
  const operators = useOperators();
  const [operatorId, setOperatorId] = useState('');
  const pages = useCursor();
  const log = useAuditLog({ operatorId: operatorId || undefined, cursor: pages.cursor });
  // Removed operators are no longer listed: their id stands for them.
  const emails = useMemo(
    () => new Map((operators.data?.data ?? []).map((o) => [o.id, o.email])),
    [operators.data],
  );
  const appNames = useMemo(() => new Map(apps.map((a) => [a.id, a.name])), [apps]);
  const nameOf = (id: unknown) => (typeof id === 'string' ? (emails.get(id) ?? id) : 'unknown');

  return (
    <>
      <div className="toolbar">
        <SelectField
          label="Made by"
          value={operatorId}
          options={[
            { value: '', label: 'Everyone' },
            ...(operators.data?.data ?? []).map((o) => ({ value: o.id, label: o.email })),
          ]}
          onChange={(event) => {
            setOperatorId(event.target.value);
            pages.reset();
          }}
        />
      </div>
      {log.isPending && <p role="status">Loading…</p>}
      <FormError message={log.error?.message} />
      {log.data && log.data.data.length === 0 && (
        <div className="empty-state">
          <p>
            <strong>No changes {operatorId ? 'by this operator ' : ''}yet.</strong>
          </p>
          <p>Every change made in the dashboard, and every change to operators, will be listed here.</p>
        </div>
      )}
      {log.data && log.data.data.length > 0 && (
        <ol className="audit-log" aria-busy={log.isFetching}>
          {log.data.data.map((event) => (
            <AuditEntry key={event.id} event={event} nameOf={nameOf} appName={appNames} />
          ))}
        </ol>
      )}
      <Pager
        label="Audit log"
        page={pages.page}
        nextCursor={log.data?.next_cursor}
        onNext={pages.next}
        onPrevious={pages.previous}
      />
    </>
  );
}

interface EntryProps {
  event: AuditEvent;
  nameOf: (id: unknown) => string;
  appName: Map<string, string>;
}

function AuditEntry({ event, nameOf, appName }: EntryProps) {
  const { actor, action, before, after } = describe(event, nameOf);
  const changes = changedFields(before, after);
  const app = event.app_id ? (appName.get(event.app_id) ?? event.app_id) : null;
  return (
    <li className="audit-entry">
      <p className="audit-head">
        <strong>{actor}</strong> <span>{action}</span>
      </p>
      <p className="muted audit-meta">
        <LocalTime value={event.created_at} />
        {app && <> · in {app}</>}
        {typeof event.data.route === 'string' && (
          <>
            {' '}
            · <code>{`${String(event.data.method)} ${event.data.path ?? event.data.route}`}</code>
            {typeof event.data.status === 'number' && <> → {event.data.status}</>}
          </>
        )}
      </p>
      {before === null && after === null ? null : changes.length === 0 ? (
        <p className="muted">No field changed.</p>
      ) : (
        <div className="table-wrap">
          <table className="audit-diff">
            <caption className="muted">What changed</caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Before</th>
                <th scope="col">After</th>
              </tr>
            </thead>
            <tbody>
              {changes.slice(0, MAX_ROWS).map((change) => (
                <tr key={change.field}>
                  <th scope="row">
                    <code>{change.field}</code>
                  </th>
                  <td className="audit-before">{change.before}</td>
                  <td className="audit-after">{change.after}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {changes.length > MAX_ROWS && (
            <p className="muted audit-more">and {changes.length - MAX_ROWS} more fields</p>
          )}
        </div>
      )}
    </li>
  );
}

/** A new resource's every field would swamp the log; the first ones say what it is. */
const MAX_ROWS = 12;

/** Who did it, what, and the two sides to compare, for each kind of audit event. */
function describe(event: AuditEvent, nameOf: (id: unknown) => string) {
  const d = event.data;
  switch (event.type) {
    case 'operator.created':
      return {
        actor: invitedBy(d.invited_by, nameOf),
        action: `added ${nameOf(d.operator_id)} as an operator`,
        before: null,
        after: { role: d.role },
      };
    case 'operator.updated':
      return {
        actor: nameOf(d.actor_operator_id),
        action: `changed the role of ${nameOf(d.operator_id)}`,
        before: d.before,
        after: d.after,
      };
    case 'operator.removed':
      return {
        actor: nameOf(d.actor_operator_id),
        action: `removed ${(d.before as { email?: string } | undefined)?.email ?? nameOf(d.operator_id)}`,
        before: d.before,
        after: null,
      };
    case 'operator.signed_in':
      return {
        actor: nameOf(d.operator_id),
        action: `signed in${typeof d.via === 'string' ? ` (${SIGN_IN_WAYS[d.via] ?? d.via})` : ''}`,
        before: null,
        after: null,
      };
    case 'dashboard.change':
      return {
        actor: nameOf(d.operator_id),
        action: actionOf(String(d.method), String(d.route)),
        before: d.before,
        after: d.after,
      };
    default:
      return { actor: nameOf(event.subject_id), action: event.type, before: null, after: null };
  }
}

function invitedBy(by: unknown, nameOf: (id: unknown) => string): string {
  if (by === 'config') return 'LATCHKEY_DASHBOARD_OPERATORS';
  if (by === 'cli') return 'The command line';
  if (by === 'setup') return 'The first-start link';
  return nameOf(by);
}

const SIGN_IN_WAYS: Record<string, string> = {
  code: 'with a code',
  link: 'with the emailed link',
  one_time_link: 'with a one-time link',
};

const VERBS: Record<string, string> = {
  POST: 'created',
  PUT: 'replaced',
  PATCH: 'changed',
  DELETE: 'deleted',
};

/**
 * What a dashboard change did, read from its route pattern: `PATCH /v1/apps/:app_id` → "changed app",
 * `POST /v1/magic-links` → "created magic link", `POST /v1/magic-links/:link_id/revoke` → "revoke (magic link)".
 */
export function actionOf(method: string, route: string): string {
  const parts = route
    .replace(/^\/dashboard\/api(\/v1)?/, '')
    .split('/')
    .filter(Boolean);
  const verb = VERBS[method] ?? method;
  let end = parts.length;
  while (end > 0 && parts[end - 1]!.startsWith(':')) end--;
  const statics = parts.slice(0, end).filter((part) => !part.startsWith(':'));
  const last = statics[statics.length - 1];
  if (!last) return `${verb} ${route}`;
  const before = statics[statics.length - 2];
  // A change to a resource itself (`/apps/:app_id`), or a new one in a collection (`/magic-links`).
  if (
    method !== 'POST' ||
    end < parts.length ||
    !before ||
    (last.endsWith('s') && parts[end - 2]?.startsWith(':'))
  )
    return `${verb} ${singular(last)}`;
  // An action on a resource or a collection: `/magic-links/:link_id/revoke`, `/session-keys/rotate`.
  return `${words(last)} (${singular(before)})`;
}

function words(part: string): string {
  return part.replaceAll('-', ' ');
}

function singular(part: string): string {
  const text = words(part);
  return text.endsWith('ies') ? `${text.slice(0, -3)}y` : text.replace(/s$/, '');
}
