import { PostgresAdapter, type RawBuilder, type SelectQueryBuilder, sql } from 'kysely';
import { compiledQuery } from './compiled-query.js';
import { ConfigCache } from './config-cache.js';
import type { Db, RootDb } from './database.js';
import { insertRows } from './insert-rows.js';
import { newOutboxRow } from './outbox-rows.js';
import type { EventRow, OutboxRow, Page, WebhookEndpointRow } from './rows.js';
import { type RowsOf, rowsFrom, shapeOfRows, statementsByShape } from './statement-shapes.js';

export async function insertEvents(db: Db, events: EventRow[]): Promise<void> {
  if (events.length === 0) return;
  await insertRows(db, 'events', events);
  await insertRows(db, 'outbox', await webhookMessagesFor(db, events));
}

/** The rows that writing `events` adds: the events and their webhook deliveries (for `insertAtOnce`). */
export async function eventWrites(db: Db, events: EventRow[]): Promise<RowsOf[]> {
  if (events.length === 0) return [];
  return [
    { table: 'events', rows: events },
    { table: 'outbox', rows: await webhookMessagesFor(db, events) },
  ];
}

/**
 * Inserts rows into several tables as one unit. On PostgreSQL that is one statement in autocommit: a chain of
 * data-modifying CTEs (`WITH a AS (INSERT …), b AS (INSERT …) SELECT 1`), which PostgreSQL runs atomically, so it
 * costs one round trip instead of BEGIN, one INSERT per table and COMMIT. On SQLite, where a statement is no round
 * trip and each request's transaction is a savepoint in a group commit (sqlite-group-commit.ts), a transaction of
 * plain INSERTs stays what is fastest.
 */
export async function insertAtOnce(db: RootDb, writes: RowsOf[]): Promise<void> {
  const nonEmpty = writes.filter((w) => w.rows.length > 0);
  if (nonEmpty.length === 0) return;
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) {
    await db.transaction().execute(async (trx) => {
      for (const write of nonEmpty) await insertRows(trx, write.table, write.rows);
    });
    return;
  }
  const { key, tables, values } = shapeOfRows(nonEmpty);
  await insertStatements(db, key, values, (root, args) => insertChain(root, rowsFrom(tables, args)));
}

const insertStatements = statementsByShape<RootDb>();

function insertChain(db: RootDb, writes: RowsOf[]) {
  // biome-ignore lint/suspicious/noExplicitAny: the CTE names are made up here, unknown to the schema's types
  let query: any = db;
  writes.forEach((write, i) => {
    // biome-ignore lint/suspicious/noExplicitAny: each table's rows are typed by RowsOf above
    query = query.with(`w${i}`, (qc: any) => qc.insertInto(write.table).values(write.rows));
  });
  return (query as RootDb).selectNoFrom(sql<number>`1`.as('done'));
}

/**
 * The guarded UPDATE of a guardedInsert and the other writes that go with it, built from `args` (placeholders when
 * the statement is compiled). `key` names what `build` makes: one key, one statement.
 */
export interface Guard {
  key: string;
  args: unknown[];
  build: (
    db: RootDb,
    args: readonly unknown[],
    won: RawBuilder<boolean>,
    // biome-ignore lint/suspicious/noExplicitAny: the guard is any data-modifying query with RETURNING
  ) => { guard: any; also?: any[] };
}

/**
 * PostgreSQL only: one statement that runs `guard` (a guarded UPDATE … RETURNING, the decision of a one-time
 * promise) and inserts `writes` only if the guard changed a row, answering the guard's rows. Each row is an
 * `INSERT … SELECT … WHERE EXISTS (SELECT 1 FROM won)` CTE (PostgreSQL types the parameters from the target
 * columns), and the whole runs atomically in autocommit: BEGIN, the UPDATE, each INSERT and COMMIT in one round trip,
 * with the same one winner, since concurrent guarded UPDATEs of one row still serialise on its lock.
 */
export async function guardedInsert<R>(db: RootDb, guard: Guard, writes: RowsOf[]): Promise<R[]> {
  const rows = shapeOfRows(writes.filter((w) => w.rows.length > 0));
  const arity = guard.args.length;
  const { build, key } = guard;
  return guardedStatements<R>(db, `${key}|${rows.key}`, [...guard.args, ...rows.values], (root, args) =>
    guardedChain(root, build, args.slice(0, arity), rowsFrom(rows.tables, args.slice(arity))),
  );
}

const guardedStatements = statementsByShape<RootDb>();

function guardedChain(db: RootDb, build: Guard['build'], args: readonly unknown[], writes: RowsOf[]) {
  const won = sql<boolean>`exists (select 1 from won)`;
  const { guard, also = [] } = build(db, args, won);
  // biome-ignore lint/suspicious/noExplicitAny: the CTE names are made up here, unknown to the schema's types
  let query: any = db.with('won', () => guard);
  let n = 0;
  // Each of the other writes adds `where(won)` itself.
  for (const write of also) query = query.with(`w${n++}`, () => write);
  for (const write of writes) {
    for (const row of write.rows as Record<string, unknown>[]) {
      const columns = Object.keys(row);
      const values = db
        .selectNoFrom(columns.map((column) => sql.val(row[column]).as(column)))
        .where(sql<boolean>`exists (select 1 from won)`);
      // biome-ignore lint/suspicious/noExplicitAny: each table's rows are typed by RowsOf above
      query = query.with(`w${n++}`, (qc: any) =>
        qc.insertInto(write.table).columns(columns).expression(values),
      );
    }
  }
  return query.selectFrom('won').selectAll();
}

/**
 * One outbox message per (event, subscribed endpoint), written with the events (in their transaction or statement): an event is
 * never recorded without its deliveries, nor delivered without being recorded. The message id is derived from both
 * ids, so the same pair is never queued twice.
 *
 * The events are at hand, so only the endpoints are read: one indexed lookup, which finds none in most apps. (An
 * INSERT … SELECT joining the events table was left to SQLite's planner, which after an ANALYZE of a small table
 * scanned all events on every write.)
 */
async function webhookMessagesFor(db: Db, events: EventRow[]): Promise<OutboxRow[]> {
  const fanOut = fanOuts.get(db.getExecutor().adapter);
  if (!fanOut) throw new Error('insertEvents: the database was not opened through createStore');
  const candidates = events.filter((e) => e.app_id !== null && fanOut.deliverable.has(e.type));
  if (candidates.length === 0) return [];
  const appIds = [...new Set(candidates.map((e) => e.app_id!))];
  const endpoints = (await Promise.all(appIds.map((appId) => enabledEndpoints(db, appId)))).flatMap(
    (list) => list ?? [],
  );
  if (endpoints.length === 0) return [];
  const messages: OutboxRow[] = [];
  for (const event of candidates) {
    for (const endpoint of endpoints) {
      if (endpoint.app_id !== event.app_id) continue;
      if (endpoint.event_types !== '*' && !endpoint.event_types.includes(`,${event.type},`)) continue;
      messages.push(
        newOutboxRow({
          id: `whm_${event.id.slice(4)}_${endpoint.id.slice(4)}`,
          appId: event.app_id!,
          linkId: null,
          channel: 'webhook',
          recipient: endpoint.id,
          payload: event.id,
          now: event.created_at,
        }),
      );
    }
  }
  return messages;
}

type EnabledEndpoint = Pick<WebhookEndpointRow, 'id' | 'app_id' | 'event_types'>;

/**
 * How event writes fan out to webhooks, per database: which event types are delivered at all (the webhooks
 * capability decides; storage is told at createStore), and the enabled endpoints of each app, cached (see
 * config-cache.ts) because every event write asks and most apps have none. webhook-queries.ts runs every write
 * to the endpoints through the cache's `changing`. Keyed by the executor adapter, which `db` and its transactions
 * share.
 */
interface FanOut {
  deliverable: ReadonlySet<string>;
  endpoints: ConfigCache<string, readonly EnabledEndpoint[]> | undefined;
}
const fanOuts = new WeakMap<object, FanOut>();

/** Called by createStore; answers the endpoint cache, if the database has one. */
export function configureWebhookFanOut(
  db: RootDb,
  deliverable: Iterable<string>,
  externalVersion: (() => number) | undefined,
): ConfigCache<string, unknown> | undefined {
  const endpoints = externalVersion && new ConfigCache<string, readonly EnabledEndpoint[]>(externalVersion);
  fanOuts.set(db.getExecutor().adapter, { deliverable: new Set(deliverable), endpoints });
  return endpoints;
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
  const cache = fanOuts.get(db.getExecutor().adapter)?.endpoints;
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
