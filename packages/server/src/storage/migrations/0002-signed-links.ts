import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema as it was, not the current types
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('algorithm', 'text', (c) => c.notNull())
    // The HMAC secret, sealed with AES-256-GCM under the master key.
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('secret_hint', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('signing_keys_app').on('signing_keys').columns(['app_id', 'kid']).execute();

  // Redeemed stateless tokens, kept until they expire so that each one signs in once.
  await db.schema
    .createTable('used_tokens')
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('token_key', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('used_tokens_pk', ['app_id', 'token_key'])
    .execute();
  await db.schema.createIndex('used_tokens_expires').on('used_tokens').columns(['expires_at']).execute();
  await db.schema
    .createIndex('exchange_codes_expires')
    .on('exchange_codes')
    .columns(['expires_at'])
    .execute();
  await db.schema
    .createIndex('refresh_tokens_expires')
    .on('refresh_tokens')
    .columns(['expires_at'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('refresh_tokens_expires').ifExists().execute();
  await db.schema.dropIndex('exchange_codes_expires').ifExists().execute();
  await db.schema.dropTable('used_tokens').ifExists().execute();
  await db.schema.dropTable('signing_keys').ifExists().execute();
}
