import { sql } from 'kysely';
import type { DialectName, RootDb } from '../storage/database.js';
import { migrationsDone } from '../storage/migrate.js';
import type { OpsStore } from './ops-store.js';

export function opsQueries(db: RootDb, dialect: DialectName): OpsStore {
  return {
    dialect,

    async ping() {
      await sql`select 1`.execute(db);
    },

    migrationsDone: () => migrationsDone(db),

    async outboxDepth() {
      const rows = await db
        .selectFrom('outbox')
        .select(['status', sql<number>`count(*)`.as('n')])
        .where('status', 'in', ['pending', 'sending'])
        .groupBy('status')
        .execute();
      const count = (status: string) => Number(rows.find((r) => r.status === status)?.n ?? 0);
      return { pending: count('pending'), sending: count('sending') };
    },

    async deliveryHealth(since) {
      const [queued, failing, sends, deliveries] = await Promise.all([
        db
          .selectFrom('outbox')
          .select(sql<number | null>`min(created_at)`.as('oldest'))
          .where('status', 'in', ['pending', 'sending'])
          .executeTakeFirst(),
        db
          .selectFrom('webhook_endpoints')
          .select(sql<number>`count(*)`.as('n'))
          .where((eb) =>
            eb.or([
              eb.and([eb('status', '=', 'enabled'), eb('failing_since', 'is not', null)]),
              eb.and([eb('status', '=', 'disabled'), eb('disabled_reason', '=', 'failing')]),
            ]),
          )
          .executeTakeFirst(),
        db
          .selectFrom('outbox_attempts')
          .select(sql<number>`count(*)`.as('n'))
          .where('ok', '=', 0)
          .where('at', '>=', since)
          .executeTakeFirst(),
        db
          .selectFrom('webhook_attempts')
          .select(sql<number>`count(*)`.as('n'))
          .where('ok', '=', 0)
          .where('created_at', '>=', since)
          .executeTakeFirst(),
      ]);
      // PostgreSQL answers count as text (bigint) and min of no rows as null.
      const oldest = queued?.oldest;
      return {
        oldestQueuedAt: oldest === null || oldest === undefined ? null : Number(oldest),
        failingEndpoints: Number(failing?.n ?? 0),
        failedSends: Number(sends?.n ?? 0),
        failedWebhookDeliveries: Number(deliveries?.n ?? 0),
      };
    },
  };
}
