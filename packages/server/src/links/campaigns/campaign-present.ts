/** Campaigns as the API shows them: the row, and with one campaign its funnel, rates and per-day series. */

import { type Static, Type } from 'typebox';
import { shareOf } from '../../analytics/shares.js';
import { Day, Share, StatsCounts } from '../../analytics/stats-present.js';
import { iso, isoOrNull } from '../../http/present.js';
import { Id, Named, Nullable, OneOf, Timestamp } from '../../http/schemas.js';
import type { CampaignRow } from '../../storage/rows.js';
import type { CampaignDay, CampaignFigures } from './campaign-store.js';

const DAY_MS = 86_400_000;

const rows = (description: string) => Type.Integer({ minimum: 0, description });

/** A named bulk request: who started it, how far it got, and whether it was revoked. */
export const Campaign = Named(
  'Campaign',
  Type.Object(
    {
      id: Id('cmp'),
      app_id: Id('app'),
      name: Type.String({ minLength: 1, maxLength: 100 }),
      status: OneOf(['running', 'done', 'revoked'] as const),
      send: Type.Boolean({ description: 'Whether the links of rows that did not say were sent.' }),
      created_by: Type.String({
        description: 'The API key (`key_…`) or dashboard operator (`op_…`) that started it.',
      }),
      rows_total: rows('Rows in the request.'),
      rows_created: rows('Rows that made a link so far.'),
      rows_failed: rows('Rows that failed so far.'),
      created_at: Timestamp,
      finished_at: Nullable(Timestamp),
      revoked_at: Nullable(Timestamp),
    },
    { description: 'A campaign' },
  ),
);

/** One campaign with what became of its links. */
export const CampaignWithFigures = Named(
  'CampaignWithFigures',
  Type.Object(
    {
      ...Campaign.properties,
      funnel: { ...StatsCounts, description: 'Its links, counted as GET /v1/stats counts them.' },
      conversion: Type.Object({
        created_to_sent: Share('Of its links, the share sent'),
        created_to_opened: Share('Of its links, the share opened'),
        created_to_redeemed: Share('Of its links, the share redeemed'),
        sent_to_redeemed: Share('Of its links sent, the share redeemed'),
      }),
      series: Type.Array(
        Type.Object({
          date: Day,
          created: rows('Links made that day.'),
          sent: rows('Links sent that day.'),
          opened: rows('Links opened that day.'),
          redeemed: rows('Links redeemed that day.'),
        }),
        { description: 'Each UTC day of its life, oldest first, without gaps.' },
      ),
    },
    { description: "A campaign with its links' funnel, rates and per-day series" },
  ),
);

export function presentCampaign(row: CampaignRow): Static<typeof Campaign> {
  return {
    id: row.id,
    app_id: row.app_id,
    name: row.name,
    status: row.status,
    send: row.send === 1,
    created_by: row.created_by,
    rows_total: row.rows_total,
    rows_created: row.rows_created,
    rows_failed: row.rows_failed,
    created_at: iso(row.created_at),
    finished_at: isoOrNull(row.finished_at),
    revoked_at: isoOrNull(row.revoked_at),
  };
}

/** A share with four decimals, as GET /v1/stats gives its rates; null when nothing could convert. */

/**
 * One campaign with its figures. The funnel counts the campaign's links as GET /v1/stats counts links; the series
 * counts each step on the day it happened (a campaign's links are all made within minutes, so counting by the day
 * they were made, as /v1/stats does, would put everything on one day). The series runs from the campaign's first
 * day to today or the day its last link expires, whichever is first, without gaps; a step seen later (an open
 * after expiry) extends it.
 */
export function presentCampaignWithFigures(
  row: CampaignRow,
  figures: CampaignFigures,
  now: number,
): Static<typeof CampaignWithFigures> {
  const { sent_redeemed, ...funnel } = figures.counts;
  return {
    ...presentCampaign(row),
    funnel,
    conversion: {
      created_to_sent: shareOf(funnel.sent, funnel.created),
      created_to_opened: shareOf(funnel.opened, funnel.created),
      created_to_redeemed: shareOf(funnel.redeemed, funnel.created),
      sent_to_redeemed: shareOf(sent_redeemed, funnel.sent),
    },
    series: series(row.created_at, figures, now),
  };
}

function series(createdAt: number, figures: CampaignFigures, now: number) {
  const first = Math.floor(createdAt / DAY_MS) * DAY_MS;
  const lastActive = Math.min(now, figures.last_expires_at ?? createdAt);
  const lastSeen = figures.days.at(-1)?.day ?? first;
  const last = Math.max(Math.floor(lastActive / DAY_MS) * DAY_MS, lastSeen, first);
  const byDay = new Map<number, CampaignDay>(figures.days.map((d) => [d.day, d]));
  const out: Array<{ date: string; created: number; sent: number; opened: number; redeemed: number }> = [];
  for (let day = first; day <= last; day += DAY_MS) {
    const counts = byDay.get(day);
    out.push({
      date: iso(day).slice(0, 10),
      created: counts?.created ?? 0,
      sent: counts?.sent ?? 0,
      opened: counts?.opened ?? 0,
      redeemed: counts?.redeemed ?? 0,
    });
  }
  return out;
}
