import type { Transport } from './http.js';
import type { ListOutboxParams, OutboxMessage } from './types.js';

const path = (id: string) => `/v1/outbox/${encodeURIComponent(id)}`;

/** The app's email and SMS messages, each with every send attempt and the provider's answer. */
export class Outbox {
  readonly #http: Transport;

  constructor(http: Transport) {
    this.#http = http;
  }

  /** Every message matching the filters, newest first, across as many pages as it takes. */
  list(params: ListOutboxParams = {}): AsyncGenerator<OutboxMessage, void, undefined> {
    return this.#http.paginate<OutboxMessage>('/v1/outbox', { ...params });
  }

  get(id: string): Promise<OutboxMessage> {
    return this.#http.request({ method: 'GET', path: path(id) });
  }

  /**
   * Queues a message that was given up (`failed`) again, now. A message in any other state, or whose link was used,
   * revoked or has expired, is refused with `conflict`. Not retried by the client: a retry that went through once
   * answers `conflict` the second time.
   */
  retry(id: string): Promise<OutboxMessage> {
    return this.#http.request({ method: 'POST', path: `${path(id)}/retry` });
  }
}
