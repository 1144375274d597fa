import type { RootDb } from '../storage/database.js';
import { insertEvents, paginate } from '../storage/query-helpers.js';
import { UniqueViolation } from '../storage/unique-violation.js';
import type { OperatorStore } from './operator-store.js';

export function operatorQueries(db: RootDb): OperatorStore {
  return {
    async insertOperator(operator, user, events) {
      try {
        await db.transaction().execute(async (trx) => {
          await trx.insertInto('users').values(user).execute();
          await trx.insertInto('operators').values(operator).execute();
          await insertEvents(trx, events);
        });
      } catch (error) {
        throw emailTaken(error);
      }
    },

    getOperator: (id) => db.selectFrom('operators').selectAll().where('id', '=', id).executeTakeFirst(),

    findOperatorByEmail: (email) =>
      db.selectFrom('operators').selectAll().where('email', '=', email).executeTakeFirst(),

    findOperatorByUser: (userId) =>
      db.selectFrom('operators').selectAll().where('user_id', '=', userId).executeTakeFirst(),

    listOperators: () => db.selectFrom('operators').selectAll().orderBy('id').execute(),

    async countOperators() {
      const row = await db
        .selectFrom('operators')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    setOperatorRole: (id, role, now, events) =>
      db.transaction().execute(async (trx) => {
        const row = await trx
          .updateTable('operators')
          .set({ role, updated_at: now })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        if (row) await insertEvents(trx, events);
        return row;
      }),

    async setOperatorEmail(id, email, now, events) {
      try {
        return await db.transaction().execute(async (trx) => {
          const row = await trx
            .updateTable('operators')
            .set({ email, updated_at: now })
            .where('id', '=', id)
            .returningAll()
            .executeTakeFirst();
          if (!row) return undefined;
          await trx
            .updateTable('users')
            .set({ email, email_verified: 0, updated_at: now })
            .where('id', '=', row.user_id)
            .execute();
          await insertEvents(trx, events);
          return row;
        });
      } catch (error) {
        throw emailTaken(error);
      }
    },

    deleteOperator: (id, now, events) =>
      db.transaction().execute(async (trx) => {
        const row = await trx.deleteFrom('operators').where('id', '=', id).returningAll().executeTakeFirst();
        if (!row) return false;
        await trx
          .updateTable('operator_sessions')
          .set({ revoked_at: now })
          .where('operator_id', '=', id)
          .where('revoked_at', 'is', null)
          .execute();
        await trx
          .updateTable('sessions')
          .set({ revoked_at: now })
          .where('user_id', '=', row.user_id)
          .execute();
        await trx.deleteFrom('users').where('id', '=', row.user_id).execute();
        await insertEvents(trx, events);
        return true;
      }),

    async markOperatorSignedIn(id, now) {
      await db.updateTable('operators').set({ last_sign_in_at: now }).where('id', '=', id).execute();
    },

    async insertOperatorSession(row, events) {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('operator_sessions').values(row).execute();
        await insertEvents(trx, events);
      });
    },

    findOperatorSession: (secretHash) =>
      db.selectFrom('operator_sessions').selectAll().where('secret_hash', '=', secretHash).executeTakeFirst(),

    async touchOperatorSession(id, now) {
      await db.updateTable('operator_sessions').set({ last_seen_at: now }).where('id', '=', id).execute();
    },

    async markOperatorReauthenticated(id, now) {
      await db
        .updateTable('operator_sessions')
        .set({ reauth_at: now, last_seen_at: now })
        .where('id', '=', id)
        .execute();
    },

    async revokeOperatorSession(id, now) {
      await db
        .updateTable('operator_sessions')
        .set({ revoked_at: now })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
    },

    async insertOperatorToken(row) {
      await db.insertInto('operator_tokens').values(row).execute();
    },

    consumeOperatorToken: (tokenHash, now) =>
      // One guarded UPDATE decides: of any number of concurrent uses, one sees the row come back.
      db
        .updateTable('operator_tokens')
        .set({ used_at: now })
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .returningAll()
        .executeTakeFirst(),

    listAuditEvents(filter, page) {
      let q = db
        .selectFrom('events')
        .selectAll()
        .where((eb) => eb.or([eb('type', '=', 'dashboard.change'), eb('type', 'like', 'operator.%')]));
      if (filter.operatorId !== undefined) q = q.where('subject_id', '=', filter.operatorId);
      if (filter.appId !== undefined) q = q.where('app_id', '=', filter.appId);
      return paginate(q, 'id', page).execute();
    },

    findOperatorToken: (tokenHash) =>
      db.selectFrom('operator_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst(),
  };
}

/**
 * A unique violation while writing an operator can only be its email: the operators' own unique email, or the
 * internal app's users' one. Either way it is the same conflict.
 */
function emailTaken(error: unknown): unknown {
  const code = (error as { code?: string } | undefined)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' ? new UniqueViolation('email') : error;
}
