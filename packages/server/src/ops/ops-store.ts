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
}

/** What the operations routes receive: the store, and the rate limiter's connection (Redis, when REDIS_URL is set). */
export interface OpsContext extends ServiceContext<OpsStore> {
  rateLimiter: { ping(): Promise<void> };
}
