import { sql } from 'kysely';
import type { RootDb } from '../../storage/database.js';
import { insertEvents, paginate } from '../../storage/query-helpers.js';
import { type CampaignStatus, OUTSTANDING } from '../../storage/schema.js';
import type { CampaignCounts, CampaignDay, CampaignStore } from './campaign-store.js';

const DAY_MS = 86_400_000;

type Step = Exclude<keyof CampaignDay, 'day'>;

export function campaignQueries(db: RootDb): CampaignStore {
  const ofCampaign = (appId: string, id: string) =>
    db.selectFrom('magic_links').where('app_id', '=', appId).where('campaign_id', '=', id);

  return {
    async createCampaign(row) {
      await db.insertInto('campaigns').values(row).execute();
    },

    getCampaign: (appId, id) =>
      db
        .selectFrom('campaigns')
        .selectAll()
        .where('app_id', '=', appId)
        .where('id', '=', id)
        .executeTakeFirst(),

    listCampaigns(appId, filter, page) {
      let q = db.selectFrom('campaigns').selectAll().where('app_id', '=', appId);
      if (filter.status !== undefined) q = q.where('status', '=', filter.status);
      return paginate(q, 'id', page).execute();
    },

    async recordCampaignProgress(id, created, failed) {
      const row = await db
        .updateTable('campaigns')
        .set({ rows_created: created, rows_failed: failed })
        .where('id', '=', id)
        .returning('status')
        .executeTakeFirst();
      return row?.status;
    },

    async finishCampaign(id, created, failed, now) {
      await db
        .updateTable('campaigns')
        .set((eb) => ({
          rows_created: created,
          rows_failed: failed,
          finished_at: now,
          status: eb
            .case()
            .when('status', '=', 'running')
            .then('done' as CampaignStatus)
            .else(eb.ref('status'))
            .end(),
        }))
        .where('id', '=', id)
        .execute();
    },

    markCampaignRevoked(appId, id, now) {
      return db.transaction().execute(async (trx) => {
        await trx
          .updateTable('campaigns')
          .set({ status: 'revoked', revoked_at: now })
          .where('app_id', '=', appId)
          .where('id', '=', id)
          .where('status', '<>', 'revoked')
          .execute();
        return trx
          .selectFrom('campaigns')
          .selectAll()
          .where('app_id', '=', appId)
          .where('id', '=', id)
          .executeTakeFirst();
      });
    },

    revokeCampaignLinks(appId, id, now, limit, event) {
      return db.transaction().execute(async (trx) => {
        const batch = trx
          .selectFrom('magic_links')
          .select('id')
          .where('app_id', '=', appId)
          .where('campaign_id', '=', id)
          .where('status', 'in', OUTSTANDING)
          .where('expires_at', '>', now)
          .orderBy('id')
          .limit(limit);
        // The outer conditions are checked again on the row itself: on PostgreSQL a link redeemed or revoked by a
        // concurrent request after the inner select is left alone, and gets no second event.
        const revoked = await trx
          .updateTable('magic_links')
          .set({ status: 'revoked', revoked_at: now })
          .where('id', 'in', batch)
          .where('status', 'in', OUTSTANDING)
          .where('expires_at', '>', now)
          .returningAll()
          .execute();
        await insertEvents(trx, revoked.map(event));
        return revoked.length;
      });
    },

    async campaignFigures(appId, id, now) {
      // The same definitions as GET /v1/stats (analytics/analytics-queries.ts), over the campaign's links.
      const totals = await ofCampaign(appId, id)
        .select((eb) => [
          eb.fn.countAll<number | string>().as('created'),
          sql<number | string | null>`sum(case when sent_at is not null then 1 else 0 end)`.as('sent'),
          sql<number | string | null>`sum(case when delivered_at is not null then 1 else 0 end)`.as(
            'delivered',
          ),
          sql<number | string | null>`sum(case when status = 'delivery_failed' then 1 else 0 end)`.as(
            'delivery_failed',
          ),
          sql<number | string | null>`sum(case when opened_at is not null then 1 else 0 end)`.as('opened'),
          sql<number | string | null>`sum(case when redeemed_at is not null then 1 else 0 end)`.as(
            'redeemed',
          ),
          sql<
            number | string | null
          >`sum(case when sent_at is not null and redeemed_at is not null then 1 else 0 end)`.as(
            'sent_redeemed',
          ),
          sql<number | string | null>`sum(case when revoked_at is not null then 1 else 0 end)`.as('revoked'),
          sql<
            number | string | null
          >`sum(case when redeemed_at is null and revoked_at is null and expires_at <= ${now} then 1 else 0 end)`.as(
            'expired',
          ),
          eb.fn.max('expires_at').as('last_expires_at'),
        ])
        .executeTakeFirstOrThrow();
      const { last_expires_at, ...sums } = totals;
      const counts = Object.fromEntries(
        Object.entries(sums).map(([key, value]) => [key, Number(value ?? 0)]),
      ) as unknown as CampaignCounts;

      // Per day, by when each step happened: one pass per step, each grouped on its own time column.
      const perStep = (step: Step, column: 'created_at' | 'sent_at' | 'opened_at' | 'redeemed_at') =>
        sql<{ step: Step; day: number | string; n: number | string }>`
          select ${sql.lit(step)} as step, ${sql.ref(column)} / ${sql.lit(DAY_MS)} as day, count(*) as n
            from magic_links
           where app_id = ${appId} and campaign_id = ${id} and ${sql.ref(column)} is not null
           group by ${sql.ref(column)} / ${sql.lit(DAY_MS)}`;
      const rows = await sql<{ step: Step; day: number | string; n: number | string }>`
        ${perStep('created', 'created_at')} union all ${perStep('sent', 'sent_at')}
        union all ${perStep('opened', 'opened_at')} union all ${perStep('redeemed', 'redeemed_at')}`.execute(
        db,
      );
      const byDay = new Map<number, CampaignDay>();
      for (const row of rows.rows) {
        const day = Number(row.day) * DAY_MS;
        let entry = byDay.get(day);
        if (!entry) {
          entry = { day, created: 0, sent: 0, opened: 0, redeemed: 0 };
          byDay.set(day, entry);
        }
        entry[row.step] += Number(row.n);
      }
      return {
        counts,
        days: [...byDay.values()].sort((a, b) => a.day - b.day),
        last_expires_at: last_expires_at === null ? null : Number(last_expires_at),
      };
    },

    campaignLinks(appId, id, after, limit) {
      let q = ofCampaign(appId, id).selectAll();
      if (after !== undefined) q = q.where('id', '>', after);
      return q.orderBy('id').limit(limit).execute();
    },
  };
}
