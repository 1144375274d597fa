import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema as it was, not the current types
type AnyDb = Kysely<any>;

/**
 * The dashboard's people. An operator signs in with a link and a code like anyone else, through a login flow of the
 * installation's own internal app (`apps.internal`, never listed or reachable with a key), whose users are exactly
 * the operators. A dashboard session is a cookie whose secret is stored only as a hash; a one-time sign-in token (the
 * break-glass link printed by the CLI, the first owner's link printed at first start) likewise.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('apps')
    .addColumn('internal', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('operators')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('role', 'text', (c) => c.notNull())
    // The operator's user in the internal app: what the login flow signs in.
    .addColumn('user_id', 'text', (c) => c.notNull().unique())
    .addColumn('invited_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('last_sign_in_at', 'bigint')
    .execute();
  await db.schema
    .createTable('operator_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('operator_id', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('reauth_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('operator_sessions_operator')
    .on('operator_sessions')
    .columns(['operator_id'])
    .execute();
  await db.schema
    .createTable('operator_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    // Null for the first owner's link: whoever uses it names the owner's email.
    .addColumn('operator_id', 'text')
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('operator_tokens').execute();
  await db.schema.dropTable('operator_sessions').execute();
  await db.schema.dropTable('operators').execute();
  await db.schema.alterTable('apps').dropColumn('internal').execute();
}
