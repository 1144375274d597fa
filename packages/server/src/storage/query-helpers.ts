import type { Kysely, SelectQueryBuilder, Transaction } from 'kysely';
import { ApiError } from '../http/api-error.js';
import { isWebhookEventType } from '../webhooks/event-types.js';
import { compiledQuery } from './compiled-query.js';
import { ConfigCache } from './config-cache.js';
import { insertRows } from './insert-rows.js';
import type { Database } from './schema.js';
import type { EventRow, OutboxRow, Page, WebhookEndpointRow } from './store.js';

export type Db = Kysely<Database> | Transaction<Database>;
export type RootDb = Kysely<Database>;

export async function insertEvents(db: Db, events: EventRow[]): Promise<void> {
  if (events.length === 0) return;
  await insertRows(db, 'events', events);
  await queueWebhookMessages(db, events);
}

/**
 * Queues one outbox message per (event, subscribed endpoint), in the transaction that writes the events: an event is
 * never recorded without its deliveries, nor delivered without being recorded. The message id is derived from both
 * ids, so the same pair is never queued twice.
 *
 * The events are at hand, so only the endpoints are read: one indexed lookup, which finds none in most apps. (An
 * INSERT … SELECT joining the events table was left to SQLite's planner, which after an ANALYZE of a small table
 * scanned all events on every write.)
 */
async function queueWebhookMessages(db: Db, events: EventRow[]): Promise<void> {
  const candidates = events.filter((e) => e.app_id !== null && isWebhookEventType(e.type));
  if (candidates.length === 0) return;
  const appIds = [...new Set(candidates.map((e) => e.app_id!))];
  const endpoints = (await Promise.all(appIds.map((appId) => enabledEndpoints(db, appId)))).flatMap(
    (list) => list ?? [],
  );
  if (endpoints.length === 0) return;
  const messages: OutboxRow[] = [];
  for (const event of candidates) {
    for (const endpoint of endpoints) {
      if (endpoint.app_id !== event.app_id) continue;
      if (endpoint.event_types !== '*' && !endpoint.event_types.includes(`,${event.type},`)) continue;
      messages.push({
        id: `whm_${event.id.slice(4)}_${endpoint.id.slice(4)}`,
        app_id: event.app_id,
        link_id: null,
        channel: 'webhook',
        recipient: endpoint.id,
        payload: event.id,
        status: 'pending',
        attempts: 0,
        next_attempt_at: event.created_at,
        lease_until: null,
        worker: null,
        last_error: null,
        created_at: event.created_at,
        updated_at: event.created_at,
        sent_at: null,
      });
    }
  }
  await insertRows(db, 'outbox', messages);
}

type EnabledEndpoint = Pick<WebhookEndpointRow, 'id' | 'app_id' | 'event_types'>;

/**
 * The enabled webhook endpoints of each app, cached (SQLite only, see config-cache.ts) per database: every event
 * write asks, and most apps have none. webhook-queries.ts runs every write to the endpoints through `changing`.
 */
const endpointCaches = new WeakMap<object, ConfigCache<string, readonly EnabledEndpoint[]>>();

/** Called by createStore: `db` and its transactions share one executor adapter, which keys the cache. */
export function cacheWebhookEndpoints(
  db: RootDb,
  externalVersion: () => number,
): ConfigCache<string, unknown> {
  const cache = new ConfigCache<string, readonly EnabledEndpoint[]>(externalVersion);
  endpointCaches.set(db.getExecutor().adapter, cache);
  return cache;
}

const readEnabledEndpoints = compiledQuery((db: Db, appId: string) =>
  db
    .selectFrom('webhook_endpoints')
    .select(['id', 'app_id', 'event_types'])
    .where('app_id', '=', appId)
    .where('status', '=', 'enabled'),
);

function enabledEndpoints(db: Db, appId: string): Promise<readonly EnabledEndpoint[] | undefined> {
  const read = async () => (await readEnabledEndpoints(db, appId)).rows;
  const cache = endpointCaches.get(db.getExecutor().adapter);
  return cache ? cache.get(appId, read) : read();
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
