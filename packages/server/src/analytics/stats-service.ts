import type { Static } from 'typebox';
import { ApiError } from '../errors/api-error.js';
import type { LinkType } from '../storage/schema.js';
import type { AnalyticsContext, DayCounts } from './analytics-store.js';
import { addHistogram, emptyHistogram, percentile } from './redeem-histogram.js';
import { shareOf } from './shares.js';
import type { LinkStats } from './stats-present.js';

const DAY_MS = 86_400_000;
/** A period longer than this would be a different question (and a slow one); ask year by year. */
const MAX_RANGE_MS = 400 * DAY_MS;

export interface StatsQuery {
  from?: string | undefined;
  to?: string | undefined;
  type?: LinkType | undefined;
}

function parseTime(value: string | undefined, param: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new ApiError('validation_failed', `${param} must be an ISO 8601 date or date-time.`, { param });
  }
  return ms;
}

const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 100) / 10);

/**
 * The funnel of the links created in [from, to) (default: the last 30 days), by the links' creation time: a link
 * created on Monday and redeemed on Tuesday counts as redeemed in Monday's figures. Invite figures count invite
 * links: `signed_in` are those redeemed (an invite's redemption is the invited user's first sign-in through it), and
 * the 7-day activity share is over the invites whose first week is over.
 */
export async function linkStats(
  ctx: AnalyticsContext,
  appId: string,
  query: StatsQuery,
): Promise<Static<typeof LinkStats>> {
  const now = ctx.clock();
  const to = parseTime(query.to, 'to') ?? now;
  const from = parseTime(query.from, 'from') ?? to - 30 * DAY_MS;
  if (from >= to) throw new ApiError('validation_failed', 'from must be before to.', { param: 'from' });
  if (to - from > MAX_RANGE_MS) {
    throw new ApiError('validation_failed', 'The period may span at most 400 days.', { param: 'from' });
  }
  const stats = await ctx.store.linkStats({ appId, from, to, type: query.type, now });
  const zero = (): DayCounts => ({
    created: 0,
    sent: 0,
    delivered: 0,
    delivery_failed: 0,
    opened: 0,
    redeemed: 0,
    sent_redeemed: 0,
    revoked: 0,
    expired: 0,
    invites_matured: 0,
    active_7d: 0,
  });
  const total = zero();
  const invites = zero();
  const histogram = emptyHistogram();
  const perDay = new Map<number, DayCounts>();
  for (const row of stats.days) {
    let day = perDay.get(row.day);
    if (!day) {
      day = zero();
      perDay.set(row.day, day);
    }
    for (const key of Object.keys(total) as Array<keyof DayCounts>) {
      total[key] += row[key];
      day[key] += row[key];
      if (row.type === 'invite') invites[key] += row[key];
    }
    addHistogram(histogram, row.histogram);
  }
  const { sent_redeemed, active_7d: _, invites_matured: __, ...funnel } = total;
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    type: query.type ?? null,
    funnel,
    conversion: {
      sent_to_redeemed: shareOf(sent_redeemed, total.sent),
      created_to_redeemed: shareOf(total.redeemed, total.created),
      created_to_opened: shareOf(total.opened, total.created),
      invite_to_first_login: shareOf(invites.redeemed, invites.created),
    },
    send_to_redeem_seconds: {
      count: sent_redeemed,
      median: seconds(percentile(histogram, 0.5)),
      p90: seconds(percentile(histogram, 0.9)),
    },
    invites: {
      invited: invites.created,
      signed_in: invites.redeemed,
      at_least_7_days_old: invites.invites_matured,
      active_within_7_days: invites.active_7d,
      active_within_7_days_share: shareOf(invites.active_7d, invites.invites_matured),
    },
    failures: stats.failures,
    series: [...perDay.entries()]
      .sort(([a], [b]) => a - b)
      .map(([day, { sent_redeemed: _r, active_7d: _a, invites_matured: _m, ...counts }]) => ({
        date: new Date(day).toISOString().slice(0, 10),
        ...counts,
      })),
  };
}
