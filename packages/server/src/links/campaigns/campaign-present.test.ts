import { describe, expect, it } from 'vitest';
import type { CampaignRow } from '../../storage/rows.js';
import { presentCampaignWithFigures } from './campaign-present.js';
import type { CampaignCounts, CampaignFigures } from './campaign-store.js';

const DAY = 86_400_000;
const MONDAY = Date.UTC(2026, 2, 2, 9);
const midnight = (ms: number) => Math.floor(ms / DAY) * DAY;

const row: CampaignRow = {
  id: 'cmp_01jz0000000000000000000000',
  app_id: 'app_01jz0000000000000000000000',
  name: 'Spring invites',
  created_at: MONDAY,
  created_by: 'key_01jz0000000000000000000000',
  rows_total: 10,
  rows_created: 10,
  rows_failed: 0,
  send: 1,
  status: 'done',
  finished_at: MONDAY + 1000,
  revoked_at: null,
};

const counts: CampaignCounts = {
  created: 10,
  sent: 8,
  delivered: 7,
  delivery_failed: 1,
  opened: 5,
  redeemed: 4,
  sent_redeemed: 3,
  revoked: 0,
  expired: 2,
};

function figures(overrides: Partial<CampaignFigures> = {}): CampaignFigures {
  return {
    counts,
    days: [
      { day: midnight(MONDAY), created: 10, sent: 8, opened: 3, redeemed: 2 },
      { day: midnight(MONDAY) + 2 * DAY, created: 0, sent: 0, opened: 2, redeemed: 2 },
    ],
    last_expires_at: MONDAY + 5 * DAY,
    ...overrides,
  };
}

describe('a campaign with its figures', () => {
  it('gives the funnel without its inner counts, and rates as GET /v1/stats gives them', () => {
    const shown = presentCampaignWithFigures(row, figures(), MONDAY + 10 * DAY);
    expect(shown.funnel).not.toHaveProperty('sent_redeemed');
    expect(shown.funnel.created).toBe(10);
    expect(shown.send).toBe(true);
    expect(shown.conversion).toEqual({
      created_to_sent: 0.8,
      created_to_opened: 0.5,
      created_to_redeemed: 0.4,
      sent_to_redeemed: 0.375,
    });
    const none = { ...counts, created: 0, sent: 0, opened: 0, redeemed: 0, sent_redeemed: 0 };
    expect(presentCampaignWithFigures(row, figures({ counts: none }), MONDAY).conversion).toEqual({
      created_to_sent: null,
      created_to_opened: null,
      created_to_redeemed: null,
      sent_to_redeemed: null,
    });
  });

  it('runs the series without gaps to the day the last link expires', () => {
    const series = presentCampaignWithFigures(row, figures(), MONDAY + 10 * DAY).series;
    expect(series.map((d) => d.date)).toEqual([
      '2026-03-02',
      '2026-03-03',
      '2026-03-04',
      '2026-03-05',
      '2026-03-06',
      '2026-03-07',
    ]);
    expect(series[1]).toEqual({ date: '2026-03-03', created: 0, sent: 0, opened: 0, redeemed: 0 });
    expect(series[2]).toEqual({ date: '2026-03-04', created: 0, sent: 0, opened: 2, redeemed: 2 });
  });

  it('ends the series today while links are still live, and at a later step if one came after expiry', () => {
    const mondayOnly = figures({ days: figures().days.slice(0, 1) });
    const today = presentCampaignWithFigures(row, mondayOnly, MONDAY + DAY).series;
    expect(today.map((d) => d.date)).toEqual(['2026-03-02', '2026-03-03']);
    const lateOpen = figures({
      last_expires_at: MONDAY + DAY,
      days: [{ day: midnight(MONDAY) + 3 * DAY, created: 0, sent: 0, opened: 1, redeemed: 0 }],
    });
    expect(presentCampaignWithFigures(row, lateOpen, MONDAY + 10 * DAY).series).toHaveLength(4);
    const empty = figures({ days: [], last_expires_at: null });
    expect(presentCampaignWithFigures(row, empty, MONDAY + 10 * DAY).series).toEqual([
      { date: '2026-03-02', created: 0, sent: 0, opened: 0, redeemed: 0 },
    ]);
  });
});
