import type { Transport } from './http.js';
import type {
  CreateWebhookEndpointParams,
  ListWebhookAttemptsParams,
  PageParams,
  Redelivery,
  UpdateWebhookEndpointParams,
  WebhookAttempt,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
} from './types.js';

const path = (id: string) => `/v1/webhook-endpoints/${encodeURIComponent(id)}`;

/** The URLs Latchkey POSTs signed events to (docs/webhooks.md). */
export class WebhookEndpoints {
  readonly #http: Transport;

  constructor(http: Transport) {
    this.#http = http;
  }

  /** A new endpoint. The answer's `secret` (`whsec_…`, for `webhooks.verify`) is the only time it is shown. */
  create(params: CreateWebhookEndpointParams): Promise<WebhookEndpointWithSecret> {
    return this.#http.request({ method: 'POST', path: '/v1/webhook-endpoints', body: params });
  }

  /** Every endpoint of the app, newest first, never their secrets. */
  list(params: PageParams = {}): AsyncGenerator<WebhookEndpoint, void, undefined> {
    return this.#http.paginate<WebhookEndpoint>('/v1/webhook-endpoints', { ...params });
  }

  get(id: string): Promise<WebhookEndpoint> {
    return this.#http.request({ method: 'GET', path: path(id) });
  }

  /** Changes the given fields; `enabled: false` disables it, `enabled: true` enables it again. */
  update(id: string, patch: UpdateWebhookEndpointParams): Promise<WebhookEndpoint> {
    return this.#http.request({ method: 'PATCH', path: path(id), body: patch, idempotent: true });
  }

  /** Deletes the endpoint and its delivery log; nothing more is sent to it. */
  async delete(id: string): Promise<void> {
    await this.#http.request({ method: 'DELETE', path: path(id) });
  }

  /**
   * A new signing secret, shown in this answer only. The old one keeps signing beside it (a second signature in
   * `webhook-signature`) for 24 hours, so receivers can switch without losing a delivery. Never retried: a retry
   * would rotate twice.
   */
  rotateSecret(id: string): Promise<WebhookEndpointWithSecret> {
    return this.#http.request({ method: 'POST', path: `${path(id)}/rotate-secret` });
  }

  /** The delivery log of the endpoint, every attempt newest first; `event_id` narrows it to one event. */
  attempts(
    id: string,
    params: ListWebhookAttemptsParams = {},
  ): AsyncGenerator<WebhookAttempt, void, undefined> {
    return this.#http.paginate<WebhookAttempt>(`${path(id)}/attempts`, { ...params });
  }

  /**
   * Sends a `webhook.test` event to this endpoint now, signed like every delivery, and answers the attempt (also in
   * its delivery log): `ok`, `status_code`, `latency_ms`, `response_excerpt`, `error`. No other endpoint receives it
   * and it is not stored as an event. A failing receiver is an answer with `ok: false`, not an error. Never retried:
   * a retry would send a second test.
   */
  sendTest(id: string): Promise<WebhookAttempt> {
    return this.#http.request({ method: 'POST', path: `${path(id)}/test` });
  }

  /** Queues one event for this endpoint again, with the same `webhook-id`, so receivers can deduplicate it. */
  redeliver(id: string, eventId: string): Promise<Redelivery> {
    return this.#http.request({ method: 'POST', path: `${path(id)}/redeliver`, body: { event_id: eventId } });
  }
}
