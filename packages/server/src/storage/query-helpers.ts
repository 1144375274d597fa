import { type Kysely, type SelectQueryBuilder, sql, type Transaction } from 'kysely';
import { ApiError } from '../http/api-error.js';
import { isWebhookEventType } from '../webhooks/event-types.js';
import type { Database } from './schema.js';
import type { EventRow, Page } from './store.js';

export type Db = Kysely<Database> | Transaction<Database>;
export type RootDb = Kysely<Database>;

export async function insertEvents(db: Db, events: EventRow[]): Promise<void> {
  if (events.length === 0) return;
  await db.insertInto('events').values(events).execute();
  await queueWebhookMessages(db, events);
}

/**
 * Queues one outbox message per (event, subscribed endpoint), in the transaction that writes the events: an event is
 * never recorded without its deliveries, nor delivered without being recorded. The message id is derived from both
 * ids, so the same pair is never queued twice.
 */
async function queueWebhookMessages(db: Db, events: EventRow[]): Promise<void> {
  const ids = events.filter((e) => e.app_id !== null && isWebhookEventType(e.type)).map((e) => e.id);
  if (ids.length === 0) return;
  await sql`
    insert into outbox (id, app_id, link_id, channel, recipient, payload, status, attempts, next_attempt_at,
                        created_at, updated_at)
    select 'whm_' || substr(e.id, 5) || '_' || substr(w.id, 5), e.app_id, null, 'webhook', w.id, e.id, 'pending', 0,
           e.created_at, e.created_at, e.created_at
      from events e
      join webhook_endpoints w on w.app_id = e.app_id and w.status = 'enabled'
     where e.id in (${sql.join(ids)})
       and (w.event_types = '*' or w.event_types like '%,' || e.type || ',%')`.execute(db);
}

/** Newest-first keyset pagination on time-ordered ids; fetches one extra row so the caller knows if more follow. */
export function paginate<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  idColumn: string,
  page: Page,
): SelectQueryBuilder<DB, TB, O> {
  // The column name is always a literal from our own code, so the loose typing here is contained.
  // biome-ignore lint/suspicious/noExplicitAny: Kysely cannot type a column name passed in as a string
  let q = query as SelectQueryBuilder<any, any, O>;
  if (page.cursor !== undefined) q = q.where(idColumn, '<', page.cursor);
  return q.orderBy(idColumn, 'desc').limit(page.limit + 1) as SelectQueryBuilder<DB, TB, O>;
}

const UNIQUE_FIELDS: Array<[RegExp, string]> = [
  [/users_app_email|users\.app_id, users\.email/, 'email'],
  [/users_app_phone|users\.app_id, users\.phone/, 'phone'],
  [/users_app_external|users\.app_id, users\.external_id/, 'external_id'],
];

/**
 * Turns a unique-constraint violation from either database into a `conflict` error naming the field; any other
 * error passes through unchanged.
 */
export function mapUniqueViolation(error: unknown): unknown {
  const e = error as { code?: string; message?: string; constraint?: string };
  const isUnique = e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE';
  if (!isUnique) return error;
  const text = `${e.constraint ?? ''} ${e.message ?? ''}`;
  const field = UNIQUE_FIELDS.find(([pattern]) => pattern.test(text))?.[1];
  if (field === undefined) return error;
  return new ApiError('conflict', `Another user of this app already has this ${field}.`, { param: field });
}
