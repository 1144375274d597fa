import type { Transport } from './http.js';
import type { LatchkeyEvent, ListEventsParams } from './types.js';

export const isoOf = (value: string | Date | undefined) =>
  value instanceof Date ? value.toISOString() : value;

/** What happened in the app, newest first: the events webhooks deliver, and audit entries. */
export class Events {
  readonly #http: Transport;

  constructor(http: Transport) {
    this.#http = http;
  }

  /** Every event matching the filters, newest first, across pages. */
  list(params: ListEventsParams = {}): AsyncGenerator<LatchkeyEvent, void, undefined> {
    return this.#http.paginate<LatchkeyEvent>('/v1/events', { ...params, since: isoOf(params.since) });
  }

  /** One event; its id is the `webhook-id` of its webhook deliveries. */
  get(id: string): Promise<LatchkeyEvent> {
    return this.#http.request({ method: 'GET', path: `/v1/events/${encodeURIComponent(id)}` });
  }
}
