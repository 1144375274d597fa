/**
 * GET /v1/stats on a generated data set: every figure is computed again here, in plain TypeScript from the rows the
 * test wrote, and must match what the SQL answers, on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../storage/database.js';
import type { EventRow, MagicLinkRow, SessionRow, UserRow } from '../storage/rows.js';
import type { LinkType } from '../storage/schema.js';
import { DIALECTS } from '../test-support/databases.js';
import { DAY, eventRow, HOUR, linkRow, MINUTE, sessionRow, userRow } from '../test-support/store-rows.js';
import { createOtherApp, startTestServer, type TestServer } from '../test-support/test-server.js';
import { REDEEM_BUCKETS_MS } from './redeem-histogram.js';
import { rollupLinkStats } from './stats-rollup.js';

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
  for (let i = 0; i < 800; i++) {
    const user = pick(users);
    const created = base - 2 * DAY + Math.floor(rnd() * 12 * DAY);
    const type: LinkType = pick(['login', 'login', 'invite', 'verify_identifier']);
    const long = rnd() < 0.02;
    const link = linkRow(user, created, {
      type,
      expires_at: created + (long ? 90 * DAY : 15 * MINUTE),
    });
    if (rnd() < 0.85) {
      link.sent_at = created + Math.floor(rnd() * 30_000);
      link.status = 'sent';
      // Most mail servers confirm a message (250); a link sent by SMS or printed stays `sent`.
      if (rnd() < 0.8) {
        link.delivered_at = link.sent_at + 500;
        link.status = 'delivered';
      }
      if (rnd() < 0.06) {
        link.status = 'delivery_failed';
        link.delivered_at = null;
        link.delivery_failed_at = link.sent_at + 1000;
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
  // Recent invites, whose first week is not over yet, and sign-ins after some of them.
  const now = Date.now();
  for (let i = 0; i < 40; i++) {
    const user = pick(users);
    const created = now - Math.floor(rnd() * 6 * DAY) - HOUR;
    links.push(linkRow(user, created, { type: 'invite', expires_at: created + 3 * DAY }));
    if (rnd() < 0.5) sessions.push(sessionRow(appId, user.id, created + HOUR));
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
    delivered: count((l) => l.delivered_at !== null),
    delivery_failed: count((l) => l.status === 'delivery_failed'),
    opened: count((l) => l.opened_at !== null),
    redeemed: count((l) => l.redeemed_at !== null),
    revoked: count((l) => l.revoked_at !== null),
    expired: count((l) => l.redeemed_at === null && l.revoked_at === null && l.expires_at <= now),
  };
  const durations = links
    .filter((l) => l.sent_at !== null && l.redeemed_at !== null)
    .map((l) => l.redeemed_at! - l.sent_at!);
  // The histogram, bucketed and read here independently of the service's code; only the bounds are shared.
  const histogram = new Array<number>(REDEEM_BUCKETS_MS.length + 1).fill(0);
  for (const d of durations) {
    const i = REDEEM_BUCKETS_MS.findIndex((bound) => d < bound);
    histogram[i === -1 ? REDEEM_BUCKETS_MS.length : i]!++;
  }
  const estimate = (p: number) => {
    if (durations.length === 0) return null;
    const rank = Math.max(1, Math.ceil(p * durations.length));
    let seen = 0;
    let i = 0;
    for (; i < histogram.length; i++) {
      seen += histogram[i]!;
      if (seen >= rank) break;
    }
    const lower = i === 0 ? 0 : REDEEM_BUCKETS_MS[i - 1]!;
    const upper = REDEEM_BUCKETS_MS[i] ?? lower;
    const within = (rank - (seen - histogram[i]!)) / histogram[i]!;
    return Math.round((lower + (upper - lower) * within) / 100) / 10;
  };
  const exact = (p: number) => {
    const sorted = [...durations].sort((a, b) => a - b);
    return sorted.length === 0 ? null : sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1]! / 1000;
  };
  const invites = data.links.filter((l) => l.type === 'invite' && l.created_at >= from && l.created_at < to);
  const inWeek = (t: number | null, at: number) => t !== null && t >= at && t < at + 7 * DAY;
  const matured = invites.filter((l) => l.created_at <= now - 7 * DAY);
  const active = matured.filter((l) =>
    data.sessions.some(
      (s) =>
        s.user_id === l.user_id &&
        (inWeek(s.created_at, l.created_at) || inWeek(s.last_refreshed_at, l.created_at)),
    ),
  ).length;
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
    median: estimate(0.5),
    p90: estimate(0.9),
    exactMedian: exact(0.5),
    exactP90: exact(0.9),
    count: durations.length,
    invited: invites.length,
    signedIn: invites.filter((l) => l.redeemed_at !== null).length,
    active,
    matured: matured.length,
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

  const ranges = (): Array<[string, number, number]> => [
    ['whole days', base, base + 8 * DAY],
    ['partial days at both ends', base + 5 * HOUR, base + 6 * DAY + 3 * HOUR],
    ['up to now', base + 6 * DAY, Date.now()],
  ];
  const cases = () =>
    ranges().flatMap(([name, from, to]) =>
      ([undefined, 'login', 'invite'] as Array<LinkType | undefined>).map((type) => ({
        name,
        from,
        to,
        type,
      })),
    );

  async function check(from: number, to: number, type: LinkType | undefined) {
    const query = `from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}${type ? `&type=${type}` : ''}`;
    const res = await server.api('GET', `/v1/stats?${query}`);
    expect(res.statusCode, res.body).toBe(200);
    const stats = res.json();
    const want = expected(data, from, to, server.ctx.clock(), type);
    expect(want.funnel.created).toBeGreaterThan(20);
    expect(stats.funnel).toEqual(want.funnel);
    const ratio = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 10_000) / 10_000);
    expect(stats.conversion.sent_to_redeemed).toBe(ratio(want.sentRedeemed, want.funnel.sent));
    expect(stats.conversion.created_to_redeemed).toBe(ratio(want.funnel.redeemed, want.funnel.created));
    expect(stats.send_to_redeem_seconds).toEqual({ count: want.count, median: want.median, p90: want.p90 });
    // The estimate stays within its bucket (bounds at most 2.5 apart) of the exact percentile.
    if (want.count > 0)
      expect(stats.send_to_redeem_seconds.median).toBeGreaterThanOrEqual(want.exactMedian! / 2.5);
    if (want.count > 0) {
      expect(stats.send_to_redeem_seconds.median).toBeLessThanOrEqual(want.exactMedian! * 2.5 + 1);
      expect(stats.send_to_redeem_seconds.p90).toBeGreaterThanOrEqual(want.exactP90! / 2.5);
      expect(stats.send_to_redeem_seconds.p90).toBeLessThanOrEqual(want.exactP90! * 2.5 + 1);
    }
    const invited = type === undefined || type === 'invite';
    expect(stats.invites).toEqual({
      invited: invited ? want.invited : 0,
      signed_in: invited ? want.signedIn : 0,
      at_least_7_days_old: invited ? want.matured : 0,
      active_within_7_days: invited ? want.active : 0,
      active_within_7_days_share: invited ? ratio(want.active, want.matured) : null,
    });
    if (invited && want.matured > 0) expect(want.active).toBeGreaterThan(0);
    expect(new Map(stats.series.map((d: { date: string; created: number }) => [d.date, d.created]))).toEqual(
      want.days,
    );
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
    return stats;
  }

  it('matches figures computed independently, from the links alone', async () => {
    for (const c of cases()) await check(c.from, c.to, c.type);
  });

  it('answers the same once settled days are rolled up, and rolls each day up once', async () => {
    const before = [];
    for (const c of cases()) before.push(await check(c.from, c.to, c.type));
    const rolled = await rollupLinkStats(server.ctx);
    expect(rolled).toBeGreaterThan(10);
    expect(await rollupLinkStats(server.ctx)).toBe(0);
    const rows = await handle.db.selectFrom('link_stats_days').selectAll().execute();
    expect(rows.length).toBe(rolled);
    // Days with a link that is still outstanding (a 90-day link) are not final, so they stay live.
    const outstanding = new Set(
      data.links
        .filter((l) => l.expires_at > server.ctx.clock())
        .map((l) => `${Math.floor(l.created_at / DAY) * DAY}|${l.type}`),
    );
    for (const row of rows.filter((r) => r.app_id === server.appId)) {
      expect(outstanding.has(`${Number(row.day)}|${row.type}`)).toBe(false);
    }
    const after = [];
    for (const c of cases()) after.push(await check(c.from, c.to, c.type));
    const strip = (list: Array<Record<string, unknown>>) => list.map(({ to: _, ...rest }) => rest);
    expect(strip(after)).toEqual(strip(before));

    // The rolled-up days are read from their rows, not from the links: a link changed behind the service's back
    // (which a settled link never is) does not move them.
    const row = rows.find(
      (r) => r.app_id === server.appId && Number(r.day) >= base && Number(r.day) < base + 7 * DAY,
    )!;
    await handle.db
      .updateTable('magic_links')
      .set({ revoked_at: Number(row.day) + HOUR })
      .where('app_id', '=', server.appId)
      .where('type', '=', row.type)
      .where('created_at', '>=', Number(row.day))
      .where('created_at', '<', Number(row.day) + DAY)
      .execute();
    const [, from, to] = ranges()[0]!;
    const res = await server.api(
      'GET',
      `/v1/stats?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`,
    );
    expect(res.json().funnel).toEqual(before[0].funnel);
  });

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
