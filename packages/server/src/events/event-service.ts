import { ApiError } from '../errors/api-error.js';
import type { EventRow, Page } from '../storage/rows.js';
import type { EventContext } from './event-store.js';

export interface EventFilter {
  type?: string | undefined;
  /** Only the events about this user, its links and its sessions. */
  user_id?: string | undefined;
  /** ISO 8601 date-time: only events at or after it. */
  since?: string | undefined;
  /** ISO 8601 date-time: only events before it. */
  until?: string | undefined;
  /** The id the event is about (`ml_…`, `usr_…`, `ses_…`, `whe_…`, …). */
  subject_id?: string | undefined;
}

/** The events of an app, newest first. */
export function listEvents(
  ctx: EventContext,
  appId: string,
  filter: EventFilter,
  page: Page,
): Promise<EventRow[]> {
  const since = timeOf('since', filter.since);
  const until = timeOf('until', filter.until);
  if (since !== undefined && until !== undefined && until <= since) {
    throw new ApiError('validation_failed', 'until must be later than since.', { param: 'until' });
  }
  return ctx.store.listEvents(
    appId,
    { type: filter.type, user_id: filter.user_id, subject_id: filter.subject_id, since, until },
    page,
  );
}

function timeOf(param: 'since' | 'until', value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new ApiError('validation_failed', `${param} must be an ISO 8601 date-time.`, { param });
  }
  return ms;
}

export async function getEventOrThrow(ctx: EventContext, appId: string, id: string): Promise<EventRow> {
  const row = await ctx.store.getEvent(appId, id);
  if (!row) throw new ApiError('not_found', `No event ${id} in this app.`);
  return row;
}
