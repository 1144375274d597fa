/**
 * GET /v1/stats on a generated data set: every figure is computed again here, in plain TypeScript from the rows the
 * test wrote, and must match what the SQL answers, on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../storage/database.js';
import type { LinkType } from '../storage/schema.js';
import type { EventRow, MagicLinkRow, SessionRow, UserRow } from '../storage/store.js';
import { DIALECTS } from '../test-support/databases.js';
import { DAY, eventRow, HOUR, linkRow, MINUTE, sessionRow, userRow } from '../test-support/store-rows.js';
import { createOtherApp, startTestServer, type TestServer } from '../test-support/test-server.js';

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface DataSet {
  links: MagicLinkRow[];
  sessions: SessionRow[];
  users: UserRow[];
  events: EventRow[];
}

function generate(appId: string, base: number, seed: number): DataSet {
  const rnd = prng(seed);
  const pick = <T>(items: T[]) => items[Math.floor(rnd() * items.length)]!;
  const users = Array.from({ length: 80 }, (_, i) =>
    userRow(appId, base, { email: `u${i}-${seed}@example.com` }),
  );
  const links: MagicLinkRow[] = [];
  const sessions: SessionRow[] = [];
  const events: EventRow[] = [];
  // Some links before the period, which must not count.
  for (let i = 0; i < 500; i++) {
    const user = pick(users);
    const created = base - 2 * DAY + Math.floor(rnd() * 12 * DAY);
    const type: LinkType = pick(['login', 'login', 'invite', 'verify_identifier']);
    const long = rnd() < 0.2;
    const link = linkRow(user, created, {
      type,
      expires_at: created + (long ? 90 * DAY : 15 * MINUTE),
    });
    if (rnd() < 0.85) {
      link.sent_at = created + Math.floor(rnd() * 30_000);
      link.status = 'sent';
      if (rnd() < 0.06) {
        link.status = 'delivery_failed';
        link.delivered_at = link.sent_at + 1000;
        events.push(
          eventRow(appId, 'magic_link.delivery_failed', link.id, link.sent_at + 1000, {
            data: JSON.stringify({ magic_link_id: link.id, reason: pick(['550 no such user', 'timeout']) }),
          }),
        );
      } else if (rnd() < 0.6) {
        link.opened_at = link.sent_at + Math.floor(rnd() * 10 * MINUTE);
        link.status = 'opened';
        if (rnd() < 0.7) {
          link.redeemed_at = link.opened_at + Math.floor(rnd() * 5 * MINUTE);
          link.status = 'redeemed';
          const session = sessionRow(appId, user.id, link.redeemed_at, { link_id: link.id });
          link.session_id = session.id;
          sessions.push(session);
        }
      }
    } else if (rnd() < 0.2) {
      // Redeemed without being sent (the app delivered it itself).
      link.redeemed_at = created + 60_000;
      link.status = 'redeemed';
    }
    if (link.status !== 'redeemed' && rnd() < 0.05) {
      link.revoked_at = created + 1000;
      link.status = 'revoked';
    }
    links.push(link);
  }
  // Later sign-ins, some within a week of an invite and some long after.
  for (let i = 0; i < 40; i++) {
    const user = pick(users);
    const at = base + Math.floor(rnd() * 25 * DAY);
    sessions.push(sessionRow(appId, user.id, at, { last_refreshed_at: rnd() < 0.3 ? at + 3 * DAY : null }));
  }
  for (let i = 0; i < 7; i++) {
    events.push(
      eventRow(appId, 'rate_limit.hit', null, base + i * HOUR, {
        data: JSON.stringify({ reason: 'per_ip' }),
      }),
    );
  }
  return { links, sessions, users, events };
}

function expected(data: DataSet, from: number, to: number, now: number, type?: LinkType) {
  const links = data.links.filter(
    (l) => l.created_at >= from && l.created_at < to && (type === undefined || l.type === type),
  );
  const count = (f: (l: MagicLinkRow) => boolean) => links.filter(f).length;
  const funnel = {
    created: links.length,
    sent: count((l) => l.sent_at !== null),
    delivered: count((l) => l.sent_at !== null && l.status !== 'delivery_failed'),
    delivery_failed: count((l) => l.status === 'delivery_failed'),
    opened: count((l) => l.opened_at !== null),
    redeemed: count((l) => l.redeemed_at !== null),
    revoked: count((l) => l.revoked_at !== null),
    expired: count((l) => l.redeemed_at === null && l.revoked_at === null && l.expires_at <= now),
  };
  const durations = links
    .filter((l) => l.sent_at !== null && l.redeemed_at !== null)
    .map((l) => l.redeemed_at! - l.sent_at!)
    .sort((a, b) => a - b);
  const nearestRank = (p: number) =>
    durations.length === 0
      ? null
      : Math.round(durations[Math.max(1, Math.ceil(p * durations.length)) - 1]! / 100) / 10;
  const firstInvite = new Map<string, number>();
  for (const l of data.links) {
    if (l.type !== 'invite' || l.created_at < from || l.created_at >= to) continue;
    firstInvite.set(
      l.user_id,
      Math.min(firstInvite.get(l.user_id) ?? Number.POSITIVE_INFINITY, l.created_at),
    );
  }
  let signedIn = 0;
  let active = 0;
  for (const [userId, at] of firstInvite) {
    const own = data.sessions.filter((s) => s.user_id === userId);
    if (own.some((s) => s.created_at >= at)) signedIn++;
    const inWeek = (t: number | null) => t !== null && t >= at && t < at + 7 * DAY;
    if (own.some((s) => inWeek(s.created_at) || inWeek(s.last_refreshed_at))) active++;
  }
  const days = new Map<string, number>();
  for (const l of links) {
    const date = new Date(Math.floor(l.created_at / DAY) * DAY).toISOString().slice(0, 10);
    days.set(date, (days.get(date) ?? 0) + 1);
  }
  const failures = new Map<string, number>();
  for (const e of data.events) {
    if (e.created_at < from || e.created_at >= to) continue;
    const key = `${e.type}|${JSON.parse(e.data).reason}`;
    failures.set(key, (failures.get(key) ?? 0) + 1);
  }
  return {
    funnel,
    sentRedeemed: count((l) => l.sent_at !== null && l.redeemed_at !== null),
    median: nearestRank(0.5),
    p90: nearestRank(0.9),
    count: durations.length,
    invited: firstInvite.size,
    signedIn,
    active,
    days,
    failures,
  };
}

describe.each(DIALECTS)('stats on %s', (dialect) => {
  let server: TestServer;
  let handle: DatabaseHandle;
  let data: DataSet;
  const base = Math.floor(Date.now() / DAY) * DAY - 20 * DAY;

  beforeAll(async () => {
    server = await startTestServer(dialect);
    handle = openDatabase(server.db.target);
    data = generate(server.appId, base, 42);
    const other = await createOtherApp(server);
    const noise = generate(other.appId, base, 7);
    for (const set of [data, noise]) {
      await handle.db.insertInto('users').values(set.users).execute();
      for (let i = 0; i < set.links.length; i += 100) {
        await handle.db
          .insertInto('magic_links')
          .values(set.links.slice(i, i + 100))
          .execute();
      }
      await handle.db.insertInto('sessions').values(set.sessions).execute();
      await handle.db.insertInto('events').values(set.events).execute();
    }
  });
  afterAll(async () => {
    await handle.close();
    await server.close();
  });

  it.each([undefined, 'login', 'invite'] as Array<LinkType | undefined>)(
    'matches counts computed independently (type %s)',
    async (type) => {
      const from = base;
      const to = base + 8 * DAY;
      const query = `from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}${type ? `&type=${type}` : ''}`;
      const res = await server.api('GET', `/v1/stats?${query}`);
      expect(res.statusCode, res.body).toBe(200);
      const stats = res.json();
      const want = expected(data, from, to, server.ctx.clock(), type);
      expect(want.funnel.created).toBeGreaterThan(50);
      expect(stats.funnel).toEqual(want.funnel);
      const ratio = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 10_000) / 10_000);
      expect(stats.conversion.sent_to_redeemed).toBe(ratio(want.sentRedeemed, want.funnel.sent));
      expect(stats.conversion.created_to_redeemed).toBe(ratio(want.funnel.redeemed, want.funnel.created));
      expect(stats.send_to_redeem_seconds).toEqual({ count: want.count, median: want.median, p90: want.p90 });
      expect(stats.invites).toEqual({
        invited_users: want.invited,
        signed_in: want.signedIn,
        active_within_7_days: want.active,
        active_within_7_days_share: ratio(want.active, want.invited),
      });
      expect(stats.conversion.invite_to_first_login).toBe(ratio(want.signedIn, want.invited));
      expect(want.invited).toBeGreaterThan(0);
      expect(
        new Map(stats.series.map((d: { date: string; created: number }) => [d.date, d.created])),
      ).toEqual(want.days);
      const sumSeries = (key: string) =>
        stats.series.reduce((n: number, d: Record<string, number>) => n + d[key]!, 0);
      for (const key of Object.keys(want.funnel)) {
        expect(sumSeries(key), key).toBe(want.funnel[key as keyof typeof want.funnel]);
      }
      expect(
        new Map(
          stats.failures.map((f: { type: string; reason: string; count: number }) => [
            `${f.type}|${f.reason}`,
            f.count,
          ]),
        ),
      ).toEqual(want.failures);
    },
  );

  it('answers zeros and nulls for an empty period', async () => {
    const res = await server.api('GET', '/v1/stats?from=2001-01-01&to=2001-02-01');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      funnel: { created: 0, sent: 0, redeemed: 0 },
      conversion: { sent_to_redeemed: null, invite_to_first_login: null },
      send_to_redeem_seconds: { count: 0, median: null, p90: null },
      series: [],
      failures: [],
    });
  });

  it.each([
    ['from=yesterday', 'from'],
    ['to=2020-13-45', 'to'],
    ['from=2024-02-01&to=2024-01-01', 'from'],
    ['from=2020-01-01&to=2024-01-01', 'from'],
    ['type=magic', 'type'],
  ])('refuses %s with a 400', async (query, param) => {
    const res = await server.api('GET', `/v1/stats?${query}`);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed' });
    expect(res.json().error.param).toMatch(new RegExp(param));
  });
});
