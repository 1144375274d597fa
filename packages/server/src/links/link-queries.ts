import { PostgresAdapter, sql } from 'kysely';
import { newId } from '../crypto/tokens.js';
import { compiledQuery, firstRow } from '../storage/compiled-query.js';
import type { Db, RootDb } from '../storage/database.js';
import { insertRows } from '../storage/insert-rows.js';
import {
  eventWrites,
  type Guard,
  guardedInsert,
  insertAtOnce,
  insertEvents,
  paginate,
} from '../storage/query-helpers.js';
import type { EventRow, MagicLinkRow, UserRow } from '../storage/rows.js';
import { type LinkStatus, OUTSTANDING } from '../storage/schema.js';
import { mapUniqueViolation } from '../storage/unique-violation.js';
import { userById } from '../users/user-queries.js';
import type { LinkAndUser, LinkStore, RedeemResult } from './link-store.js';

/** Rows per multi-row INSERT: 200 links of 24 columns are 4,800 parameters (SQLite allows 32,766). */
const INSERT_CHUNK = 200;
/**
 * Events per INSERT in a batch. Each event queues a message of 15 columns per subscribed webhook endpoint in one
 * statement: 50 events leave room for 40 endpoints.
 */
const EVENT_CHUNK = 50;

// The queries of the hosted page and of redemption, compiled once (compiled-query.ts).
const linkByTokenHash = compiledQuery((db: Db, tokenHash: string) =>
  db.selectFrom('magic_links').selectAll().where('token_hash', '=', tokenHash),
);

const markOpened = compiledQuery((db: Db, linkId: string, now: number) =>
  db
    .updateTable('magic_links')
    // Opening moves the status forward from created/sent/delivered, never back from a later state.
    .set((eb) => ({
      opened_at: now,
      status: eb
        .case()
        .when('status', 'in', ['created', 'sent', 'delivered'])
        .then('opened' as LinkStatus)
        .else(eb.ref('status'))
        .end(),
    }))
    .where('id', '=', linkId)
    .where('opened_at', 'is', null),
);

/**
 * The guarded UPDATE that is the whole of the one-time promise: of any number of concurrent callers, in one process
 * or many, exactly one sees a row come back.
 */
const consumeLink = compiledQuery((db: Db, tokenHash: string, now: number, sessionId: string) =>
  db
    .updateTable('magic_links')
    .set({ status: 'redeemed', redeemed_at: now, session_id: sessionId })
    .where('token_hash', '=', tokenHash)
    .where('status', 'in', OUTSTANDING)
    .where('expires_at', '>', now)
    .returningAll(),
);

/** The user's sign-in time, and the identifier the link went to marked verified (one query per shape). */
const signInUser = {
  none: compiledQuery((db: Db, id: string, now: number) =>
    db.updateTable('users').set({ last_login_at: now, updated_at: now }).where('id', '=', id).returningAll(),
  ),
  email: compiledQuery((db: Db, id: string, now: number) =>
    db
      .updateTable('users')
      .set({ email_verified: 1, last_login_at: now, updated_at: now })
      .where('id', '=', id)
      .returningAll(),
  ),
  phone: compiledQuery((db: Db, id: string, now: number) =>
    db
      .updateTable('users')
      .set({ phone_verified: 1, last_login_at: now, updated_at: now })
      .where('id', '=', id)
      .returningAll(),
  ),
};

const SIGN_IN_SETS = {
  none: {},
  email: { email_verified: 1 },
  phone: { phone_verified: 1 },
} as const;

/**
 * PostgreSQL: two statements instead of eight. The first reads the link and its user together; the second is the
 * guarded UPDATE that spends the link, with the session, code, token, visit, events and the user's sign-in written
 * in CTEs of the same statement only if that UPDATE changed a row (guardedInsert). Exactly one of any number of
 * concurrent redeemers wins, as before: the UPDATEs serialise on the row, and the losers write nothing.
 */
async function redeemAtOnce(
  db: RootDb,
  tokenHash: string,
  now: number,
  sessionId: string,
  plan: Parameters<LinkStore['redeemLink']>[3],
  read: LinkAndUser | undefined,
): Promise<RedeemResult> {
  const found = read ?? (await linkAndUserAtOnce(db, tokenHash));
  if (!found) return { ok: false, link: undefined };
  const { link, user } = found;
  if (!(OUTSTANDING as readonly string[]).includes(link.status) || link.expires_at <= now) {
    return { ok: false, link };
  }
  // As in the transaction: a link of no user is never spent without opening a session.
  if (!user) throw new Error('redeemLink: the link belongs to no user');
  const consumed: MagicLinkRow = { ...link, status: 'redeemed', redeemed_at: now, session_id: sessionId };
  const writes = plan(consumed, user);
  if (writes.session.id !== sessionId) throw new Error('redeemLink: the planned session must have sessionId');
  const verified = writes.verified ?? 'none';
  const won = await guardedInsert<MagicLinkRow>(
    db,
    { key: `redeem:${verified}`, args: [tokenHash, now, sessionId, user.id], build: SPEND_LINK[verified] },
    [
      { table: 'sessions', rows: [writes.session] },
      { table: 'exchange_codes', rows: writes.exchangeCode ? [writes.exchangeCode] : [] },
      { table: 'refresh_tokens', rows: writes.refreshToken ? [writes.refreshToken] : [] },
      { table: 'link_visits', rows: writes.visit ? [writes.visit] : [] },
      ...(await eventWrites(db, writes.events)),
    ],
  );
  if (won.length === 0) {
    const current = await db
      .selectFrom('magic_links')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return { ok: false, link: current };
  }
  return {
    ok: true,
    link: won[0]!,
    user: { ...user, ...SIGN_IN_SETS[verified], last_login_at: now, updated_at: now },
  };
}

/**
 * The guard of a redemption on PostgreSQL, per identifier it verifies: the guarded UPDATE that spends the link, and
 * the user's sign-in written only if it won. Its arguments: token hash, now, session id, user id.
 */
const SPEND_LINK = Object.fromEntries(
  (['none', 'email', 'phone'] as const).map((verified) => [
    verified,
    ((root, [tokenHash, now, sessionId, userId], won) => ({
      guard: root
        .updateTable('magic_links')
        .set({ status: 'redeemed', redeemed_at: now as number, session_id: sessionId as string })
        .where('token_hash', '=', tokenHash as string)
        .where('status', 'in', OUTSTANDING)
        .where('expires_at', '>', now as number)
        .returningAll(),
      also: [
        root
          .updateTable('users')
          .set({ ...SIGN_IN_SETS[verified], last_login_at: now as number, updated_at: now as number })
          .where('id', '=', userId as string)
          .where(won),
      ],
    })) satisfies Guard['build'],
  ]),
) as Record<keyof typeof SIGN_IN_SETS, Guard['build']>;

/** PostgreSQL: a link and its user in one statement (each row as JSON, whose numbers come back as numbers). */
async function linkAndUserAtOnce(db: RootDb, tokenHash: string): Promise<LinkAndUser | undefined> {
  const { rows } = await sql<{ link: MagicLinkRow; user: UserRow | null }>`
    select to_jsonb(l) as link, to_jsonb(u) as "user"
    from magic_links l left join users u on u.id = l.user_id and u.app_id = l.app_id
    where l.token_hash = ${tokenHash}`.execute(db);
  const found = rows[0];
  return found ? { link: found.link, user: found.user ?? undefined } : undefined;
}

export function linkQueries(db: RootDb): LinkStore {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  return {
    async createLink(link, newUser, events, message) {
      try {
        // One statement on PostgreSQL (insertAtOnce): the link is stored with its user, message and events or not
        // at all, as the transaction did, in one round trip.
        // The link first: a statement is described by its first write (query-observer.ts), and the user's row may
        // come after it, since PostgreSQL checks the link's reference to it at the end of the statement.
        await insertAtOnce(db, [
          { table: 'magic_links', rows: [link] },
          { table: 'users', rows: newUser ? [newUser] : [] },
          { table: 'outbox', rows: message ? [message] : [] },
          ...(await eventWrites(db, events)),
        ]);
      } catch (error) {
        throw mapUniqueViolation(error);
      }
    },

    async createLinks(items) {
      // Multi-row inserts in one transaction: one commit for the batch instead of one per link. Chunks keep every
      // statement well under the bound-parameter limits of both dialects.
      const chunked = async <T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>, size = INSERT_CHUNK) => {
        for (let start = 0; start < rows.length; start += size) {
          await insert(rows.slice(start, start + size));
        }
      };
      try {
        await db.transaction().execute(async (trx) => {
          const users = items.flatMap((i) => (i.newUser ? [i.newUser] : []));
          const messages = items.flatMap((i) => (i.message ? [i.message] : []));
          await chunked(users, (chunk) => trx.insertInto('users').values(chunk).execute());
          await chunked(
            items.map((i) => i.link),
            (chunk) => trx.insertInto('magic_links').values(chunk).execute(),
          );
          await chunked(messages, (chunk) => trx.insertInto('outbox').values(chunk).execute());
          // Through insertEvents, as every other write of events, so subscribed webhook endpoints get their
          // deliveries queued in this transaction. Smaller chunks: each event may queue one message per endpoint.
          await chunked(
            items.flatMap((i) => i.events),
            (chunk) => insertEvents(trx, chunk),
            EVENT_CHUNK,
          );
        });
      } catch (error) {
        throw mapUniqueViolation(error);
      }
    },

    getLink: (appId, id) =>
      db
        .selectFrom('magic_links')
        .selectAll()
        .where('app_id', '=', appId)
        .where('id', '=', id)
        .executeTakeFirst(),

    findLinkByTokenHash: async (tokenHash) => firstRow(await linkByTokenHash(db, tokenHash)),

    async findLinkAndUserByTokenHash(tokenHash) {
      if (postgres) return linkAndUserAtOnce(db, tokenHash);
      const link = firstRow(await linkByTokenHash(db, tokenHash));
      return link && { link, user: undefined };
    },

    listLinks(appId, filter, page, now) {
      let q = db.selectFrom('magic_links').selectAll().where('app_id', '=', appId);
      if (filter.user_id !== undefined) q = q.where('user_id', '=', filter.user_id);
      if (filter.type !== undefined) q = q.where('type', '=', filter.type);
      if (filter.campaign_id !== undefined) q = q.where('campaign_id', '=', filter.campaign_id);
      if (filter.created_from !== undefined) q = q.where('created_at', '>=', filter.created_from);
      if (filter.created_to !== undefined) q = q.where('created_at', '<', filter.created_to);
      // A link never sent has no channel of its own: the kind of address it is for stands in for one.
      if (filter.channel !== undefined)
        q = q.where((eb) => eb(eb.fn.coalesce('channel', 'identifier_kind'), '=', filter.channel!));
      if (filter.language !== undefined) q = q.where('language', '=', filter.language);
      if (filter.identifier !== undefined) {
        // A part of the address or number: LIKE with its wildcards escaped, so `_` and `%` match only themselves.
        // Identifiers are stored normalised (addresses in lower case), and the search is lowered to match.
        const pattern = `%${filter.identifier.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        q = q.where(sql<boolean>`${sql.ref('identifier')} like ${pattern} escape '\\'`);
      }
      if (filter.status === 'expired') {
        q = q.where('status', 'in', OUTSTANDING).where('expires_at', '<=', now);
      } else if (filter.status === 'redeemed' || filter.status === 'revoked') {
        q = q.where('status', '=', filter.status);
      } else if (filter.status !== undefined) {
        q = q.where('status', '=', filter.status).where('expires_at', '>', now);
      }
      return paginate(q, 'id', page).execute();
    },

    async markLinkOpened(linkId, now, event, visit) {
      return db.transaction().execute(async (trx) => {
        if (visit) await insertRows(trx, 'link_visits', [visit]);
        const result = await markOpened(trx, linkId, now);
        if (Number(result.numAffectedRows ?? 0) === 0) return false;
        await insertEvents(trx, [event]);
        return true;
      });
    },

    recordLinkVisit: (visit) => insertRows(db, 'link_visits', [visit]),

    listLinkVisits: (appId, linkId, limit) =>
      db
        .selectFrom('link_visits')
        .selectAll()
        .where('link_id', '=', linkId)
        .where('app_id', '=', appId)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute(),

    async purgeLinkVisits(before) {
      // Ids are time-ordered, so "recorded before" is a range of the primary key: the smallest id of that moment.
      const firstKept = newId('vis', before, (size) => Buffer.alloc(size));
      const result = await db.deleteFrom('link_visits').where('id', '<', firstKept).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async revokeLink(appId, id, now, event) {
      return db.transaction().execute(async (trx) => {
        const revoked = await trx
          .updateTable('magic_links')
          .set({ status: 'revoked', revoked_at: now })
          .where('app_id', '=', appId)
          .where('id', '=', id)
          .where('status', 'in', OUTSTANDING)
          .returningAll()
          .executeTakeFirst();
        if (revoked) {
          await insertEvents(trx, [event(revoked)]);
          return { revoked: true, link: revoked };
        }
        const current = await trx
          .selectFrom('magic_links')
          .selectAll()
          .where('app_id', '=', appId)
          .where('id', '=', id)
          .executeTakeFirst();
        return current ? { revoked: false, link: current } : undefined;
      });
    },

    async revokeUserLinks(appId, userId, now, event) {
      return db.transaction().execute(async (trx) => {
        const rows = await trx
          .updateTable('magic_links')
          .set({ status: 'revoked', revoked_at: now })
          .where('app_id', '=', appId)
          .where('user_id', '=', userId)
          .where('status', 'in', OUTSTANDING)
          .where('expires_at', '>', now)
          .returningAll()
          .execute();
        await insertEvents(trx, rows.map(event));
        return rows.length;
      });
    },

    async redeemLink(tokenHash, now, sessionId, plan, read): Promise<RedeemResult> {
      // SQLite reads inside its transaction, where a read is no round trip.
      if (postgres) return redeemAtOnce(db, tokenHash, now, sessionId, plan, read);
      return db.transaction().execute(async (trx) => {
        // The guarded UPDATE decides; everything else happens after it, in its transaction.
        const link = firstRow(await consumeLink(trx, tokenHash, now, sessionId));
        if (!link) {
          const current = await trx
            .selectFrom('magic_links')
            .selectAll()
            .where('token_hash', '=', tokenHash)
            .executeTakeFirst();
          return { ok: false, link: current };
        }
        const user = firstRow(await userById(trx, link.app_id, link.user_id));
        // Users are deleted together with their links' revocation, so this cannot happen; if it ever does, roll
        // back rather than spend a link without opening a session.
        if (!user) throw new Error('redeemLink: the link belongs to no user');
        const writes = plan(link, user);
        if (writes.session.id !== sessionId)
          throw new Error('redeemLink: the planned session must have sessionId');
        await insertRows(trx, 'sessions', [writes.session]);
        if (writes.exchangeCode) await insertRows(trx, 'exchange_codes', [writes.exchangeCode]);
        if (writes.refreshToken) await insertRows(trx, 'refresh_tokens', [writes.refreshToken]);
        if (writes.visit) await insertRows(trx, 'link_visits', [writes.visit]);
        const updatedUser = firstRow(await signInUser[writes.verified ?? 'none'](trx, user.id, now));
        if (!updatedUser) throw new Error('redeemLink: the user row vanished inside the transaction');
        await insertEvents(trx, writes.events);
        return { ok: true, link, user: updatedUser };
      });
    },

    listOutboxForLink: (appId, linkId) =>
      db
        .selectFrom('outbox')
        .selectAll()
        .where('app_id', '=', appId)
        .where('link_id', '=', linkId)
        .orderBy('id')
        .execute(),

    listLinkAttempts: (appId, linkId) =>
      db
        .selectFrom('outbox_attempts')
        .selectAll()
        .where('app_id', '=', appId)
        .where('message_id', 'in', (eb) =>
          eb.selectFrom('outbox').select('id').where('app_id', '=', appId).where('link_id', '=', linkId),
        )
        .orderBy('message_id')
        .orderBy('attempt')
        .orderBy('id')
        .execute(),

    listLinkWebhookAttempts: (appId, linkId, limit) =>
      db
        .selectFrom('webhook_attempts as a')
        .innerJoin('events as e', 'e.id', 'a.event_id')
        .select([
          'a.id',
          'a.event_id',
          'e.type as event_type',
          'a.endpoint_id',
          'a.attempt',
          'a.ok',
          'a.status_code',
          'a.error',
          'a.created_at',
        ])
        .where('e.app_id', '=', appId)
        .where('e.subject_id', '=', linkId)
        .where('a.app_id', '=', appId)
        .orderBy('a.id', 'desc')
        .limit(limit)
        .execute(),

    sweepExpiredLinks(now, limit, event) {
      return db.transaction().execute(async (trx) => {
        const due = await trx
          .selectFrom('magic_links')
          .select('id')
          .where('expiry_swept_at', 'is', null)
          .where('expires_at', '<=', now)
          .orderBy('expires_at')
          .limit(limit)
          .execute();
        if (due.length === 0) return 0;
        // Re-checked in the update: on PostgreSQL a concurrent sweeper that marked a row first wins it.
        const marked = await trx
          .updateTable('magic_links')
          .set({ expiry_swept_at: now })
          .where(
            'id',
            'in',
            due.map((r) => r.id),
          )
          .where('expiry_swept_at', 'is', null)
          .returningAll()
          .execute();
        const unused: LinkStatus[] = ['redeemed', 'revoked'];
        const events: EventRow[] = marked.filter((link) => !unused.includes(link.status)).map(event);
        await insertEvents(trx, events);
        return marked.length;
      });
    },
  };
}
