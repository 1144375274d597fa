/**
 * The numbers behind GET /v1/stats. Links change state for a while after they are created (sent, opened, redeemed,
 * expired), then never again: once every link of a (app, day, type) is past its expiry by a day (and, for invites,
 * a week old), its figures are final, and the maintenance loop writes them once to `link_stats_days`. A query adds
 * those rows for the whole days of its period and aggregates only the rest (the recent days and the partial days at
 * its edges) from the links themselves, on the `(app_id, created_at)` index. So a year of a million links costs a few
 * hundred small rows plus the last days' links, not a million rows.
 */
import { type RawBuilder, sql } from 'kysely';
import type { DialectName, RootDb } from '../storage/database.js';
import { LINK_TYPES, type LinkType } from '../storage/schema.js';
import type { AnalyticsStore, DayStats } from './analytics-store.js';
import { emptyHistogram, REDEEM_BUCKETS_MS } from './redeem-histogram.js';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** A day's figures are final this long after its last link expired (message retries end within about 3 hours). */
const SETTLE_MS = 6 * 3_600_000;
/** No link lives longer than 30 days (the cap on max_ttl_minutes), so older days are settled or never will be. */
const SCAN_BACK_MS = 32 * DAY_MS;

interface Segment {
  type: LinkType;
  from: number;
  to: number;
}

const dayOf = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;
const key = (day: number, type: string) => `${day}|${type}`;

function bucketCase(): RawBuilder<number> {
  const whens = REDEEM_BUCKETS_MS.map(
    (bound, i) => sql`when redeemed_at - sent_at < ${sql.lit(bound)} then ${sql.lit(i)}`,
  );
  return sql<number>`case ${sql.join(whens, sql` `)} else ${sql.lit(REDEEM_BUCKETS_MS.length)} end`;
}

/** Figures per (day, type) computed from the links in `segments` of one app. */
async function aggregate(db: RootDb, appId: string, segments: Segment[], now: number): Promise<DayStats[]> {
  if (segments.length === 0) return [];
  // One pass per segment, each a range on the (app_id, created_at) index (a pass over the span of distant
  // segments would read every link between them). Segments never share a day, so the results just add up. Should
  // a period be cut into very many pieces, one pass per type over its span reads less in the end.
  const types = [...new Set(segments.map((s) => s.type))];
  if (segments.length > 1) {
    const groups =
      segments.length <= 24
        ? segments.map((s) => [s])
        : types.map((t) => segments.filter((s) => s.type === t));
    if (groups.length > 1) {
      return (await Promise.all(groups.map((group) => aggregate(db, appId, group, now)))).flat();
    }
  }
  const from = Math.min(...segments.map((s) => s.from));
  const to = Math.max(...segments.map((s) => s.to));
  const ranges = sql.join(
    segments.map((s) => sql`(created_at >= ${s.from} and created_at < ${s.to})`),
    sql` or `,
  );
  const where = sql`type = ${types[0]!} and created_at >= ${from} and created_at < ${to} and (${ranges})`;
  const counts = await sql<Record<string, number | string>>`
    select created_at / ${sql.lit(DAY_MS)} as day, type,
           count(*) as created,
           sum(case when sent_at is not null then 1 else 0 end) as sent,
           sum(case when delivered_at is not null then 1 else 0 end) as delivered,
           sum(case when status = 'delivery_failed' then 1 else 0 end) as delivery_failed,
           sum(case when opened_at is not null then 1 else 0 end) as opened,
           sum(case when redeemed_at is not null then 1 else 0 end) as redeemed,
           sum(case when sent_at is not null and redeemed_at is not null then 1 else 0 end) as sent_redeemed,
           sum(case when revoked_at is not null then 1 else 0 end) as revoked,
           sum(case when redeemed_at is null and revoked_at is null and expires_at <= ${now} then 1 else 0 end)
             as expired,
           sum(case when type = 'invite' and created_at <= ${now - WEEK_MS} then 1 else 0 end) as invites_matured,
           sum(case when type <> 'invite' or created_at > ${now - WEEK_MS} then 0
                    when exists (
                      select 1 from sessions s
                       where s.app_id = l.app_id and s.user_id = l.user_id
                         and s.created_at >= l.created_at and s.created_at < l.created_at + ${sql.lit(WEEK_MS)})
                      or exists (
                      select 1 from sessions s
                       where s.app_id = l.app_id and s.user_id = l.user_id
                         and s.last_refreshed_at >= l.created_at and s.last_refreshed_at < l.created_at + ${sql.lit(WEEK_MS)})
                    then 1 else 0 end) as active_7d
      from magic_links l
     where app_id = ${appId} and (${where})
     group by created_at / ${sql.lit(DAY_MS)}, type`.execute(db);
  const buckets = await sql<{
    day: number | string;
    type: LinkType;
    bucket: number | string;
    n: number | string;
  }>`
    select created_at / ${sql.lit(DAY_MS)} as day, type, ${bucketCase()} as bucket, count(*) as n
      from magic_links
     where app_id = ${appId} and (${where}) and sent_at is not null and redeemed_at is not null
     group by created_at / ${sql.lit(DAY_MS)}, type, ${bucketCase()}`.execute(db);
  const byKey = new Map<string, DayStats>();
  for (const r of counts.rows) {
    const day = Number(r.day) * DAY_MS;
    byKey.set(key(day, String(r.type)), {
      day,
      type: r.type as LinkType,
      created: Number(r.created),
      sent: Number(r.sent),
      delivered: Number(r.delivered),
      delivery_failed: Number(r.delivery_failed),
      opened: Number(r.opened),
      redeemed: Number(r.redeemed),
      sent_redeemed: Number(r.sent_redeemed),
      revoked: Number(r.revoked),
      expired: Number(r.expired),
      invites_matured: Number(r.invites_matured),
      active_7d: Number(r.active_7d),
      histogram: emptyHistogram(),
    });
  }
  for (const b of buckets.rows) {
    const stats = byKey.get(key(Number(b.day) * DAY_MS, b.type));
    if (stats) stats.histogram[Number(b.bucket)]! += Number(b.n);
  }
  return [...byKey.values()];
}

/** The parts of [from, to) not covered by a rolled-up whole day, per type, as few contiguous ranges as possible. */
function liveSegments(from: number, to: number, types: readonly LinkType[], rolled: Set<string>): Segment[] {
  const segments: Segment[] = [];
  for (const type of types) {
    let open: Segment | undefined;
    for (let day = dayOf(from); day < to; day += DAY_MS) {
      const start = Math.max(from, day);
      const end = Math.min(to, day + DAY_MS);
      const whole = start === day && end === day + DAY_MS;
      if (whole && rolled.has(key(day, type))) {
        open = undefined;
        continue;
      }
      if (open && open.to === start) {
        open.to = end;
      } else {
        open = { type, from: start, to: end };
        segments.push(open);
      }
    }
  }
  return segments;
}

export function analyticsQueries(db: RootDb, dialect: DialectName): AnalyticsStore {
  return {
    async linkStats(q) {
      const types = q.type === undefined ? LINK_TYPES : [q.type];
      let rolledQuery = db
        .selectFrom('link_stats_days')
        .selectAll()
        .where('app_id', '=', q.appId)
        .where('day', '>=', q.from)
        .where('day', '<=', q.to - DAY_MS);
      if (q.type !== undefined) rolledQuery = rolledQuery.where('type', '=', q.type);
      const rolledRows = await rolledQuery.execute();
      const rolled: DayStats[] = rolledRows.map(({ app_id: _, rolled_at: __, redeem_histogram, ...row }) => ({
        ...row,
        day: Number(row.day),
        histogram: JSON.parse(redeem_histogram) as number[],
      }));
      const live = await aggregate(
        db,
        q.appId,
        liveSegments(q.from, q.to, types, new Set(rolled.map((r) => key(r.day, r.type)))),
        q.now,
      );

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

      return {
        days: [...rolled, ...live].sort((a, b) => a.day - b.day || a.type.localeCompare(b.type)),
        failures: failures.rows.map((f) => ({ type: f.type, reason: f.reason, count: Number(f.n) })),
      };
    },

    async rollupLinkStats(now, maxGroups) {
      // Day by day and type by type, each check a short range on the (app_id, created_at) index, so that no run
      // holds the database (or, on SQLite, the process) for long.
      let written = 0;
      const apps = await db.selectFrom('apps').select('id').execute();
      for (const { id: appId } of apps) {
        const rolled = await db
          .selectFrom('link_stats_days')
          .select(['day', 'type'])
          .where('app_id', '=', appId)
          .execute();
        const done = new Set(rolled.map((r) => key(Number(r.day), r.type)));
        const latest = rolled.reduce((max, r) => Math.max(max, Number(r.day)), Number.NEGATIVE_INFINITY);
        let start: number;
        if (Number.isFinite(latest)) {
          start = latest - SCAN_BACK_MS;
        } else {
          const first = await db
            .selectFrom('magic_links')
            .select((eb) => eb.fn.min('created_at').as('at'))
            .where('app_id', '=', appId)
            .executeTakeFirst();
          if (first?.at === null || first?.at === undefined) continue;
          start = Number(first.at);
        }
        for (let day = dayOf(start); day < dayOf(now); day += DAY_MS) {
          for (const type of LINK_TYPES) {
            if (done.has(key(day, type))) continue;
            const span = await db
              .selectFrom('magic_links')
              .select((eb) => [eb.fn.max('expires_at').as('expires'), eb.fn.max('created_at').as('created')])
              .where('app_id', '=', appId)
              .where('type', '=', type)
              .where('created_at', '>=', day)
              .where('created_at', '<', day + DAY_MS)
              .executeTakeFirst();
            if (span?.expires === null || span?.expires === undefined) continue;
            const settled =
              Number(span.expires) <= now - SETTLE_MS &&
              (type !== 'invite' || Number(span.created) <= now - WEEK_MS - SETTLE_MS);
            if (!settled) continue;
            const [stats] = await aggregate(db, appId, [{ type, from: day, to: day + DAY_MS }], now);
            if (!stats) continue;
            const { histogram, ...counts } = stats;
            await db
              .insertInto('link_stats_days')
              .values({
                ...counts,
                app_id: appId,
                redeem_histogram: JSON.stringify(histogram),
                rolled_at: now,
              })
              .onConflict((oc) => oc.columns(['app_id', 'day', 'type']).doNothing())
              .execute();
            if (++written >= maxGroups) return written;
          }
        }
      }
      return written;
    },
  };
}
