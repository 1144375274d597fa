import type { RootDb } from '../storage/database.js';
import { insertEvents } from '../storage/query-helpers.js';
import type { UserRow } from '../storage/rows.js';
import type { LoginCompletionResult, LoginFlowStore } from './login-flow-store.js';

/** Ended flows are kept a day past their expiry, so a late click is told "expired" or "used", not "unknown". */
const RETENTION_MS = 24 * 60 * 60 * 1000;

class NoUser extends Error {}

export function loginFlowQueries(db: RootDb): LoginFlowStore {
  return {
    async insertLoginFlow(flow, message, events) {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('login_flows').values(flow).execute();
        if (message) await trx.insertInto('outbox').values(message).execute();
        await insertEvents(trx, events);
      });
    },

    findLoginFlowByLinkHash: (linkHash) =>
      db.selectFrom('login_flows').selectAll().where('link_hash', '=', linkHash).executeTakeFirst(),

    latestLoginFlowForBrowser: (appId, browserHash) =>
      db
        .selectFrom('login_flows')
        .selectAll()
        .where('browser_hash', '=', browserHash)
        .where('app_id', '=', appId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst(),

    latestOpenLoginFlow: (appId, identifier, now) =>
      db
        .selectFrom('login_flows')
        .selectAll()
        .where('app_id', '=', appId)
        .where('identifier', '=', identifier)
        .where('status', 'in', ['pending', 'approved'])
        .where('expires_at', '>', now)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst(),

    async countCodeAttempt(flowId, max, now) {
      // The WHERE clause is the counter's guard: PostgreSQL re-checks it after waiting for a concurrent update of
      // the row, and SQLite runs one writer at a time, so the count never passes `max`.
      const row = await db
        .updateTable('login_flows')
        .set((eb) => ({ code_attempts: eb('code_attempts', '+', 1) }))
        .where('id', '=', flowId)
        .where('code_attempts', '<', max)
        .where('status', 'in', ['pending', 'approved'])
        .where('expires_at', '>', now)
        .returning('code_attempts')
        .executeTakeFirst();
      return row ? Number(row.code_attempts) : null;
    },

    async decideLoginFlow(flowId, decision, now, events) {
      return db.transaction().execute(async (trx) => {
        const flow = await trx
          .updateTable('login_flows')
          .set({ status: decision, decided_at: now, link_used_at: now })
          .where('id', '=', flowId)
          .where('status', '=', 'pending')
          .where('link_used_at', 'is', null)
          .where('expires_at', '>', now)
          .returningAll()
          .executeTakeFirst();
        if (flow) await insertEvents(trx, events);
        return flow;
      });
    },

    async completeLoginFlow(input, plan): Promise<LoginCompletionResult> {
      const { flowId, from, now, newUser } = input;
      return db
        .transaction()
        .execute(async (trx): Promise<LoginCompletionResult> => {
          // As with links, the guarded UPDATE is the one-time promise: one caller gets the row back.
          const flow = await trx
            .updateTable('login_flows')
            .set((eb) => ({
              status: 'completed',
              completed_at: now,
              link_used_at: eb.fn.coalesce('link_used_at', eb.val(now)),
            }))
            .where('id', '=', flowId)
            .where('status', 'in', from)
            .where('expires_at', '>', now)
            .returningAll()
            .executeTakeFirst();
          if (!flow) {
            const current = await trx
              .selectFrom('login_flows')
              .selectAll()
              .where('id', '=', flowId)
              .executeTakeFirst();
            return { ok: false, reason: 'not_open', flow: current };
          }
          const column = flow.identifier_kind === 'email' ? 'email' : 'phone';
          const findUser = () =>
            trx
              .selectFrom('users')
              .selectAll()
              .where('app_id', '=', flow.app_id)
              .where(column, '=', flow.identifier)
              .executeTakeFirst();
          let user: UserRow | undefined = await findUser();
          let created = false;
          if (!user && newUser) {
            // DO NOTHING, then read: a concurrent first sign-in of the same address may have created the user.
            const inserted = await trx
              .insertInto('users')
              .values(newUser)
              .onConflict((oc) => oc.doNothing())
              .executeTakeFirst();
            created = Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
            user = await findUser();
          }
          if (!user) throw new NoUser();
          const writes = plan(flow, user, created);
          await trx.insertInto('sessions').values(writes.session).execute();
          await trx.insertInto('exchange_codes').values(writes.exchangeCode).execute();
          await trx
            .updateTable('login_flows')
            .set({ session_id: writes.session.id })
            .where('id', '=', flow.id)
            .execute();
          const updated = await trx
            .updateTable('users')
            .set({ [`${column}_verified`]: 1, last_login_at: now, updated_at: now })
            .where('id', '=', user.id)
            .returningAll()
            .executeTakeFirstOrThrow();
          await insertEvents(trx, writes.events);
          return { ok: true, flow: { ...flow, session_id: writes.session.id }, user: updated, created };
        })
        .catch((error: unknown): LoginCompletionResult => {
          if (error instanceof NoUser) return { ok: false, reason: 'no_user', flow: undefined };
          throw error;
        });
    },

    async purgeLoginFlows(now) {
      const result = await db
        .deleteFrom('login_flows')
        .where('expires_at', '<', now - RETENTION_MS)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
