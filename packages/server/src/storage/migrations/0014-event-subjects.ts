import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema as it was, not the current types
type AnyDb = Kysely<any>;

/**
 * What the dashboard reads about one user or one link: the events about them (GET /v1/events?user_id= looks for
 * events whose subject is the user, one of its links or one of its sessions), and the webhook sends of a link's
 * events (its detail). Without these, each read walked every event of the app.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createIndex('events_app_subject')
    .on('events')
    .columns(['app_id', 'subject_id', 'id'])
    .execute();
  await db.schema
    .createIndex('webhook_attempts_event')
    .on('webhook_attempts')
    .columns(['event_id'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('webhook_attempts_event').execute();
  await db.schema.dropIndex('events_app_subject').execute();
}
