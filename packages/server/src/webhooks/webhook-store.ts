/** The store operations of webhook endpoints and their attempt log (webhooks/webhook-queries.ts). */

import type { AppContext } from '../apps/app-store.js';
import type { ServiceContext } from '../context.js';
import type { Fetch } from '../delivery/message.js';
import type { OutboxStore, QueueContext } from '../delivery/outbox-store.js';
import type { EventContext } from '../events/event-store.js';
import type { EventRow, OutboxRow, Page, WebhookAttemptRow, WebhookEndpointRow } from '../storage/rows.js';
import type { ResolveHost } from './url-policy.js';

export type WebhookEndpointChanges = Partial<
  Pick<
    WebhookEndpointRow,
    | 'url'
    | 'description'
    | 'event_types'
    | 'status'
    | 'disabled_reason'
    | 'failing_since'
    | 'secret'
    | 'secret_hint'
    | 'previous_secret'
    | 'previous_secret_expires_at'
  >
> & { updated_at: number };

export interface WebhookStore {
  insertWebhookEndpoint(row: WebhookEndpointRow, events: EventRow[]): Promise<void>;
  getWebhookEndpoint(appId: string, id: string): Promise<WebhookEndpointRow | undefined>;
  listWebhookEndpoints(appId: string, page: Page): Promise<WebhookEndpointRow[]>;
  updateWebhookEndpoint(
    appId: string,
    id: string,
    changes: WebhookEndpointChanges,
    events: EventRow[],
  ): Promise<WebhookEndpointRow | undefined>;
  /** Deletes the endpoint and its attempt log; its queued messages fail when a worker claims them. */
  deleteWebhookEndpoint(appId: string, id: string, events: EventRow[]): Promise<boolean>;
  /**
   * Logs one attempt and keeps the endpoint's health: a success clears `failing_since`; a failure starts it, and
   * when the run of failures began at or before `disableIfFailingSince` the endpoint is disabled and
   * `disabledEvent` written, all in one transaction. Answers whether this call disabled it.
   */
  recordWebhookAttempt(
    attempt: WebhookAttemptRow,
    disableIfFailingSince: number,
    disabledEvent: (endpoint: WebhookEndpointRow) => EventRow,
  ): Promise<{ disabled: boolean }>;
  /** Logs an attempt that says nothing about the endpoint's health (a test event): the endpoint is left as it is. */
  logWebhookAttempt(attempt: WebhookAttemptRow): Promise<void>;
  listWebhookAttempts(
    appId: string,
    endpointId: string,
    filter: { event_id?: string | undefined },
    page: Page,
  ): Promise<WebhookAttemptRow[]>;
  /** Queues one more delivery of an event to an endpoint (manual redelivery). */
  queueWebhookMessage(row: OutboxRow): Promise<void>;
}

/** What the webhook services and the webhook delivery channel receive. */
export type WebhookContext = AppContext &
  EventContext &
  QueueContext &
  ServiceContext<WebhookStore & OutboxStore> & {
    fetch: Fetch;
    /** DNS for webhook destination checks; the system resolver when absent. */
    resolveHost?: ResolveHost | undefined;
  };
