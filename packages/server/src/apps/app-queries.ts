import { sql } from 'kysely';
import { compiledQuery, firstRow } from '../storage/compiled-query.js';
import { ConfigCache } from '../storage/config-cache.js';
import { type Db, insertEvents, paginate, type RootDb } from '../storage/query-helpers.js';
import type { ApiKeyRow, AppRow, EventRow, Page } from '../storage/rows.js';
import type { AppStore } from './app-store.js';

// Read by nearly every request (on PostgreSQL, where they are not cached, on every one): compiled once.
const appById = compiledQuery((db: Db, id: string) => db.selectFrom('apps').selectAll().where('id', '=', id));
const keyByHash = compiledQuery((db: Db, keyHash: string) =>
  db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash),
);

/**
 * `externalVersion` (SQLite's data_version) lets apps and keys be cached in memory (see config-cache.ts); without
 * it every call reads the database.
 */
export function appQueries(db: RootDb, externalVersion?: () => number): AppStore {
  const apps = externalVersion ? new ConfigCache<string, AppRow>(externalVersion) : undefined;
  const keys = externalVersion ? new ConfigCache<string, ApiKeyRow>(externalVersion) : undefined;
  /** Every write to apps or api_keys goes through here, so that neither cache keeps a row it changed. */
  const changing = <T>(write: () => Promise<T>): Promise<T> =>
    apps && keys ? apps.changing(() => keys.changing(write)) : write();
  const readApp = async (id: string) => firstRow(await appById(db, id));
  const readKey = async (keyHash: string) => firstRow(await keyByHash(db, keyHash));

  return {
    insertApp(app: AppRow, keyRows: ApiKeyRow[], events: EventRow[]) {
      return changing(() =>
        db.transaction().execute(async (trx) => {
          await trx.insertInto('apps').values(app).execute();
          if (keyRows.length > 0) await trx.insertInto('api_keys').values(keyRows).execute();
          await insertEvents(trx, events);
        }),
      );
    },

    getApp: (id: string) => (apps ? apps.get(id, () => readApp(id)) : readApp(id)),

    listApps: (page: Page) => paginate(db.selectFrom('apps').selectAll(), 'id', page).execute(),

    updateApp(id, changes, events) {
      return changing(() =>
        db.transaction().execute(async (trx) => {
          const row = await trx
            .updateTable('apps')
            .set(changes)
            .where('id', '=', id)
            .returningAll()
            .executeTakeFirst();
          if (row) await insertEvents(trx, events);
          return row;
        }),
      );
    },

    async countApps() {
      const row = await db.selectFrom('apps').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
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
