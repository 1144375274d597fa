import { sql } from 'kysely';
import { insertEvents, paginate, type RootDb } from './query-helpers.js';
import type { ApiKeyRow, AppRow, AppStore, EventRow, Page } from './store.js';

export function appQueries(db: RootDb): AppStore {
  return {
    async insertApp(app: AppRow, keys: ApiKeyRow[], events: EventRow[]) {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('apps').values(app).execute();
        if (keys.length > 0) await trx.insertInto('api_keys').values(keys).execute();
        await insertEvents(trx, events);
      });
    },

    getApp: (id: string) => db.selectFrom('apps').selectAll().where('id', '=', id).executeTakeFirst(),

    listApps: (page: Page) => paginate(db.selectFrom('apps').selectAll(), 'id', page).execute(),

    async updateApp(id, changes, events) {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .updateTable('apps')
          .set(changes)
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        if (row) await insertEvents(trx, events);
        return row;
      });
    },

    async countApps() {
      const row = await db.selectFrom('apps').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async insertApiKey(key, events) {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('api_keys').values(key).execute();
        await insertEvents(trx, events);
      });
    },

    findApiKeyByHash: (keyHash: string) =>
      db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst(),

    listApiKeys(appId, page) {
      const base = db.selectFrom('api_keys').selectAll();
      const scoped = appId === null ? base.where('kind', '=', 'admin') : base.where('app_id', '=', appId);
      return paginate(scoped, 'id', page).execute();
    },

    async revokeApiKey(appId, id, now, events) {
      return db.transaction().execute(async (trx) => {
        let q = trx
          .updateTable('api_keys')
          .set({ revoked_at: now })
          .where('id', '=', id)
          .where('revoked_at', 'is', null);
        q = appId === null ? q.where('kind', '=', 'admin') : q.where('app_id', '=', appId);
        const row = await q.returningAll().executeTakeFirst();
        if (row) await insertEvents(trx, events);
        return row;
      });
    },

    async touchApiKey(id, now) {
      await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
    },
  };
}
