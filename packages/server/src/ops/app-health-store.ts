/** What the health of one app is read from (ops/app-health-queries.ts): the outbox, webhook endpoints, attempts. */
import type { ServiceContext } from '../context.js';
import type { WebhookEndpointStatus } from '../storage/schema.js';

export interface AppHealthFacts {
  /** Messages waiting (`pending`, including those waiting for a retry) and in flight (`sending`), webhooks too. */
  pending: number;
  sending: number;
  /** When the oldest of them was queued; null when none waits. */
  oldestQueuedAt: number | null;
  endpoints: number;
  /** Enabled endpoints whose every attempt has failed since `failing_since`, and those disabled for failing. */
  failingEndpoints: Array<{
    id: string;
    url: string;
    status: WebhookEndpointStatus;
    failing_since: number | null;
  }>;
  /** Failed attempts since `since`: email and SMS sends, and webhook deliveries. */
  failedSends: number;
  failedWebhookDeliveries: number;
}

export interface AppHealthStore {
  appHealthFacts(appId: string, since: number): Promise<AppHealthFacts>;
}

export type AppHealthContext = ServiceContext<AppHealthStore>;
