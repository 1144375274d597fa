import { type Kysely, type Migration, type MigrationProvider, Migrator, PostgresAdapter, sql } from 'kysely';
import * as initial from './migrations/0001-initial.js';
import * as signedLinks from './migrations/0002-signed-links.js';
import * as delivery from './migrations/0003-delivery.js';
import * as webhooks from './migrations/0004-webhooks.js';
import * as idempotency from './migrations/0005-idempotency.js';
import * as loginFlows from './migrations/0006-login-flows.js';
import * as rateLimits from './migrations/0007-rate-limits.js';
import * as unusedLinkIndex from './migrations/0008-drop-unused-link-index.js';
import * as deliveryFailedAt from './migrations/0009-delivery-failed-at.js';
import * as appPublicHost from './migrations/0010-app-public-host.js';
import * as operators from './migrations/0011-operators.js';
import * as campaigns from './migrations/0012-campaigns.js';
import * as visitsAndAttempts from './migrations/0013-visits-and-attempts.js';
import * as eventSubjects from './migrations/0014-event-subjects.js';
import * as outboxTraceContext from './migrations/0015-outbox-trace-context.js';
import * as configNotify from './migrations/0016-config-notify.js';
import type { Database } from './schema.js';

/**
 * Migrations are listed here rather than read from a folder, so the compiled package needs no file-system lookup
 * and the order is explicit. Append new ones; never edit one that has shipped.
 */
const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-signed-links': signedLinks,
  '0003-delivery': delivery,
  '0004-webhooks': webhooks,
  '0005-idempotency': idempotency,
  '0006-login-flows': loginFlows,
  '0007-rate-limits': rateLimits,
  '0008-drop-unused-link-index': unusedLinkIndex,
  '0009-delivery-failed-at': deliveryFailedAt,
  '0010-app-public-host': appPublicHost,
  '0011-operators': operators,
  '0012-campaigns': campaigns,
  '0013-visits-and-attempts': visitsAndAttempts,
  '0014-event-subjects': eventSubjects,
  '0015-outbox-trace-context': outboxTraceContext,
  '0016-config-notify': configNotify,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export interface MigrationOutcome {
  applied: string[];
}

/**
 * Brings the schema up to date. Kysely's migrator holds a lock (a row lock on PostgreSQL) while it runs, so nodes
 * that start together migrate once and the others wait, then find nothing to do.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationOutcome> {
  const migrator = await createMigrator(db);
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/** Applies migrations up to and including `name` (tests of a migration start from the schema before it). */
export async function migrateTo(db: Kysely<Database>, name: string): Promise<void> {
  const migrator = await createMigrator(db);
  const { error } = await migrator.migrateTo(name);
  if (error) throw error instanceof Error ? error : new Error(String(error));
}

/** True when every known migration has been applied (used by /readyz). */
export async function migrationsDone(db: Kysely<Database>): Promise<boolean> {
  const migrator = await createMigrator(db);
  const all = await migrator.getMigrations();
  return all.every((m) => m.executedAt !== undefined);
}

/**
 * On PostgreSQL the migration tables are pinned to the connection's current schema: without that, Kysely looks
 * for them in every schema and two installations sharing one database (or parallel test schemas) confuse it.
 */
async function createMigrator(db: Kysely<Database>): Promise<Migrator> {
  const names = {
    migrationTableName: 'latchkey_migrations',
    migrationLockTableName: 'latchkey_migrations_lock',
    // Features are built in parallel and numbered when they start, so a database may have run 0007 before 0004
    // arrives. Each migration only adds its own tables, so running the missing one later is safe.
    allowUnorderedMigrations: true,
  };
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return new Migrator({ db, provider, ...names });
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return new Migrator({ db, provider, ...names, migrationTableSchema: rows[0]!.schema });
}
