import { sql } from 'kysely';
import { compiledQuery, firstRow } from '../storage/compiled-query.js';
import type { Db, RootDb } from '../storage/database.js';
import type { RateLimitStore } from './rate-limit-store.js';

/** Hits counted where the processes meet: one on public endpoints, a batch of an API key's (batched-counter.ts). */
const countHits = compiledQuery(
  (db: Db, keyHash: string, windowStart: number, expiresAt: number, hits: number) =>
    db
      .insertInto('rate_limits')
      .values({ key_hash: keyHash, window_start: windowStart, count: hits, expires_at: expiresAt })
      .onConflict((oc) =>
        oc
          .columns(['key_hash', 'window_start'])
          .doUpdateSet({ count: sql`rate_limits.count + excluded.count` }),
      )
      .returning('count'),
);

export function rateLimitQueries(db: RootDb): RateLimitStore {
  return {
    async incrementRateLimit(keyHash, windowStart, expiresAt, hits = 1) {
      const row = firstRow(await countHits(db, keyHash, windowStart, expiresAt, hits));
      if (!row) throw new Error('incrementRateLimit: the upsert returned no count');
      return Number(row.count);
    },
    async purgeRateLimits(now) {
      const result = await db.deleteFrom('rate_limits').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
