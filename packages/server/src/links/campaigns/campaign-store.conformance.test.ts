/**
 * The campaign slice of the store (campaign-queries.ts), run unchanged against SQLite and PostgreSQL. Each test makes
 * its own app, so the tests share one database per dialect.
 */
import { describe, expect, it } from 'vitest';
import type { CampaignRow, EventRow, MagicLinkRow, UserRow } from '../../storage/rows.js';
import { DIALECTS } from '../../test-support/databases.js';
import {
  appRow,
  DAY,
  email,
  eventRow,
  HOUR,
  id,
  linkRow,
  MINUTE,
  userRow,
  useStore,
} from '../../test-support/store-rows.js';

function campaignRow(appId: string, at: number, overrides: Partial<CampaignRow> = {}): CampaignRow {
  return {
    id: id('cmp', at),
    app_id: appId,
    name: 'Spring invites',
    created_at: at,
    created_by: 'key_test',
    rows_total: 10,
    rows_created: 0,
    rows_failed: 0,
    send: 0,
    status: 'running',
    finished_at: null,
    revoked_at: null,
    ...overrides,
  };
}

describe.each(DIALECTS)('campaign store on %s', (dialect) => {
  const { store } = useStore(dialect);

  async function seed(at: number) {
    const app = appRow(at);
    await store().insertApp(app, [], []);
    const campaign = campaignRow(app.id, at);
    await store().createCampaign(campaign);
    const user = userRow(app.id, at, { email: email() });
    await store().insertUser(user, []);
    return { app, campaign, user };
  }

  async function link(user: UserRow, at: number, overrides: Partial<MagicLinkRow> = {}) {
    const row = linkRow(user, at, overrides);
    await store().createLink(row, undefined, []);
    return row;
  }

  const revokedEvent = (link: MagicLinkRow): EventRow =>
    eventRow(link.app_id, 'magic_link.revoked', link.id, Date.now());

  it('lists an app’s campaigns newest first, a page at a time, by status', async () => {
    const now = Date.now();
    const { app, campaign } = await seed(now);
    const later = campaignRow(app.id, now + 1, { status: 'done' });
    await store().createCampaign(later);
    const other = await seed(now + 2);

    const all = await store().listCampaigns(app.id, {}, { limit: 10 });
    expect(all.map((c) => c.id)).toEqual([later.id, campaign.id]);
    const first = await store().listCampaigns(app.id, {}, { limit: 1 });
    expect(first.map((c) => c.id)).toEqual([later.id, campaign.id]);
    const second = await store().listCampaigns(app.id, {}, { limit: 1, cursor: later.id });
    expect(second.map((c) => c.id)).toEqual([campaign.id]);
    expect((await store().listCampaigns(app.id, { status: 'done' }, { limit: 10 })).map((c) => c.id)).toEqual(
      [later.id],
    );
    expect(await store().getCampaign(app.id, other.campaign.id)).toBeUndefined();
    expect(await store().getCampaign(other.app.id, other.campaign.id)).toEqual(other.campaign);
  });

  it('records progress, finishes once, and keeps a revoked campaign revoked', async () => {
    const now = Date.now();
    const { app, campaign } = await seed(now);
    expect(await store().recordCampaignProgress(campaign.id, 3, 1)).toBe('running');
    await store().finishCampaign(campaign.id, 9, 1, now + 5);
    expect(await store().getCampaign(app.id, campaign.id)).toMatchObject({
      status: 'done',
      rows_created: 9,
      rows_failed: 1,
      finished_at: now + 5,
    });
    expect(await store().recordCampaignProgress('cmp_00000000000000000000000000', 1, 1)).toBeUndefined();

    const revoked = await store().markCampaignRevoked(app.id, campaign.id, now + 10);
    expect(revoked).toMatchObject({ status: 'revoked', revoked_at: now + 10 });
    // Again: the first time stays.
    expect(await store().markCampaignRevoked(app.id, campaign.id, now + 20)).toEqual(revoked);
    expect(await store().recordCampaignProgress(campaign.id, 9, 1)).toBe('revoked');
    await store().finishCampaign(campaign.id, 9, 1, now + 30);
    expect(await store().getCampaign(app.id, campaign.id)).toMatchObject({
      status: 'revoked',
      finished_at: now + 30,
    });
    expect(await store().markCampaignRevoked(app.id, 'cmp_00000000000000000000000000', now)).toBeUndefined();
  });

  it('revokes only outstanding links of the campaign, a batch at a time, with one event each', async () => {
    const now = Date.now();
    const { app, campaign, user } = await seed(now);
    const outstanding = [];
    for (let i = 0; i < 5; i++) outstanding.push(await link(user, now + i, { campaign_id: campaign.id }));
    const redeemed = await link(user, now, {
      campaign_id: campaign.id,
      status: 'redeemed',
      redeemed_at: now,
    });
    const expired = await link(user, now - DAY, { campaign_id: campaign.id });
    const elsewhere = await link(user, now);
    const other = await seed(now);
    const otherApps = await link(other.user, now, { campaign_id: campaign.id });

    expect(await store().revokeCampaignLinks(app.id, campaign.id, now, 3, revokedEvent)).toBe(3);
    expect(await store().revokeCampaignLinks(app.id, campaign.id, now, 3, revokedEvent)).toBe(2);
    expect(await store().revokeCampaignLinks(app.id, campaign.id, now, 3, revokedEvent)).toBe(0);
    for (const row of outstanding) expect((await store().getLink(app.id, row.id))?.status).toBe('revoked');
    expect((await store().getLink(app.id, redeemed.id))?.status).toBe('redeemed');
    expect((await store().getLink(app.id, expired.id))?.status).toBe('created');
    expect((await store().getLink(app.id, elsewhere.id))?.status).toBe('created');
    expect((await store().getLink(other.app.id, otherApps.id))?.status).toBe('created');
    const events = await store().listEvents(app.id, { type: 'magic_link.revoked' }, { limit: 50 });
    expect(events.map((e) => e.subject_id).sort()).toEqual(outstanding.map((l) => l.id).sort());
  });

  it('counts the funnel as GET /v1/stats counts the same links, and each step on the day it happened', async () => {
    const start = Math.floor(Date.now() / DAY) * DAY - 3 * DAY + HOUR;
    const { app, campaign, user } = await seed(start);
    const inCampaign = { campaign_id: campaign.id, expires_at: start + 2 * DAY };
    await link(user, start, { ...inCampaign, sent_at: start + MINUTE });
    await link(user, start, { ...inCampaign, sent_at: start + MINUTE, delivered_at: start + 2 * MINUTE });
    await link(user, start, {
      ...inCampaign,
      status: 'delivery_failed',
      sent_at: start + MINUTE,
      delivery_failed_at: start + HOUR,
    });
    await link(user, start, {
      ...inCampaign,
      status: 'redeemed',
      sent_at: start + MINUTE,
      opened_at: start + DAY,
      redeemed_at: start + DAY + MINUTE,
    });
    await link(user, start, { ...inCampaign, status: 'opened', opened_at: start + 2 * HOUR });
    await link(user, start, { ...inCampaign, status: 'revoked', revoked_at: start + 3 * HOUR });
    await link(user, start, { ...inCampaign, expires_at: start + 30 * MINUTE });
    const now = start + 3 * DAY;

    const figures = await store().campaignFigures(app.id, campaign.id, now);
    const stats = await store().linkStats({ appId: app.id, from: start - DAY, to: now, now });
    const totals = {
      created: 0,
      sent: 0,
      delivered: 0,
      delivery_failed: 0,
      opened: 0,
      redeemed: 0,
      sent_redeemed: 0,
      revoked: 0,
      expired: 0,
    };
    for (const day of stats.days)
      for (const key of Object.keys(totals) as Array<keyof typeof totals>) totals[key] += day[key];
    expect(figures.counts).toEqual(totals);
    expect(figures.counts).toMatchObject({
      created: 7,
      sent: 4,
      opened: 2,
      redeemed: 1,
      revoked: 1,
      expired: 5,
    });
    expect(figures.last_expires_at).toBe(start + 2 * DAY);
    const day0 = Math.floor(start / DAY) * DAY;
    expect(figures.days).toEqual([
      { day: day0, created: 7, sent: 4, opened: 1, redeemed: 0 },
      { day: day0 + DAY, created: 0, sent: 0, opened: 1, redeemed: 1 },
    ]);

    const empty = await seed(start);
    expect(await store().campaignFigures(empty.app.id, empty.campaign.id, now)).toEqual({
      counts: {
        created: 0,
        sent: 0,
        delivered: 0,
        delivery_failed: 0,
        opened: 0,
        redeemed: 0,
        sent_redeemed: 0,
        revoked: 0,
        expired: 0,
      },
      days: [],
      last_expires_at: null,
    });
  });

  it('reads the campaign’s links in creation order, a page after a link', async () => {
    const now = Date.now();
    const { app, campaign, user } = await seed(now);
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await link(user, now + i, { campaign_id: campaign.id }));
    await link(user, now);
    const firstPage = await store().campaignLinks(app.id, campaign.id, undefined, 3);
    expect(firstPage.map((l) => l.id)).toEqual(made.slice(0, 3).map((l) => l.id));
    const rest = await store().campaignLinks(app.id, campaign.id, firstPage.at(-1)!.id, 3);
    expect(rest.map((l) => l.id)).toEqual(made.slice(3).map((l) => l.id));
    expect(rest[0]?.campaign_id).toBe(campaign.id);
  });
});
