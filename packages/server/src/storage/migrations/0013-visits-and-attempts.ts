import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema as it was, not the current types
type AnyDb = Kysely<any>;

/**
 * Two logs an operator reads when asking "did the person get it, and who opened it?":
 * - `link_visits`: every GET, HEAD and confirm POST of a hosted link's page, with how it was classified (a person,
 *   or likely a mail scanner or link preview) and why. Nothing about the visitor's address is kept, only a
 *   truncated user agent (docs/decisions.md, "Visits").
 * - `outbox_attempts`: every send of an email or SMS message, with the provider's answer (already scrubbed of the
 *   link, the code and credentials). Webhook sends keep their own log (`webhook_attempts`).
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('link_visits')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('link_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('verdict', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('user_agent', 'text')
    .execute();
  // A link's visits newest first. Purging by age walks the primary key: ids are time-ordered.
  await db.schema.createIndex('link_visits_link').on('link_visits').columns(['link_id', 'id']).execute();

  await db.schema
    .createTable('outbox_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('app_id', 'text', (c) => c.notNull())
    // Null for messages that carry no magic link (the hosted sign-in's link and code).
    .addColumn('link_id', 'text')
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('ok', 'integer', (c) => c.notNull())
    .addColumn('permanent', 'integer', (c) => c.notNull())
    .addColumn('answer', 'text', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .execute();
  // A message's attempts in order; a link's are found through its messages (outbox_link).
  await db.schema
    .createIndex('outbox_attempts_message')
    .on('outbox_attempts')
    .columns(['message_id', 'attempt'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('outbox_attempts').execute();
  await db.schema.dropTable('link_visits').execute();
}
