import { type Kysely, PostgresAdapter, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema as it was, not the current types
type AnyDb = Kysely<any>;

/** The tables whose rows every process keeps in memory on PostgreSQL (storage/config-listener.ts). */
const CACHED_TABLES = ['apps', 'api_keys', 'webhook_endpoints'] as const;

/**
 * PostgreSQL only: any write to apps, API keys or webhook endpoints sends a notification on the channel
 * `latchkey_config`, with the schema as payload, when its transaction commits. A trigger rather than a NOTIFY
 * beside each write, so that no writer can forget it: not this code, not a CLI command of an older version, not an
 * operator's hand-written UPDATE. One notification per statement (not per row) and PostgreSQL folds identical
 * notifications of one transaction into one. SQLite has `PRAGMA data_version` instead and needs nothing.
 */
export async function up(db: AnyDb): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`
    create function latchkey_config_changed() returns trigger language plpgsql as $$
    begin
      perform pg_notify('latchkey_config', current_schema());
      return null;
    end
    $$`.execute(db);
  for (const table of CACHED_TABLES) {
    await sql`
      create trigger ${sql.id(`${table}_config_changed`)}
      after insert or update or delete or truncate on ${sql.table(table)}
      for each statement execute function latchkey_config_changed()`.execute(db);
  }
}

export async function down(db: AnyDb): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  for (const table of CACHED_TABLES) {
    await sql`drop trigger if exists ${sql.id(`${table}_config_changed`)} on ${sql.table(table)}`.execute(db);
  }
  await sql`drop function if exists latchkey_config_changed()`.execute(db);
}
