import type { Kysely, SelectQueryBuilder, Transaction } from 'kysely';
import { ApiError } from '../http/api-error.js';
import type { Database } from './schema.js';
import type { EventRow, Page } from './store.js';

export type Db = Kysely<Database> | Transaction<Database>;
export type RootDb = Kysely<Database>;

export async function insertEvents(db: Db, events: EventRow[]): Promise<void> {
  if (events.length > 0) await db.insertInto('events').values(events).execute();
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
