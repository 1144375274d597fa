/**
 * The rate-limiting contract. Two implementations count hits in fixed windows: the database (default, see
 * database-rate-limiter.ts) and Redis (`REDIS_URL`, see redis-rate-limiter.ts). `rate-limiter.conformance.test.ts`
 * runs one suite against SQLite, PostgreSQL and Redis.
 */
import { hash } from 'node:crypto';

export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Hits counted in this window, this one included. */
  count: number;
  /** Seconds until the window ends (at least 1 when refused). */
  retryAfterSeconds: number;
  /** True for exactly one refused hit per key and window: the one that should write a `rate_limit.hit` event. */
  firstRefusal: boolean;
}

export interface RateLimiter {
  /** Counts one hit on `key` and says whether it is within `rule`. Atomic across processes. */
  hit(key: string, rule: RateLimitRule, now: number): Promise<RateLimitDecision>;
  /** Deletes counters of windows that have ended (a no-op where the backend expires them itself). */
  purgeExpired(now: number): Promise<number>;
  /**
   * Counts one hit where the limit guards load, not sending or guessing (the API-key limit): without a write per
   * hit where the backend's write is durable (the database counts in memory and adds up in batches,
   * batched-counter.ts), so several processes together may let a little more than `limit` through.
   */
  hitLoosely(key: string, rule: RateLimitRule, now: number): Promise<RateLimitDecision>;
  /** Throws when the backing store does not answer (for `latchkey doctor`). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A window of `rule` containing `now`: windows are aligned to the epoch, so every process agrees on them. */
export function windowOf(rule: RateLimitRule, now: number): { start: number; end: number } {
  const length = rule.windowSeconds * 1000;
  const start = Math.floor(now / length) * length;
  return { start, end: start + length };
}

/**
 * What is stored in place of the key: SHA-256 of the key and the window length, so no IP address or identifier
 * reaches the database or Redis, and changing a rule's window starts fresh counters.
 */
export function counterKey(key: string, rule: RateLimitRule): string {
  return hash('sha256', `${rule.windowSeconds}\u0000${key}`, 'hex');
}

/** The decision for the `count`-th hit of a window. */
export function decide(count: number, rule: RateLimitRule, now: number): RateLimitDecision {
  const { end } = windowOf(rule, now);
  const allowed = count <= rule.limit;
  const seconds = Math.ceil((end - now) / 1000);
  return {
    allowed,
    count,
    retryAfterSeconds: allowed ? seconds : Math.max(1, seconds),
    firstRefusal: count === rule.limit + 1,
  };
}
