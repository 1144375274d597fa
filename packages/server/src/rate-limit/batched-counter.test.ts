/**
 * The API-key limit counted in memory and added to the shared row in batches (batched-counter.ts): exact in one
 * process, bounded across several, and no statement per hit.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../test-support/databases.js';
import { useStore } from '../test-support/store-rows.js';
import { BatchedCounter } from './batched-counter.js';

const key = () => `api\u0000${randomBytes(8).toString('hex')}`;
const rule = { limit: 10, windowSeconds: 3600 };
const windowStart = () => Math.floor(Date.now() / 3_600_000) * 3_600_000;

describe.each(DIALECTS)('BatchedCounter on %s', (dialect) => {
  const fixture = useStore(dialect);
  const rows = () => fixture.db().selectFrom('rate_limits').select(['key_hash', 'count']).execute();

  it('writes nothing per hit, and adds a batch of hits in one statement', async () => {
    const counter = new BatchedCounter(fixture.store(), 60_000);
    const k = key();
    const before = (await rows()).length;
    for (let i = 0; i < 4; i++) expect(counter.hit(k, rule, windowStart()).allowed).toBe(true);
    expect(await rows()).toHaveLength(before);
    await counter.flush();
    const after = await rows();
    expect(after).toHaveLength(before + 1);
    expect(after.map((r) => Number(r.count))).toContain(4);
    await counter.close();
  });

  it('judges hits against what other processes flushed, so together they stop within one flush', async () => {
    const [one, two] = [
      new BatchedCounter(fixture.store(), 60_000),
      new BatchedCounter(fixture.openStore(), 60_000),
    ];
    const k = key();
    const now = windowStart();
    // Before anyone flushes, each process sees only its own hits: up to 2 × limit get through (the bound).
    const first = Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? one : two).hit(k, rule, now));
    const allowed = first.filter((d) => d.allowed).length;
    expect(allowed).toBeGreaterThanOrEqual(rule.limit);
    expect(allowed).toBeLessThanOrEqual(2 * rule.limit);
    await one.flush();
    await two.flush();
    await one.flush();
    // Once both have flushed, both know the shared count (30 hits) and refuse.
    expect(one.hit(k, rule, now).allowed).toBe(false);
    expect(two.hit(k, rule, now).allowed).toBe(false);
    await Promise.all([one.close(), two.close()]);
    expect((await rows()).map((r) => Number(r.count))).toContain(32);
  });

  it('flushes on its own after flushMs, and on close', async () => {
    const counter = new BatchedCounter(fixture.store(), 50);
    const k = key();
    counter.hit(k, rule, windowStart());
    const before = JSON.stringify(await rows());
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(JSON.stringify(await rows())).not.toBe(before);
    counter.hit(k, rule, windowStart());
    await counter.close();
    expect((await rows()).map((r) => Number(r.count))).toContain(2);
  });
});
