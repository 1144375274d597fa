import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema as it was, not the current types
type AnyDb = Kysely<any>;

/**
 * The W3C trace context (`traceparent`, `tracestate`) of the request that queued a message, so the worker's span of
 * its send joins the request's trace (docs/decisions.md). Null when tracing is off or the row is older than this.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('outbox').addColumn('trace_parent', 'text').execute();
  await db.schema.alterTable('outbox').addColumn('trace_state', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('outbox').dropColumn('trace_state').execute();
  await db.schema.alterTable('outbox').dropColumn('trace_parent').execute();
}
