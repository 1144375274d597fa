/** The store operations of the event log (events/event-queries.ts). */

import type { ServiceContext } from '../context.js';
import type { EventRow, Page } from '../storage/rows.js';

export interface EventStore {
  listEvents(
    appId: string,
    filter: {
      type?: string | undefined;
      subject_id?: string | undefined;
      /** Events about the user, one of its links or one of its sessions. */
      user_id?: string | undefined;
      since?: number | undefined;
      /** Only events before this time (ms), exclusive. */
      until?: number | undefined;
    },
    page: Page,
  ): Promise<EventRow[]>;
  getEvent(appId: string, id: string): Promise<EventRow | undefined>;
  /**
   * The app's events with ids in (`after`, `upTo`], oldest first, at most `limit`: the live tail's poll. Ids are
   * time-ordered, so this is "what was written after the last event sent, up to a point in time".
   */
  listEventsAfter(
    appId: string,
    range: { after: string; upTo: string; type?: string | undefined },
    limit: number,
  ): Promise<EventRow[]>;
  /** Writes events that belong to no other change (a refused request changes nothing else). */
  insertEvents(events: EventRow[]): Promise<void>;
}

/** What the event services receive. */
export type EventContext = ServiceContext<EventStore>;
