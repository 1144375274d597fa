import { sql } from 'kysely';
import { compiledQuery, firstRow } from './compiled-query.js';
import { type Db, insertEvents, type RootDb } from './query-helpers.js';
import type { EventRow } from './store.js';

/** The counters behind the database rate limiter, and the one event write it needs outside any other change. */
export interface RateLimitStore {
  /**
   * Adds one to the counter of `keyHash` in the window starting at `windowStart` (creating it at 1) and answers
   * the new count. One statement, so concurrent hits from any number of processes each see a distinct count.
   */
  incrementRateLimit(keyHash: string, windowStart: number, expiresAt: number): Promise<number>;
  /** Deletes counters whose window has ended. */
  purgeRateLimits(now: number): Promise<number>;
  /** Writes events that belong to no other change (a refused request changes nothing else). */
  insertEvents(events: EventRow[]): Promise<void>;
}

/** One hit, counted where the processes meet; run on every API request while the key limit is on. */
const countHit = compiledQuery((db: Db, keyHash: string, windowStart: number, expiresAt: number) =>
  db
    .insertInto('rate_limits')
    .values({ key_hash: keyHash, window_start: windowStart, count: 1, expires_at: expiresAt })
    .onConflict((oc) =>
      oc.columns(['key_hash', 'window_start']).doUpdateSet({ count: sql`rate_limits.count + 1` }),
    )
    .returning('count'),
);

export function rateLimitQueries(db: RootDb): RateLimitStore {
  return {
    async incrementRateLimit(keyHash, windowStart, expiresAt) {
      const row = firstRow(await countHit(db, keyHash, windowStart, expiresAt));
      if (!row) throw new Error('incrementRateLimit: the upsert returned no count');
      return Number(row.count);
    },
    async purgeRateLimits(now) {
      const result = await db.deleteFrom('rate_limits').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async insertEvents(events) {
      await insertEvents(db, events);
    },
  };
}
