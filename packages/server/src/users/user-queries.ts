import { compiledQuery, firstRow } from '../storage/compiled-query.js';
import type { Db, RootDb } from '../storage/database.js';
import { insertEvents, paginate } from '../storage/query-helpers.js';
import type { EventRow } from '../storage/rows.js';
import { OUTSTANDING } from '../storage/schema.js';
import { mapUniqueViolation } from '../storage/unique-violation.js';
import type { UserStore } from './user-store.js';

class UnknownUser extends Error {}

/** A user by id, read on every create for a `user_id` and on every redemption. */
export const userById = compiledQuery((db: Db, appId: string, id: string) =>
  db.selectFrom('users').selectAll().where('app_id', '=', appId).where('id', '=', id),
);

/** A user by one of its unique identifiers, read on every create for an email or phone. */
const userBy = {
  email: compiledQuery((db: Db, appId: string, value: string) =>
    db.selectFrom('users').selectAll().where('app_id', '=', appId).where('email', '=', value),
  ),
  phone: compiledQuery((db: Db, appId: string, value: string) =>
    db.selectFrom('users').selectAll().where('app_id', '=', appId).where('phone', '=', value),
  ),
  external_id: compiledQuery((db: Db, appId: string, value: string) =>
    db.selectFrom('users').selectAll().where('app_id', '=', appId).where('external_id', '=', value),
  ),
};

export function userQueries(db: RootDb): UserStore {
  return {
    async insertUser(user, events: EventRow[]) {
      try {
        await db.transaction().execute(async (trx) => {
          await trx.insertInto('users').values(user).execute();
          await insertEvents(trx, events);
        });
      } catch (error) {
        throw mapUniqueViolation(error);
      }
    },

    getUser: async (appId, id) => firstRow(await userById(db, appId, id)),

    findUser: async (appId, field, value) => firstRow(await userBy[field](db, appId, value)),

    listUsers(appId, filter, page) {
      let q = db.selectFrom('users').selectAll().where('app_id', '=', appId);
      if (filter.email !== undefined) q = q.where('email', '=', filter.email);
      if (filter.phone !== undefined) q = q.where('phone', '=', filter.phone);
      if (filter.external_id !== undefined) q = q.where('external_id', '=', filter.external_id);
      return paginate(q, 'id', page).execute();
    },

    userIdentifiersPage(afterId, limit) {
      let q = db.selectFrom('users').select(['id', 'app_id', 'email', 'phone']);
      if (afterId !== null) q = q.where('id', '>', afterId);
      return q.orderBy('id').limit(limit).execute();
    },

    async rewriteIdentifier(appId, id, kind, value, now) {
      try {
        await db
          .updateTable('users')
          .set({ [kind]: value, updated_at: now })
          .where('app_id', '=', appId)
          .where('id', '=', id)
          .execute();
      } catch (error) {
        throw mapUniqueViolation(error);
      }
    },

    async phoneRegionOf(appId) {
      const row = await db.selectFrom('apps').select('settings').where('id', '=', appId).executeTakeFirst();
      if (!row) return null;
      const region = (JSON.parse(row.settings) as { default_phone_region?: unknown }).default_phone_region;
      return typeof region === 'string' ? region : null;
    },

    async updateUser(appId, id, patch, events) {
      try {
        return await db.transaction().execute(async (trx) => {
          const row = await trx
            .updateTable('users')
            .set(patch)
            .where('app_id', '=', appId)
            .where('id', '=', id)
            .returningAll()
            .executeTakeFirst();
          if (row) await insertEvents(trx, events);
          return row;
        });
      } catch (error) {
        throw mapUniqueViolation(error);
      }
    },

    async deleteUser(appId, id, now, events, linkEvent, sessionEvent) {
      return db
        .transaction()
        .execute(async (trx) => {
          // Links and sessions first, the user row last: redemption locks the link and then the user, and taking
          // the rows in the same order means the two can never deadlock each other on PostgreSQL.
          const links = await trx
            .updateTable('magic_links')
            .set({ status: 'revoked', revoked_at: now })
            .where('app_id', '=', appId)
            .where('user_id', '=', id)
            .where('status', 'in', OUTSTANDING)
            .returningAll()
            .execute();
          const sessions = await trx
            .updateTable('sessions')
            .set({ revoked_at: now })
            .where('app_id', '=', appId)
            .where('user_id', '=', id)
            .where('revoked_at', 'is', null)
            .returningAll()
            .execute();
          const deleted = await trx
            .deleteFrom('users')
            .where('app_id', '=', appId)
            .where('id', '=', id)
            .executeTakeFirst();
          if (Number(deleted.numDeletedRows) === 0) {
            // Nothing to delete: undo the revocations above (an unknown id has none, so this is only a guard).
            throw new UnknownUser();
          }
          await insertEvents(trx, [...events, ...links.map(linkEvent), ...sessions.map(sessionEvent)]);
          return true;
        })
        .catch((error: unknown) => {
          if (error instanceof UnknownUser) return false;
          throw error;
        });
    },
  };
}
