import { sql } from 'kysely';
import { compiledQuery, firstRow } from '../storage/compiled-query.js';
import type { Db, RootDb } from '../storage/database.js';
import type { RateLimitStore } from './rate-limit-store.js';

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
  };
}
