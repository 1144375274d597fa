import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema as it was, not the current types
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  // Where an app wants its events POSTed. The signing secret is sealed under the master key (it must be read back
  // to sign); after a rotation the previous secret keeps signing too until `previous_secret_expires_at`.
  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    // `*` for every event type, else `,type,type,` so one LIKE in SQL matches an event against it.
    .addColumn('event_types', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('secret_hint', 'text', (c) => c.notNull())
    .addColumn('previous_secret', 'text')
    .addColumn('previous_secret_expires_at', 'bigint')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('disabled_reason', 'text')
    // Start of the current run of failed attempts (null while the endpoint answers); drives automatic disabling.
    .addColumn('failing_since', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('webhook_endpoints_app')
    .on('webhook_endpoints')
    .columns(['app_id', 'status'])
    .execute();

  // One row per delivery attempt: what the receiver answered, how fast, and the start of its body.
  await db.schema
    .createTable('webhook_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('endpoint_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('ok', 'integer', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('latency_ms', 'integer', (c) => c.notNull())
    .addColumn('response_excerpt', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('webhook_attempts_endpoint')
    .on('webhook_attempts')
    .columns(['endpoint_id', 'id'])
    .execute();

  // `magic_link.expired` is written once per link by a sweeper; this marks the links it has looked at. Links that
  // expired before this migration are marked now, so upgrading does not flood receivers with old expiries.
  await db.schema.alterTable('magic_links').addColumn('expiry_swept_at', 'bigint').execute();
  await sql`update magic_links set expiry_swept_at = expires_at where expires_at <= ${Date.now()}`.execute(
    db,
  );
  await db.schema
    .createIndex('magic_links_expiry_sweep')
    .on('magic_links')
    .columns(['expiry_swept_at', 'expires_at'])
    .execute();
  // The analytics read links of one app by creation time.
  await db.schema
    .createIndex('magic_links_app_created')
    .on('magic_links')
    .columns(['app_id', 'created_at'])
    .execute();

  // Per-day figures of settled links (every link of the day and type past its expiry), written once by the
  // maintenance loop, so that GET /v1/stats reads a row per day instead of every link. See analytics-queries.ts.
  await db.schema
    .createTable('link_stats_days')
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('day', 'bigint', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('created', 'integer', (c) => c.notNull())
    .addColumn('sent', 'integer', (c) => c.notNull())
    .addColumn('delivered', 'integer', (c) => c.notNull())
    .addColumn('delivery_failed', 'integer', (c) => c.notNull())
    .addColumn('opened', 'integer', (c) => c.notNull())
    .addColumn('redeemed', 'integer', (c) => c.notNull())
    .addColumn('sent_redeemed', 'integer', (c) => c.notNull())
    .addColumn('revoked', 'integer', (c) => c.notNull())
    .addColumn('expired', 'integer', (c) => c.notNull())
    .addColumn('invites_matured', 'integer', (c) => c.notNull())
    .addColumn('active_7d', 'integer', (c) => c.notNull())
    // JSON array: how many links took each bucket of time from send to redemption.
    .addColumn('redeem_histogram', 'text', (c) => c.notNull())
    .addColumn('rolled_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('link_stats_days_pk', ['app_id', 'day', 'type'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('link_stats_days').ifExists().execute();
  await db.schema.dropIndex('magic_links_app_created').ifExists().execute();
  await db.schema.dropIndex('magic_links_expiry_sweep').ifExists().execute();
  await db.schema.alterTable('magic_links').dropColumn('expiry_swept_at').execute();
  await db.schema.dropTable('webhook_attempts').ifExists().execute();
  await db.schema.dropTable('webhook_endpoints').ifExists().execute();
}
