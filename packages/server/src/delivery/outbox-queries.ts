import { sql } from 'kysely';
import type { Db, DialectName, RootDb } from '../storage/database.js';
import { insertRows } from '../storage/insert-rows.js';
import { insertEvents, paginate } from '../storage/query-helpers.js';
import type { EventRow, OutboxAttemptRow, OutboxRow } from '../storage/rows.js';
import type { LinkStatus } from '../storage/schema.js';
import type { OutboxOutcome, OutboxStore } from './outbox-store.js';

const OUTBOX_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** Ids per statement when deleting the attempts of purged messages, well under either dialect's parameter limit. */
const PURGE_CHUNK = 500;

/** Every column of a message but its sealed payload: what the outbox API reads. */
const MESSAGE_COLUMNS = [
  'id',
  'app_id',
  'link_id',
  'channel',
  'recipient',
  'status',
  'attempts',
  'next_attempt_at',
  'lease_until',
  'worker',
  'last_error',
  'created_at',
  'updated_at',
  'sent_at',
] as const;

/** The channels whose messages the outbox API shows and retries; webhook messages have their own log and routes. */
const LINK_MESSAGE_CHANNELS = ['email', 'phone'] as const;

export function outboxQueries(db: RootDb, dialect: DialectName): OutboxStore {
  async function markSentMany(outcomes: OutboxOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    // One transaction for a worker's whole batch, and one UPDATE of the messages and one of their links per
    // distinct send time and outcome (sends that finish together share it): recording twenty sends costs little
    // more than one.
    await db.transaction().execute(async (trx) => {
      const events: EventRow[] = [];
      for (const [, group] of groupBy(outcomes, (o) => `${o.now}:${o.delivered === true}`)) {
        const now = group[0]!.now;
        const delivered = group[0]!.delivered === true;
        const rows = await trx
          .updateTable('outbox')
          .set({ status: 'sent', sent_at: now, lease_until: null, last_error: null, updated_at: now })
          .where(
            'id',
            'in',
            group.map((o) => o.id),
          )
          .where('status', '!=', 'sent')
          .returning(['id', 'link_id'])
          .execute();
        // A message already recorded (a second worker took over an expired lease and also sent) writes nothing more.
        const linkIds = rows.flatMap((row) => (row.link_id === null ? [] : [row.link_id]));
        if (linkIds.length > 0) {
          await trx
            .updateTable('magic_links')
            .set((eb) => ({
              sent_at: eb.fn.coalesce('sent_at', eb.val(now)),
              ...(delivered ? { delivered_at: eb.fn.coalesce('delivered_at', eb.val(now)) } : {}),
              // Forward only: an opened or redeemed link keeps its status whatever its messages do later.
              status: eb
                .case()
                .when(
                  'status',
                  'in',
                  delivered ? ['created', 'sent', 'delivery_failed'] : ['created', 'delivery_failed'],
                )
                .then((delivered ? 'delivered' : 'sent') as LinkStatus)
                .else(eb.ref('status'))
                .end(),
            }))
            .where('id', 'in', linkIds)
            .execute();
        }
        const recorded = new Set(rows.map((row) => row.id));
        for (const outcome of group) if (recorded.has(outcome.id)) events.push(...outcome.events);
      }
      await insertEvents(trx, events);
      // Every send is logged, also one whose message a second worker had already recorded: it did go out.
      await insertAttempts(trx, outcomes);
    });
  }

  return {
    async claimOutbox(now, leaseUntil, limit, worker) {
      // One statement: pick due rows (or rows whose lease ran out) and lease them. PostgreSQL workers skip rows
      // another worker is claiming; SQLite has a single writer, so the statement is atomic as it stands.
      const lock = dialect === 'postgres' ? sql`for update skip locked` : sql``;
      const result = await sql<OutboxRow>`
        update outbox
           set status = 'sending', attempts = attempts + 1, lease_until = ${leaseUntil}, worker = ${worker}, updated_at = ${now}
         where id in (
           select id from outbox
            where (status = 'pending' and next_attempt_at <= ${now})
               or (status = 'sending' and lease_until < ${now})
            order by next_attempt_at
            limit ${limit}
            ${lock})
        returning *`.execute(db);
      return result.rows.map(normaliseRow);
    },

    markOutboxSent: (outcome) => markSentMany([outcome]),
    markOutboxSentMany: markSentMany,

    async markOutboxFailed({ id, worker, now, events, error, retryAt, attempt }) {
      await db.transaction().execute(async (trx) => {
        if (attempt) await insertRows(trx, 'outbox_attempts', [attempt]);
        const row = await trx
          .updateTable('outbox')
          .set({
            status: retryAt === null ? 'failed' : 'pending',
            next_attempt_at: retryAt ?? now,
            lease_until: null,
            last_error: error.slice(0, 1000),
            updated_at: now,
          })
          .where('id', '=', id)
          .where('status', '=', 'sending')
          // Only the current lease holder may give a message back: a worker whose lease ran out and was taken
          // over must not undo the new holder's claim.
          .where('worker', '=', worker)
          .returningAll()
          .executeTakeFirst();
        if (!row || retryAt !== null) return;
        if (row.link_id !== null) {
          await trx
            .updateTable('magic_links')
            .set({ status: 'delivery_failed', delivery_failed_at: now })
            .where('id', '=', row.link_id)
            .where('status', 'in', ['created', 'sent'])
            .execute();
        }
        await insertEvents(trx, events);
      });
    },

    async purgeOutbox(now) {
      // Delivered or abandoned messages are kept a week for inspection; their payloads hold expired links by then.
      // Their attempts go with them, found by the ids the delete returns, so a message retried meanwhile keeps its.
      return db.transaction().execute(async (trx) => {
        const purged = await trx
          .deleteFrom('outbox')
          .where('status', 'in', ['sent', 'failed'])
          .where('updated_at', '<', now - OUTBOX_RETENTION_MS)
          .returning('id')
          .execute();
        const ids = purged.map((row) => row.id);
        for (let start = 0; start < ids.length; start += PURGE_CHUNK) {
          await trx
            .deleteFrom('outbox_attempts')
            .where('message_id', 'in', ids.slice(start, start + PURGE_CHUNK))
            .execute();
        }
        return ids.length;
      });
    },

    listOutbox(appId, filter, page) {
      let q = db
        .selectFrom('outbox')
        .select(MESSAGE_COLUMNS)
        .where('app_id', '=', appId)
        .where('channel', 'in', filter.channel === undefined ? LINK_MESSAGE_CHANNELS : [filter.channel]);
      if (filter.status !== undefined) q = q.where('status', '=', filter.status);
      if (filter.link_id !== undefined) q = q.where('link_id', '=', filter.link_id);
      if (filter.created_from !== undefined) q = q.where('created_at', '>=', filter.created_from);
      if (filter.created_to !== undefined) q = q.where('created_at', '<', filter.created_to);
      return paginate(q, 'id', page).execute();
    },

    getOutboxMessage: (appId, id) =>
      db
        .selectFrom('outbox')
        .select(MESSAGE_COLUMNS)
        .where('app_id', '=', appId)
        .where('id', '=', id)
        .where('channel', 'in', LINK_MESSAGE_CHANNELS)
        .executeTakeFirst(),

    async listOutboxAttempts(appId, messageIds) {
      if (messageIds.length === 0) return [];
      return db
        .selectFrom('outbox_attempts')
        .selectAll()
        .where('app_id', '=', appId)
        .where('message_id', 'in', messageIds)
        .orderBy('message_id')
        .orderBy('attempt')
        .orderBy('id')
        .execute();
    },

    async retryOutboxMessage(appId, id, now, plan) {
      return db.transaction().execute(async (trx) => {
        const message = await trx
          .selectFrom('outbox')
          .selectAll()
          .where('app_id', '=', appId)
          .where('id', '=', id)
          .where('channel', 'in', LINK_MESSAGE_CHANNELS)
          .executeTakeFirst();
        if (!message) return undefined;
        const link =
          message.link_id === null
            ? undefined
            : await trx
                .selectFrom('magic_links')
                .selectAll()
                .where('id', '=', message.link_id)
                .executeTakeFirst();
        const events = plan(message, link);
        // Guarded: of two retries at once (or a retry and anything else that moves the message on), one wins.
        const queued = await trx
          .updateTable('outbox')
          .set({
            status: 'pending',
            next_attempt_at: now,
            lease_until: null,
            worker: null,
            updated_at: now,
          })
          .where('id', '=', id)
          .where('status', '=', 'failed')
          .returning(MESSAGE_COLUMNS)
          .executeTakeFirst();
        if (!queued) {
          const { payload: _sealed, ...current } = message;
          return { retried: false, message: current };
        }
        await insertEvents(trx, events);
        return { retried: true, message: queued };
      });
    },
  };
}

/** The attempt log entries of the outcomes that carry one. */
async function insertAttempts(db: Db, outcomes: readonly OutboxOutcome[]): Promise<void> {
  const attempts = outcomes.flatMap((o): OutboxAttemptRow[] => (o.attempt ? [o.attempt] : []));
  await insertRows(db, 'outbox_attempts', attempts);
}

/** Raw SQL bypasses the pool's type parsing on SQLite only in name: numbers come back as numbers on both. */
function normaliseRow(row: OutboxRow): OutboxRow {
  return {
    ...row,
    attempts: Number(row.attempts),
    next_attempt_at: Number(row.next_attempt_at),
    lease_until: row.lease_until === null ? null : Number(row.lease_until),
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
    sent_at: row.sent_at === null ? null : Number(row.sent_at),
  };
}

function groupBy<T, K>(items: T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
