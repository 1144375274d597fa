/** The counters behind the database rate limiter (rate-limit/rate-limit-queries.ts). */
import type { AppContext } from '../apps/app-store.js';
import type { EventContext } from '../events/event-store.js';
import type { RateLimiter } from './rate-limiter.js';
export interface RateLimitStore {
  /**
   * Adds `hits` (default 1) to the counter of `keyHash` in the window starting at `windowStart` (creating it) and
   * answers the new count. One statement, so concurrent hits from any number of processes each see a distinct count.
   */
  incrementRateLimit(keyHash: string, windowStart: number, expiresAt: number, hits?: number): Promise<number>;
  /** Deletes counters whose window has ended. */
  purgeRateLimits(now: number): Promise<number>;
}

/** What enforcing a limit needs: the app's rules, the counter, and the event a refusal writes. */
export type RateLimitContext = AppContext &
  EventContext & {
    /** Counts hits for rate limits: the database, or Redis when `REDIS_URL` is set. */
    rateLimiter: RateLimiter;
  };
