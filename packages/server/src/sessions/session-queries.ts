import { PostgresAdapter, sql } from 'kysely';
import { compiledQuery, firstRow } from '../storage/compiled-query.js';
import type { Db, RootDb } from '../storage/database.js';
import { insertRows } from '../storage/insert-rows.js';
import { eventWrites, type Guard, guardedInsert, insertEvents, paginate } from '../storage/query-helpers.js';
import type { ExchangeCodeRow, SessionRow, UserRow } from '../storage/rows.js';
import type { ExchangeResult, RefreshResult, SessionStore } from './session-store.js';

/** Exchange codes and refresh tokens are kept a while past expiry, so a late caller is told "expired", not "unknown". */
const GRACE_MS = 60 * 60 * 1000;

// The exchange of an lk_code, compiled once (compiled-query.ts).
const consumeCode = compiledQuery((db: Db, codeHash: string, now: number) =>
  db
    .updateTable('exchange_codes')
    .set({ used_at: now })
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returningAll(),
);
const liveSessionById = compiledQuery((db: Db, id: string) =>
  db.selectFrom('sessions').selectAll().where('id', '=', id).where('revoked_at', 'is', null),
);
const anyUserById = compiledQuery((db: Db, id: string) =>
  db.selectFrom('users').selectAll().where('id', '=', id),
);

/**
 * The code, its live session and its user, read together on PostgreSQL: the statement before the one that spends
 * the code. Rows come back as JSON (every stored number is an epoch-ms time or a small integer, exact in JSON).
 */
async function readCodeAtOnce(db: RootDb, codeHash: string, now: number) {
  const { rows } = await sql<{ code: ExchangeCodeRow; session: SessionRow; user: UserRow }>`
    select to_jsonb(c) as code, to_jsonb(s) as session, to_jsonb(u) as "user"
    from exchange_codes c
    join sessions s on s.id = c.session_id and s.revoked_at is null
    join users u on u.id = c.user_id
    where c.code_hash = ${codeHash} and c.used_at is null and c.expires_at > ${now}`.execute(db);
  return rows[0];
}

/**
 * PostgreSQL: two statements instead of six. The first reads the code, its session and its user; the second spends
 * the code with the guarded UPDATE and writes the refresh token and the events only if that UPDATE won, in one
 * atomic statement (guardedInsert). Of concurrent exchanges of one code exactly one wins, as before; `plan` runs
 * before anything is written, so a throw still leaves the code unspent.
 */
async function exchangeAtOnce(
  db: RootDb,
  codeHash: string,
  now: number,
  plan: Parameters<SessionStore['consumeExchangeCode']>[2],
): Promise<ExchangeResult> {
  const found = await readCodeAtOnce(db, codeHash, now);
  if (!found) return { ok: false };
  const code = { ...found.code, used_at: now };
  const writes = plan(code, found.session);
  const won = await guardedInsert<ExchangeCodeRow>(
    db,
    { key: 'exchange', args: [codeHash, now], build: spendCode },
    [{ table: 'refresh_tokens', rows: [writes.refreshToken] }, ...(await eventWrites(db, writes.events))],
  );
  if (won.length === 0) return { ok: false };
  return { ok: true, code: won[0]!, session: found.session, user: found.user };
}

/** The guard of a code exchange on PostgreSQL; its arguments: code hash, now. */
const spendCode: Guard['build'] = (root, [codeHash, now]) => ({
  guard: root
    .updateTable('exchange_codes')
    .set({ used_at: now as number })
    .where('code_hash', '=', codeHash as string)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now as number)
    .returningAll(),
});

export function sessionQueries(db: RootDb): SessionStore {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  return {
    async consumeExchangeCode(codeHash, now, plan): Promise<ExchangeResult> {
      if (postgres) return exchangeAtOnce(db, codeHash, now, plan);
      return db.transaction().execute(async (trx) => {
        const code = firstRow(await consumeCode(trx, codeHash, now));
        if (!code) return { ok: false };
        const session = firstRow(await liveSessionById(trx, code.session_id));
        const user = firstRow(await anyUserById(trx, code.user_id));
        if (!session || !user) return { ok: false };
        const writes = plan(code, session);
        await insertRows(trx, 'refresh_tokens', [writes.refreshToken]);
        await insertEvents(trx, writes.events);
        return { ok: true, code, session, user };
      });
    },

    async rotateRefreshToken(tokenHash, now, plan, onReuse): Promise<RefreshResult> {
      return db.transaction().execute(async (trx) => {
        const known = await trx
          .selectFrom('refresh_tokens')
          .selectAll()
          .where('token_hash', '=', tokenHash)
          .executeTakeFirst();
        if (!known || known.expires_at <= now) return { ok: false, reason: 'invalid' };
        const live = await trx
          .selectFrom('sessions')
          .selectAll()
          .where('id', '=', known.session_id)
          .where('revoked_at', 'is', null)
          .where('expires_at', '>', now)
          .executeTakeFirst();
        // A token of an ended session is simply invalid, and presenting it changes nothing.
        if (!live) return { ok: false, reason: 'invalid' };
        const spent =
          known.used_at === null
            ? await trx
                .updateTable('refresh_tokens')
                .set({ used_at: now })
                .where('token_hash', '=', tokenHash)
                .where('used_at', 'is', null)
                .returningAll()
                .executeTakeFirst()
            : undefined;
        if (!spent) {
          // A spent token came back (or lost a race with itself): either the client replayed it or it was
          // stolen. Ending the session is the safe answer either way (RFC 9700, section 4.14.2).
          const revoked = await trx
            .updateTable('sessions')
            .set({ revoked_at: now })
            .where('id', '=', known.session_id)
            .where('revoked_at', 'is', null)
            .returningAll()
            .executeTakeFirst();
          if (revoked) await insertEvents(trx, [onReuse(revoked)]);
          return { ok: false, reason: 'reused' };
        }
        const user = await trx
          .selectFrom('users')
          .selectAll()
          .where('id', '=', live.user_id)
          .executeTakeFirst();
        if (!user) throw new Error(`Session ${live.id} has no user.`);
        const writes = plan(live);
        await trx.insertInto('refresh_tokens').values(writes.refreshToken).execute();
        const updated = await trx
          .updateTable('sessions')
          .set({ last_refreshed_at: now })
          .where('id', '=', live.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await insertEvents(trx, writes.events);
        return { ok: true, session: updated, user };
      });
    },

    getSession: (appId, id) =>
      db
        .selectFrom('sessions')
        .selectAll()
        .where('app_id', '=', appId)
        .where('id', '=', id)
        .executeTakeFirst(),

    listSessions(appId, filter, page) {
      let q = db.selectFrom('sessions').selectAll().where('app_id', '=', appId);
      if (filter.user_id !== undefined) q = q.where('user_id', '=', filter.user_id);
      if (filter.active_at !== undefined) {
        q = q.where('revoked_at', 'is', null).where('expires_at', '>', filter.active_at);
      }
      return paginate(q, 'id', page).execute();
    },

    async revokeSession(appId, id, now, event) {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .updateTable('sessions')
          .set({ revoked_at: now })
          .where('app_id', '=', appId)
          .where('id', '=', id)
          .where('revoked_at', 'is', null)
          .returningAll()
          .executeTakeFirst();
        if (row) {
          await insertEvents(trx, [event]);
          return row;
        }
        return trx
          .selectFrom('sessions')
          .selectAll()
          .where('app_id', '=', appId)
          .where('id', '=', id)
          .executeTakeFirst();
      });
    },

    listSessionKeys: () => db.selectFrom('session_keys').selectAll().orderBy('created_at', 'desc').execute(),

    async insertSessionKey(key) {
      await db.insertInto('session_keys').values(key).execute();
    },

    retireSessionKeys: (keepKid, now, events) =>
      db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('session_keys')
          .set({ retired_at: now })
          .where('kid', '!=', keepKid)
          .where('retired_at', 'is', null)
          .executeTakeFirst();
        await insertEvents(trx, events);
        return Number(result.numUpdatedRows);
      }),

    async purgeSessionSecrets(now) {
      const codes = await db
        .deleteFrom('exchange_codes')
        .where('expires_at', '<', now - GRACE_MS)
        .executeTakeFirst();
      const refresh = await db
        .deleteFrom('refresh_tokens')
        .where('expires_at', '<', now - GRACE_MS)
        .executeTakeFirst();
      return { exchangeCodes: Number(codes.numDeletedRows), refreshTokens: Number(refresh.numDeletedRows) };
    },
  };
}
