import type { RootDb } from '../storage/database.js';
import { insertEvents, paginate } from '../storage/query-helpers.js';
import type { UserRow } from '../storage/rows.js';
import type { SignedLinkStore, SignedTokenResult } from './signed-link-store.js';

class NoUser extends Error {}

export function signedLinkQueries(db: RootDb): SignedLinkStore {
  return {
    async insertSigningKey(key, events) {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('signing_keys').values(key).execute();
        await insertEvents(trx, events);
      });
    },

    getSigningKey: (kid) =>
      db.selectFrom('signing_keys').selectAll().where('kid', '=', kid).executeTakeFirst(),

    listSigningKeys: (appId, page) =>
      paginate(db.selectFrom('signing_keys').selectAll().where('app_id', '=', appId), 'kid', page).execute(),

    async revokeSigningKey(appId, kid, now, events) {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .updateTable('signing_keys')
          .set({ revoked_at: now })
          .where('app_id', '=', appId)
          .where('kid', '=', kid)
          .where('revoked_at', 'is', null)
          .returningAll()
          .executeTakeFirst();
        if (row) await insertEvents(trx, events);
        return row;
      });
    },

    async touchSigningKey(kid, now) {
      await db.updateTable('signing_keys').set({ last_used_at: now }).where('kid', '=', kid).execute();
    },

    async redeemSignedToken(input, now, plan): Promise<SignedTokenResult> {
      return db
        .transaction()
        .execute(async (trx): Promise<SignedTokenResult> => {
          if (input.tokenKey !== null) {
            // The primary key makes this the one-time promise: a second insert of the same token does nothing, on
            // either database and across processes (on PostgreSQL it waits for the first transaction to finish).
            const recorded = await trx
              .insertInto('used_tokens')
              .values({
                app_id: input.appId,
                token_key: input.tokenKey,
                expires_at: input.tokenExpiresAt,
                used_at: now,
              })
              .onConflict((oc) => oc.doNothing())
              .executeTakeFirst();
            if (Number(recorded.numInsertedOrUpdatedRows ?? 0n) === 0) return { ok: false, reason: 'used' };
          }
          const findByExternalId = () =>
            trx
              .selectFrom('users')
              .selectAll()
              .where('app_id', '=', input.appId)
              .where('external_id', '=', input.externalId)
              .executeTakeFirst();
          let user: UserRow | undefined;
          if (input.userId !== undefined) {
            user = await trx
              .selectFrom('users')
              .selectAll()
              .where('app_id', '=', input.appId)
              .where('id', '=', input.userId)
              .executeTakeFirst();
          }
          user ??= await findByExternalId();
          let created = false;
          if (!user && input.newUser) {
            // DO NOTHING instead of failing: a concurrent first sign-in of the same customer may have created it.
            // If the email is taken by another user, the customer is created without it.
            for (const candidate of [input.newUser, { ...input.newUser, email: null }]) {
              const inserted = await trx
                .insertInto('users')
                .values(candidate)
                .onConflict((oc) => oc.doNothing())
                .executeTakeFirst();
              created = Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
              user = await findByExternalId();
              if (user) break;
            }
          }
          // Roll back: a refused sign-in must not spend the token.
          if (!user) throw new NoUser();
          const writes = plan(user, created);
          await trx.insertInto('sessions').values(writes.session).execute();
          await trx.insertInto('exchange_codes').values(writes.exchangeCode).execute();
          const updated = await trx
            .updateTable('users')
            .set({ last_login_at: now, updated_at: now })
            .where('id', '=', user.id)
            .returningAll()
            .executeTakeFirstOrThrow();
          await insertEvents(trx, writes.events);
          return { ok: true, user: updated, created };
        })
        .catch((error: unknown) => {
          if (error instanceof NoUser) return { ok: false, reason: 'no_user' } as const;
          throw error;
        });
    },

    async isTokenUsed(appId, tokenKey) {
      const row = await db
        .selectFrom('used_tokens')
        .select('token_key')
        .where('app_id', '=', appId)
        .where('token_key', '=', tokenKey)
        .executeTakeFirst();
      return row !== undefined;
    },

    async purgeUsedTokens(now) {
      const result = await db.deleteFrom('used_tokens').where('expires_at', '<', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
