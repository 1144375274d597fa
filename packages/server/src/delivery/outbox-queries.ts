import { sql } from 'kysely';
import type { DialectName, RootDb } from '../storage/database.js';
import { insertEvents } from '../storage/query-helpers.js';
import type { EventRow, OutboxRow } from '../storage/rows.js';
import type { LinkStatus } from '../storage/schema.js';
import type { OutboxOutcome, OutboxStore } from './outbox-store.js';

const OUTBOX_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

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

    async markOutboxFailed({ id, worker, now, events, error, retryAt }) {
      await db.transaction().execute(async (trx) => {
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
      const result = await db
        .deleteFrom('outbox')
        .where('status', 'in', ['sent', 'failed'])
        .where('updated_at', '<', now - OUTBOX_RETENTION_MS)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
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
