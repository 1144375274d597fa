/** The counters behind the database rate limiter (rate-limit/rate-limit-queries.ts). */
export interface RateLimitStore {
  /**
   * Adds one to the counter of `keyHash` in the window starting at `windowStart` (creating it at 1) and answers
   * the new count. One statement, so concurrent hits from any number of processes each see a distinct count.
   */
  incrementRateLimit(keyHash: string, windowStart: number, expiresAt: number): Promise<number>;
  /** Deletes counters whose window has ended. */
  purgeRateLimits(now: number): Promise<number>;
}
