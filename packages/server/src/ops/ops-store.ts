import type { ServiceContext } from '../context.js';
import type { DialectName } from '../storage/database.js';

/** What the operations routes read (ops/ops-queries.ts). */
export interface OpsStore {
  readonly dialect: DialectName;
  /** Cheap round trip for /readyz. */
  ping(): Promise<void>;
  /** True when every known migration has been applied (for /readyz). */
  migrationsDone(): Promise<boolean>;
  /** Messages waiting or in flight, for the metrics. */
  outboxDepth(): Promise<{ pending: number; sending: number }>;
  /** Across every app, for the metrics the alert rules watch (docs/deployment.md#monitoring). */
  deliveryHealth(since: number): Promise<DeliveryHealth>;
}

export interface DeliveryHealth {
  /** When the oldest message still waiting or in flight was queued; null when none is. */
  oldestQueuedAt: number | null;
  /** Enabled endpoints failing since some time, and endpoints disabled for failing. */
  failingEndpoints: number;
  /** Failed attempts since `since`: email and SMS sends, and webhook deliveries. */
  failedSends: number;
  failedWebhookDeliveries: number;
}

/** What the operations routes receive: the store, and the rate limiter's connection (Redis, when REDIS_URL is set). */
export interface OpsContext extends ServiceContext<OpsStore> {
  rateLimiter: { ping(): Promise<void> };
}
