import { PostgresAdapter, sql } from 'kysely';
import { compiledQuery, firstRow } from '../storage/compiled-query.js';
import { ConfigCache } from '../storage/config-cache.js';
import type { Db, RootDb } from '../storage/database.js';
import { insertEvents, paginate } from '../storage/query-helpers.js';
import type { ApiKeyRow, AppRow, EventRow, Page } from '../storage/rows.js';
import { publicHostOf, readSettings } from './app-settings.js';
import { type AppChanges, type AppStore, PublicHostTaken } from './app-store.js';

/**
 * The columns of `AppRow`. `public_host` is left out of every read: it is the index behind the one-host-one-app
 * rule, derived from the settings on every write, and nothing above the queries needs it as a field.
 */
const APP_COLUMNS = ['id', 'name', 'settings', 'created_at', 'updated_at', 'internal'] as const;

// Read by nearly every request whenever the cache cannot answer: compiled once.
const appById = compiledQuery((db: Db, id: string) =>
  db.selectFrom('apps').select(APP_COLUMNS).where('id', '=', id),
);
const keyByHash = compiledQuery((db: Db, keyHash: string) =>
  db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash),
);

/** The host an app's settings claim; settings are validated before any write, so the URL parses. */
const hostOfSettings = (settings: string) => publicHostOf(readSettings(settings).public_url);

/** A unique violation on `apps.public_host`, from either database, as `PublicHostTaken`; anything else unchanged. */
function mapHostTaken(error: unknown, host: string | null): unknown {
  const e = error as { code?: string; message?: string; constraint?: string } | undefined;
  const unique = e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE';
  const onHost = /apps_public_host|apps\.public_host/.test(`${e?.constraint ?? ''} ${e?.message ?? ''}`);
  return unique && onHost && host !== null ? new PublicHostTaken(host) : error;
}

/** Ends a transaction without writing anything, when the app to change turns out not to exist. */
class NoSuchApp extends Error {}

async function writeApp(trx: Db, id: string, changes: AppChanges): Promise<AppRow | undefined> {
  return trx
    .updateTable('apps')
    .set({ ...changes, public_host: hostOfSettings(changes.settings) })
    .where('id', '=', id)
    .returning(APP_COLUMNS)
    .executeTakeFirst();
}

export function appQueries(db: RootDb, externalVersion?: () => number): AppStore {
  const apps = externalVersion ? new ConfigCache<string, AppRow>(externalVersion) : undefined;
  const keys = externalVersion ? new ConfigCache<string, ApiKeyRow>(externalVersion) : undefined;
  /** Every write to apps or api_keys goes through here, so that neither cache keeps a row it changed. */
  const changing = <T>(write: () => Promise<T>): Promise<T> =>
    apps && keys ? apps.changing(() => keys.changing(write)) : write();
  const readApp = async (id: string) => firstRow(await appById(db, id));
  // The holder of a host being moved is locked until the move commits; SQLite has one writer, so no lock is needed.
  const locksRows = db.getExecutor().adapter instanceof PostgresAdapter;
  const holderOf = (trx: Db, host: string, otherThan: string) => {
    const query = trx
      .selectFrom('apps')
      .select(APP_COLUMNS)
      .where('public_host', '=', host)
      .where('id', '!=', otherThan);
    return (locksRows ? query.forUpdate() : query).executeTakeFirst();
  };
  const readKey = async (keyHash: string) => firstRow(await keyByHash(db, keyHash));

  return {
    async insertApp(app: AppRow, keyRows: ApiKeyRow[], events: EventRow[]) {
      const host = hostOfSettings(app.settings);
      try {
        await changing(() =>
          db.transaction().execute(async (trx) => {
            await trx
              .insertInto('apps')
              .values({ ...app, public_host: host })
              .execute();
            if (keyRows.length > 0) await trx.insertInto('api_keys').values(keyRows).execute();
            await insertEvents(trx, events);
          }),
        );
      } catch (error) {
        throw mapHostTaken(error, host);
      }
    },

    getApp: (id: string) => (apps ? apps.get(id, () => readApp(id)) : readApp(id)),

    // The internal app behind dashboard sign-in is the installation's own, not one of the apps it serves.
    listApps: (page: Page) =>
      paginate(db.selectFrom('apps').select(APP_COLUMNS).where('internal', '=', 0), 'id', page).execute(),

    async updateApp(id, changes, events) {
      try {
        return await changing(() =>
          db.transaction().execute(async (trx) => {
            const row = await writeApp(trx, id, changes);
            if (row) await insertEvents(trx, events);
            return row;
          }),
        );
      } catch (error) {
        throw mapHostTaken(error, hostOfSettings(changes.settings));
      }
    },

    async moveAppHost(id, changes, plan) {
      const host = hostOfSettings(changes.settings);
      try {
        return await changing(() =>
          db.transaction().execute(async (trx) => {
            const holder = host === null ? undefined : await holderOf(trx, host, id);
            const { holderChanges, events } = plan(holder);
            let released: AppRow | undefined;
            if (holder) {
              if (!holderChanges) throw new Error('moveAppHost: the plan must say how the holder lets go');
              // The holder lets go first: the unique index is checked statement by statement.
              released = await writeApp(trx, holder.id, holderChanges);
            }
            const row = await writeApp(trx, id, changes);
            if (!row) throw new NoSuchApp();
            await insertEvents(trx, events);
            return { app: row, released };
          }),
        );
      } catch (error) {
        if (error instanceof NoSuchApp) return { app: undefined, released: undefined };
        throw mapHostTaken(error, host);
      }
    },

    findAppByHost: (host: string) =>
      db.selectFrom('apps').select(APP_COLUMNS).where('public_host', '=', host).executeTakeFirst(),

    async listAppHosts() {
      const rows = await db
        .selectFrom('apps')
        .select(['id', 'public_host'])
        .where('public_host', 'is not', null)
        .execute();
      return rows.map((row) => ({ id: row.id, host: row.public_host! }));
    },

    async countApps() {
      // The apps the installation serves: the dashboard's internal app does not make a database "initialised".
      const row = await db
        .selectFrom('apps')
        .select(sql<number>`count(*)`.as('n'))
        .where('internal', '=', 0)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    insertApiKey(key, events) {
      return changing(() =>
        db.transaction().execute(async (trx) => {
          await trx.insertInto('api_keys').values(key).execute();
          await insertEvents(trx, events);
        }),
      );
    },

    findApiKeyByHash: (keyHash: string) =>
      keys ? keys.get(keyHash, () => readKey(keyHash)) : readKey(keyHash),

    getApiKey(appId, id) {
      const q = db.selectFrom('api_keys').selectAll().where('id', '=', id);
      return (
        appId === null ? q.where('kind', '=', 'admin') : q.where('app_id', '=', appId)
      ).executeTakeFirst();
    },

    listApiKeys(appId, page) {
      const base = db.selectFrom('api_keys').selectAll();
      const scoped = appId === null ? base.where('kind', '=', 'admin') : base.where('app_id', '=', appId);
      return paginate(scoped, 'id', page).execute();
    },

    revokeApiKey(appId, id, now, events) {
      return changing(() =>
        db.transaction().execute(async (trx) => {
          let q = trx
            .updateTable('api_keys')
            .set({ revoked_at: now })
            .where('id', '=', id)
            .where('revoked_at', 'is', null);
          q = appId === null ? q.where('kind', '=', 'admin') : q.where('app_id', '=', appId);
          const row = await q.returningAll().executeTakeFirst();
          if (row) await insertEvents(trx, events);
          return row;
        }),
      );
    },

    relabelApiKey(appId, id, label, events) {
      return changing(() =>
        db.transaction().execute(async (trx) => {
          let q = trx.updateTable('api_keys').set({ label }).where('id', '=', id);
          q = appId === null ? q.where('kind', '=', 'admin') : q.where('app_id', '=', appId);
          const row = await q.returningAll().executeTakeFirst();
          if (row) await insertEvents(trx, events);
          return row;
        }),
      );
    },

    async touchApiKey(id, now) {
      await changing(() =>
        db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute(),
      );
    },

    async claimOnce(key, value, now) {
      const result = await db
        .insertInto('latchkey_meta')
        .values({ key, value, created_at: now })
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },

    async setMeta(key, value, now) {
      await db
        .insertInto('latchkey_meta')
        .values({ key, value, created_at: now })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value, created_at: now }))
        .execute();
    },

    async getMeta(key) {
      const row = await db
        .selectFrom('latchkey_meta')
        .select('value')
        .where('key', '=', key)
        .executeTakeFirst();
      return row?.value;
    },
  };
}
