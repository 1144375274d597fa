import { describe, expect, it } from 'vitest';
import { newId, pooledRandomBytes, randomSecret } from './tokens.js';

describe('pooledRandomBytes', () => {
  it('hands out every byte once, across refills of the pool', () => {
    const random = pooledRandomBytes();
    const seen = new Set<string>();
    // 10,000 secrets of 32 bytes go through the 4 KiB pool about 80 times, with draws that straddle its end.
    for (let i = 0; i < 10_000; i++) seen.add(randomSecret(random, i % 7 === 0 ? 10 : 32));
    expect(seen.size).toBe(10_000);
  });

  it('gives buffers of their own, of the size asked, also beyond the pool size', () => {
    const random = pooledRandomBytes();
    const first = random(16);
    const copy = Buffer.from(first);
    random(4000);
    random(200);
    expect(first).toEqual(copy);
    expect(random(10_000)).toHaveLength(10_000);
    expect(random(0)).toHaveLength(0);
  });

  it('makes ids that differ within one millisecond', () => {
    const random = pooledRandomBytes();
    const ids = new Set(Array.from({ length: 1000 }, () => newId('ml', 1_700_000_000_000, random)));
    expect(ids.size).toBe(1000);
  });
});
