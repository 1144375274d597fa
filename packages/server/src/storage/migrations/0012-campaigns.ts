import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema as it was, not the current types
type AnyDb = Kysely<any>;

/**
 * Campaigns: a bulk request with a name. The campaign row keeps who started it and how far it got; every link it
 * made carries its id in `magic_links.campaign_id`, so its funnel, export and revocation read the links themselves.
 * The links' index is partial: most links belong to no campaign, and a single create should not pay for an index
 * entry it never uses.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('campaigns')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    // The API key (`key_…`) or dashboard operator (`op_…`) that started it.
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('rows_total', 'integer', (c) => c.notNull())
    .addColumn('rows_created', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('send', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();
  // Lists are per app, newest first (ids sort by creation time).
  await db.schema.createIndex('campaigns_app').on('campaigns').columns(['app_id', 'id']).execute();
  await db.schema.alterTable('magic_links').addColumn('campaign_id', 'text').execute();
  await db.schema
    .createIndex('magic_links_campaign')
    .on('magic_links')
    .columns(['app_id', 'campaign_id', 'id'])
    .where('campaign_id', 'is not', null)
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('magic_links_campaign').ifExists().execute();
  await db.schema.alterTable('magic_links').dropColumn('campaign_id').execute();
  await db.schema.dropIndex('campaigns_app').ifExists().execute();
  await db.schema.dropTable('campaigns').execute();
}
