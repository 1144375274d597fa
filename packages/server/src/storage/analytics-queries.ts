/**
 * The numbers behind GET /v1/stats, computed in the database: one pass over the app's links in the period (grouped
 * by day, on the `(app_id, created_at)` index), one sort for the time-to-redeem percentiles, and probes of the
 * sessions index for the invited users. Nothing is loaded row by row into the process.
 */
import { sql } from 'kysely';
import type { DialectName } from './database.js';
import type { RootDb } from './query-helpers.js';
import type { AnalyticsStore, DayCounts, LinkStatsQuery } from './store.js';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

export function analyticsQueries(db: RootDb, dialect: DialectName): AnalyticsStore {
  return {
    async linkStats(q: LinkStatsQuery) {
      const typeFilter = q.type === undefined ? sql`` : sql`and type = ${q.type}`;
      const inRange = sql`app_id = ${q.appId} and created_at >= ${q.from} and created_at < ${q.to} ${typeFilter}`;
      const days = await sql<Record<keyof DayCounts | 'day', number | string>>`
        select created_at / ${sql.lit(DAY_MS)} as day,
               count(*) as created,
               sum(case when sent_at is not null then 1 else 0 end) as sent,
               sum(case when sent_at is not null and status <> 'delivery_failed' then 1 else 0 end) as delivered,
               sum(case when status = 'delivery_failed' then 1 else 0 end) as delivery_failed,
               sum(case when opened_at is not null then 1 else 0 end) as opened,
               sum(case when redeemed_at is not null then 1 else 0 end) as redeemed,
               sum(case when sent_at is not null and redeemed_at is not null then 1 else 0 end) as sent_redeemed,
               sum(case when revoked_at is not null then 1 else 0 end) as revoked,
               sum(case when redeemed_at is null and revoked_at is null and expires_at <= ${q.now} then 1 else 0 end)
                 as expired
          from magic_links
         where ${inRange}
         group by created_at / ${sql.lit(DAY_MS)}
         order by 1`.execute(db);

      const sentRedeemed = days.rows.reduce((n, r) => n + Number(r.sent_redeemed), 0);
      // Nearest-rank percentiles of (redeemed_at - sent_at), both read from one sorted pass.
      const rank = (p: number) => Math.max(1, Math.ceil(p * sentRedeemed));
      const percentiles =
        sentRedeemed === 0
          ? []
          : (
              await sql<{ rn: number | string; d: number | string }>`
                select rn, d from (
                  select redeemed_at - sent_at as d,
                         row_number() over (order by redeemed_at - sent_at) as rn
                    from magic_links
                   where ${inRange} and sent_at is not null and redeemed_at is not null) ranked
                 where rn in (${rank(0.5)}, ${rank(0.9)})`.execute(db)
            ).rows;
      const at = (r: number) => {
        const row = percentiles.find((p) => Number(p.rn) === r);
        return row === undefined ? null : Number(row.d);
      };

      // Each invited user counts once, from their first invite in the period.
      const invites = await sql<{
        invited: number | string;
        signed_in: number | string;
        active_7d: number | string;
      }>`
        with inv as (
          select user_id, min(created_at) as at
            from magic_links
           where app_id = ${q.appId} and created_at >= ${q.from} and created_at < ${q.to} and type = 'invite'
           group by user_id)
        select count(*) as invited,
               coalesce(sum(case when exists (
                 select 1 from sessions s
                  where s.app_id = ${q.appId} and s.user_id = inv.user_id and s.created_at >= inv.at)
               then 1 else 0 end), 0) as signed_in,
               coalesce(sum(case when exists (
                 select 1 from sessions s
                  where s.app_id = ${q.appId} and s.user_id = inv.user_id
                    and ((s.created_at >= inv.at and s.created_at < inv.at + ${sql.lit(WEEK_MS)})
                      or (s.last_refreshed_at >= inv.at and s.last_refreshed_at < inv.at + ${sql.lit(WEEK_MS)})))
               then 1 else 0 end), 0) as active_7d
          from inv`.execute(db);

      const reason =
        dialect === 'postgres' ? sql`(data::json ->> 'reason')` : sql`json_extract(data, '$.reason')`;
      const failures = await sql<{ type: string; reason: string | null; n: number | string }>`
        select type, ${reason} as reason, count(*) as n
          from events
         where app_id = ${q.appId}
           and type in ('magic_link.delivery_failed', 'login.code_failed', 'rate_limit.hit')
           and created_at >= ${q.from} and created_at < ${q.to}
         group by type, ${reason}
         order by 3 desc
         limit 50`.execute(db);

      const invite = invites.rows[0];
      return {
        days: days.rows.map((r) => ({
          day: Number(r.day) * DAY_MS,
          created: Number(r.created),
          sent: Number(r.sent),
          delivered: Number(r.delivered),
          delivery_failed: Number(r.delivery_failed),
          opened: Number(r.opened),
          redeemed: Number(r.redeemed),
          sent_redeemed: Number(r.sent_redeemed),
          revoked: Number(r.revoked),
          expired: Number(r.expired),
        })),
        sendToRedeemMs: { count: sentRedeemed, median: at(rank(0.5)), p90: at(rank(0.9)) },
        invites: {
          invited: Number(invite?.invited ?? 0),
          signedIn: Number(invite?.signed_in ?? 0),
          active7d: Number(invite?.active_7d ?? 0),
        },
        failures: failures.rows.map((f) => ({ type: f.type, reason: f.reason, count: Number(f.n) })),
      };
    },
  };
}
