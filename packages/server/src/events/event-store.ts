/** The store operations of the event log (events/event-queries.ts). */

import type { ServiceContext } from '../context.js';
import type { EventRow, Page } from '../storage/rows.js';

export interface EventStore {
  listEvents(
    appId: string,
    filter: { type?: string | undefined; subject_id?: string | undefined; since?: number | undefined },
    page: Page,
  ): Promise<EventRow[]>;
  getEvent(appId: string, id: string): Promise<EventRow | undefined>;
  /** Writes events that belong to no other change (a refused request changes nothing else). */
  insertEvents(events: EventRow[]): Promise<void>;
}

/** What the event services receive. */
export type EventContext = ServiceContext<EventStore>;
