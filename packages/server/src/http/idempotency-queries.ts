import type { RootDb } from '../storage/database.js';
import type { IdempotencyStore } from './idempotency-store.js';

export function idempotencyQueries(db: RootDb): IdempotencyStore {
  const byKey = (apiKeyId: string, keyHash: string) =>
    db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('api_key_id', '=', apiKeyId)
      .where('key_hash', '=', keyHash);

  return {
    async beginIdempotentRequest(row, staleBefore) {
      // The primary key decides between concurrent first requests: one insert wins, the others see its row. A row
      // can vanish (purged or released) or be taken over between the two statements, so look again a few times.
      for (let attempt = 0; attempt < 5; attempt++) {
        const inserted = await db
          .insertInto('idempotency_keys')
          .values(row)
          .onConflict((oc) => oc.columns(['api_key_id', 'key_hash']).doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) return { outcome: 'started' };

        const existing = await byKey(row.api_key_id, row.key_hash).executeTakeFirst();
        if (!existing) continue;
        const expired = existing.expires_at <= row.created_at;
        const abandoned = existing.state === 'pending' && existing.created_at < staleBefore;
        if (expired || abandoned) {
          // Take the row over only if nobody else did since it was read.
          const taken = await db
            .updateTable('idempotency_keys')
            .set({
              fingerprint: row.fingerprint,
              state: row.state,
              response_status: row.response_status,
              response_type: row.response_type,
              response_body: row.response_body,
              created_at: row.created_at,
              expires_at: row.expires_at,
            })
            .where('api_key_id', '=', row.api_key_id)
            .where('key_hash', '=', row.key_hash)
            .where('state', '=', existing.state)
            .where('created_at', '=', existing.created_at)
            .executeTakeFirst();
          if (Number(taken.numUpdatedRows) > 0) return { outcome: 'started' };
          continue;
        }
        if (existing.fingerprint !== row.fingerprint) return { outcome: 'mismatch' };
        if (existing.state === 'pending') return { outcome: 'in_progress' };
        return { outcome: 'replay', row: existing };
      }
      return { outcome: 'in_progress' };
    },

    async completeIdempotentRequest(apiKeyId, keyHash, response) {
      await db
        .updateTable('idempotency_keys')
        .set({
          state: 'done',
          response_status: response.status,
          response_type: response.type,
          response_body: response.body,
        })
        .where('api_key_id', '=', apiKeyId)
        .where('key_hash', '=', keyHash)
        .where('state', '=', 'pending')
        .execute();
    },

    async releaseIdempotentRequest(apiKeyId, keyHash) {
      await db
        .deleteFrom('idempotency_keys')
        .where('api_key_id', '=', apiKeyId)
        .where('key_hash', '=', keyHash)
        .where('state', '=', 'pending')
        .execute();
    },

    async purgeIdempotencyKeys(now) {
      const result = await db
        .deleteFrom('idempotency_keys')
        .where('expires_at', '<=', now)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
