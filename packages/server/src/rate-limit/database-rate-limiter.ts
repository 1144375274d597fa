import { BatchedCounter } from './batched-counter.js';
import type { RateLimitStore } from './rate-limit-store.js';
import {
  counterKey,
  decide,
  type RateLimitDecision,
  type RateLimiter,
  type RateLimitRule,
  windowOf,
} from './rate-limiter.js';

/**
 * Fixed windows in the `rate_limits` table: one upsert per hit (API-key hits: per batch, `hitLoosely`) (`INSERT … ON CONFLICT DO UPDATE SET count = count + 1
 * RETURNING count`), atomic on SQLite and PostgreSQL alike, so processes sharing the database share the counts.
 * Rows of ended windows are deleted by the maintenance loop.
 */
export class DatabaseRateLimiter implements RateLimiter {
  readonly #batched: BatchedCounter;

  constructor(private readonly store: RateLimitStore) {
    this.#batched = new BatchedCounter(store);
  }

  async hit(key: string, rule: RateLimitRule, now: number): Promise<RateLimitDecision> {
    const { start, end } = windowOf(rule, now);
    const count = await this.store.incrementRateLimit(counterKey(key, rule), start, end);
    return decide(count, rule, now);
  }

  async hitLoosely(key: string, rule: RateLimitRule, now: number): Promise<RateLimitDecision> {
    return this.#batched.hit(key, rule, now);
  }

  purgeExpired(now: number): Promise<number> {
    return this.store.purgeRateLimits(now);
  }

  async ping(): Promise<void> {
    // The database is the store's own: `latchkey doctor` and /readyz check it already.
  }

  async close(): Promise<void> {
    // The hits counted in memory go to the database before the runtime closes it (it owns the handle).
    await this.#batched.close();
  }
}
