import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema as it was, not the current types
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  // A self-service sign-in started on the hosted login page: one message carries a link and a short code. The
  // browser that started it is remembered by the hash of its cookie, so a click elsewhere can ask for approval
  // instead of signing that other browser in. No user row is made until the sign-in succeeds.
  await db.schema
    .createTable('login_flows')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('identifier', 'text', (c) => c.notNull())
    .addColumn('identifier_kind', 'text', (c) => c.notNull())
    .addColumn('deliverable', 'integer', (c) => c.notNull())
    .addColumn('browser_hash', 'text', (c) => c.notNull())
    .addColumn('link_hash', 'text', (c) => c.notNull().unique())
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('code_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('redirect_url', 'text', (c) => c.notNull())
    .addColumn('code_challenge', 'text')
    .addColumn('language', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_ip', 'text')
    .addColumn('requested_user_agent', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('link_used_at', 'bigint')
    .addColumn('decided_at', 'bigint')
    .addColumn('completed_at', 'bigint')
    .addColumn('session_id', 'text')
    .execute();
  await db.schema
    .createIndex('login_flows_identifier')
    .on('login_flows')
    .columns(['app_id', 'identifier', 'created_at'])
    .execute();
  await db.schema
    .createIndex('login_flows_browser')
    .on('login_flows')
    .columns(['browser_hash', 'app_id', 'created_at'])
    .execute();
  await db.schema.createIndex('login_flows_expiry').on('login_flows').columns(['expires_at']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('login_flows').ifExists().execute();
}
