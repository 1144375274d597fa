import { sql } from 'kysely';
import { analyticsQueries } from './analytics-queries.js';
import { appQueries } from './app-queries.js';
import type { DatabaseHandle } from './database.js';
import { idempotencyQueries } from './idempotency-queries.js';
import { linkQueries } from './link-queries.js';
import { loginFlowQueries } from './login-flow-queries.js';
import { migrationsDone } from './migrate.js';
import { outboxQueries } from './outbox-queries.js';
import { configureWebhookFanOut } from './query-helpers.js';
import { rateLimitQueries } from './rate-limit-queries.js';
import { sessionQueries } from './session-queries.js';
import { signedLinkQueries } from './signed-link-queries.js';
import type { Store } from './store.js';
import { userQueries } from './user-queries.js';
import { webhookQueries } from './webhook-queries.js';

export interface StoreOptions {
  /** Event types that are delivered to webhook endpoints; writing one queues a message per subscribed endpoint. */
  webhookEventTypes: Iterable<string>;
}

/** The one storage implementation, on Kysely, for SQLite and PostgreSQL alike. */
export function createStore(handle: DatabaseHandle, options: StoreOptions): Store {
  const { db } = handle;
  const endpointCache = configureWebhookFanOut(db, options.webhookEventTypes, handle.externalVersion);
  return {
    dialect: handle.dialect,
    ...appQueries(db, handle.externalVersion),
    ...userQueries(db),
    ...linkQueries(db),
    ...sessionQueries(db),
    ...signedLinkQueries(db),
    ...outboxQueries(db, handle.dialect),
    ...loginFlowQueries(db),
    ...rateLimitQueries(db),
    ...idempotencyQueries(db),
    ...webhookQueries(db, endpointCache),
    ...analyticsQueries(db, handle.dialect),
    async claimOnce(key, value, now) {
      const result = await db
        .insertInto('latchkey_meta')
        .values({ key, value, created_at: now })
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async getMeta(key) {
      const row = await db
        .selectFrom('latchkey_meta')
        .select('value')
        .where('key', '=', key)
        .executeTakeFirst();
      return row?.value;
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    migrationsDone: () => migrationsDone(db),
    close: () => handle.close(),
  };
}
