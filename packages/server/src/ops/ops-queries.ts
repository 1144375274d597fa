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
  };
}
