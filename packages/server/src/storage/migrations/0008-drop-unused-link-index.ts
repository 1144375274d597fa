import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema as it was, not the current types
type AnyDb = Kysely<any>;

/**
 * `magic_links_expires` (expires_at alone) serves no query: listings filter by app first, the expiry sweep has its
 * own index (`magic_links_expiry_sweep`) and the analytics read by app and creation time. Every new link paid for
 * it with one more B-tree insert and more pages to commit.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('magic_links_expires').ifExists().execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.createIndex('magic_links_expires').on('magic_links').columns(['expires_at']).execute();
}
