import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema as it was, not the current types
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  // Fixed-window counters for the database rate limiter. The key is a SHA-256 of the bucket and what is counted
  // (an IP prefix, an identifier, an API key id): no personal data is stored.
  await db.schema
    .createTable('rate_limits')
    .addColumn('key_hash', 'text', (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_limits_pk', ['key_hash', 'window_start'])
    .execute();
  await db.schema.createIndex('rate_limits_expires').on('rate_limits').columns(['expires_at']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('rate_limits_expires').ifExists().execute();
  await db.schema.dropTable('rate_limits').ifExists().execute();
}
