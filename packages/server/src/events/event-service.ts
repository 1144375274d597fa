import { ApiError } from '../errors/api-error.js';
import type { EventRow, Page } from '../storage/rows.js';
import type { EventContext } from './event-store.js';

export interface EventFilter {
  type?: string | undefined;
  /** Only the events about this user, its links and its sessions. */
  user_id?: string | undefined;
  /** ISO 8601 date-time: only events at or after it. */
  since?: string | undefined;
}

/** The events of an app, newest first. */
export function listEvents(
  ctx: EventContext,
  appId: string,
  filter: EventFilter,
  page: Page,
): Promise<EventRow[]> {
  const since = filter.since === undefined ? undefined : Date.parse(filter.since);
  if (since !== undefined && Number.isNaN(since)) {
    throw new ApiError('validation_failed', 'since must be an ISO 8601 date-time.', { param: 'since' });
  }
  return ctx.store.listEvents(appId, { type: filter.type, user_id: filter.user_id, since }, page);
}

export async function getEventOrThrow(ctx: EventContext, appId: string, id: string): Promise<EventRow> {
  const row = await ctx.store.getEvent(appId, id);
  if (!row) throw new ApiError('not_found', `No event ${id} in this app.`);
  return row;
}
