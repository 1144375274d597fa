/**
 * The `RateLimiter` contract, run unchanged against the database limiter on SQLite and PostgreSQL and against the
 * Redis limiter. Every test counts on keys of its own, and the Redis suite uses a key prefix of its own, so runs in
 * parallel do not see each other's counters.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../test-support/databases.js';
import { TEST_REDIS_URL } from '../test-support/redis.js';
import { useStore } from '../test-support/store-rows.js';
import { DatabaseRateLimiter } from './database-rate-limiter.js';
import type { RateLimiter } from './rate-limiter.js';
import { RedisRateLimiter } from './redis-rate-limiter.js';

const key = () => `test\u0000${randomBytes(8).toString('hex')}`;
/** A time at the start of a minute-aligned window, so rules of 60 s have the whole window ahead. */
const windowStart = () => Math.floor(Date.now() / 3_600_000) * 3_600_000;

interface Backend {
  name: string;
  /** The limiter under test, and a second one on the same backing store, as another process would have. */
  limiters(): [RateLimiter, RateLimiter];
}

function databaseBackend(dialect: (typeof DIALECTS)[number]): Backend {
  const fixture = useStore(dialect);
  return {
    name: dialect,
    limiters: () => [new DatabaseRateLimiter(fixture.store()), new DatabaseRateLimiter(fixture.openStore())],
  };
}

function redisBackend(): Backend {
  const prefix = `latchkey-test:${randomBytes(6).toString('hex')}:`;
  const opened: RateLimiter[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((l) => l.close()));
  });
  return {
    name: 'redis',
    limiters: () => {
      const pair: [RateLimiter, RateLimiter] = [
        new RedisRateLimiter(TEST_REDIS_URL, { keyPrefix: prefix }),
        new RedisRateLimiter(TEST_REDIS_URL, { keyPrefix: prefix }),
      ];
      opened.push(...pair);
      return pair;
    },
  };
}

const backends: Array<[string, () => Backend]> = [
  ...DIALECTS.map((d): [string, () => Backend] => [d, () => databaseBackend(d)]),
  ['redis', redisBackend],
];

describe.each(backends)('RateLimiter on %s', (_name, make) => {
  const backend = make();
  const rule = { limit: 3, windowSeconds: 60 };

  it('allows exactly `limit` hits in a window, then refuses with the seconds left', async () => {
    const [limiter] = backend.limiters();
    const k = key();
    const now = windowStart() + 15_000;
    const decisions = [];
    for (let i = 0; i < 5; i++) decisions.push(await limiter.hit(k, rule, now));
    expect(decisions.map((d) => [d.allowed, d.count])).toEqual([
      [true, 1],
      [true, 2],
      [true, 3],
      [false, 4],
      [false, 5],
    ]);
    expect(decisions[3]!.retryAfterSeconds).toBe(45);
  });

  it('starts a fresh count when the window rolls over, and never answers less than 1 s', async () => {
    const [limiter] = backend.limiters();
    const k = key();
    const start = windowStart();
    for (let i = 0; i < 3; i++) await limiter.hit(k, rule, start + 1_000);
    const late = await limiter.hit(k, rule, start + 59_900);
    expect(late).toMatchObject({ allowed: false, count: 4, retryAfterSeconds: 1 });
    const next = await limiter.hit(k, rule, start + 60_000);
    expect(next).toMatchObject({ allowed: true, count: 1, retryAfterSeconds: 60 });
  });

  it('marks exactly one refused hit per key and window as the first refusal', async () => {
    const [limiter] = backend.limiters();
    const k = key();
    const start = windowStart();
    const first = [];
    for (let i = 0; i < 7; i++) first.push((await limiter.hit(k, rule, start)).firstRefusal);
    expect(first).toEqual([false, false, false, true, false, false, false]);
    const second = [];
    for (let i = 0; i < 5; i++) second.push((await limiter.hit(k, rule, start + 60_000)).firstRefusal);
    expect(second).toEqual([false, false, false, true, false]);
  });

  it('keeps keys and window lengths apart', async () => {
    const [limiter] = backend.limiters();
    const [a, b] = [key(), key()];
    const now = windowStart();
    for (let i = 0; i < 3; i++) await limiter.hit(a, rule, now);
    expect((await limiter.hit(a, rule, now)).allowed).toBe(false);
    expect(await limiter.hit(b, rule, now)).toMatchObject({ allowed: true, count: 1 });
    expect(await limiter.hit(a, { limit: 3, windowSeconds: 120 }, now)).toMatchObject({
      allowed: true,
      count: 1,
    });
  });

  it('counts N concurrent hits from two clients as exactly N, and lets exactly `limit` through', async () => {
    const [one, two] = backend.limiters();
    const k = key();
    const now = windowStart();
    const big = { limit: 25, windowSeconds: 60 };
    const decisions = await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? one : two).hit(k, big, now)),
    );
    expect(decisions.map((d) => d.count).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 60 }, (_, i) => i + 1),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(25);
    expect(decisions.filter((d) => d.firstRefusal)).toHaveLength(1);
  });
});

describe.each(backends)('RateLimiter.hitLoosely on %s', (_name, make) => {
  const backend = make();
  const rule = { limit: 5, windowSeconds: 60 };

  it('lets exactly `limit` hits of one client through, with one first refusal', async () => {
    const [limiter] = backend.limiters();
    const k = key();
    const decisions = [];
    for (let i = 0; i < 8; i++) decisions.push(await limiter.hitLoosely(k, rule, windowStart()));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false, false, false]);
    expect(decisions.map((d) => d.firstRefusal)).toEqual([
      false,
      false,
      false,
      false,
      false,
      true,
      false,
      false,
    ]);
  });

  it('lets two clients together through at least `limit` times and at most twice that', async () => {
    const [one, two] = backend.limiters();
    const k = key();
    const decisions = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? one : two).hitLoosely(k, rule, windowStart())),
    );
    const allowed = decisions.filter((d) => d.allowed).length;
    expect(allowed).toBeGreaterThanOrEqual(rule.limit);
    expect(allowed).toBeLessThanOrEqual(2 * rule.limit);
  });
});

describe.each(DIALECTS)('DatabaseRateLimiter on %s', (dialect) => {
  const fixture = useStore(dialect);

  it('stores a hash, never the key, and purges only windows that have ended', async () => {
    const limiter = new DatabaseRateLimiter(fixture.store());
    const secretKey = `ip\u0000203.0.113.${randomBytes(1)[0]}`;
    const start = windowStart();
    await limiter.hit(secretKey, { limit: 5, windowSeconds: 60 }, start);
    await limiter.hit(secretKey, { limit: 5, windowSeconds: 60 }, start + 60_000);
    const rows = await fixture.db().selectFrom('rate_limits').selectAll().execute();
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) {
      expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(row)).not.toContain('203.0.113');
    }
    expect(await limiter.purgeExpired(start + 60_000)).toBeGreaterThanOrEqual(1);
    const left = await fixture.db().selectFrom('rate_limits').select('window_start').execute();
    expect(left.map((r) => Number(r.window_start))).toContain(start + 60_000);
    expect(left.map((r) => Number(r.window_start))).not.toContain(start);
  });
});

describe('RedisRateLimiter when Redis is down', () => {
  it('fails the hit within a few seconds instead of waiting, and closes cleanly', async () => {
    const errors: Error[] = [];
    const limiter = new RedisRateLimiter('redis://127.0.0.1:1', { onError: (e) => errors.push(e) });
    const started = Date.now();
    await expect(limiter.hit(key(), { limit: 5, windowSeconds: 60 }, Date.now())).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5_000);
    await limiter.close();
  });
});

describe('RedisRateLimiter.ping', () => {
  it('answers when Redis does and throws when it does not', async () => {
    const up = new RedisRateLimiter(TEST_REDIS_URL);
    const down = new RedisRateLimiter('redis://127.0.0.1:1');
    try {
      await expect(up.ping()).resolves.toBeUndefined();
      // Where Redis is and why it does not answer, not ioredis's "max retries per request" about our options.
      await expect(down.ping()).rejects.toThrow(
        'Redis at 127.0.0.1:1 does not answer: the connection was refused (is Redis running?)',
      );
    } finally {
      await Promise.all([up.close(), down.close()]);
    }
  });
});
