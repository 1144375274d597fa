import { describe, expect, it } from 'vitest';
import {
  hashSecret,
  newId,
  orderedSecret,
  pooledRandomBytes,
  randomSecret,
  secretLookupHash,
} from './tokens.js';

describe('hashSecret', () => {
  it('is the SHA-256 of the UTF-8 text, so hashes stored by every earlier version still match', () => {
    expect(hashSecret('lk_sk_exämple')).toBe('IMSrYOpCjSYRKBGwkuvzqXE8IA8xVZ3Ty3yUEbClKKI');
  });
});

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

describe('ordered secrets', () => {
  const random = pooledRandomBytes();

  it('are 6 characters of time and 43 random ones, and their lookup hashes sort by time', () => {
    const times = [1_700_000_000_000, 1_700_000_000_001, 1_700_000_000_064, 1_700_000_262_144];
    const secrets = times.map((t) => orderedSecret(t, random));
    for (const secret of secrets) expect(secret).toMatch(/^[A-Za-z0-9_-]{49}$/);
    const hashes = secrets.map((secret) => secretLookupHash(secret));
    expect([...hashes].reverse().sort()).toEqual(hashes);
  });

  it('hash the whole secret, behind the time in clear', () => {
    const secret = orderedSecret(1_700_000_000_000, random);
    expect(secretLookupHash(secret)).toBe(`${secret.slice(0, 6)}${hashSecret(secret)}`);
    const prefixed = `lk_rt_${secret}`;
    expect(secretLookupHash(prefixed, 'lk_rt_')).toBe(`${secret.slice(0, 6)}${hashSecret(prefixed)}`);
  });

  it('keep the plain hash for secrets made before them, so those still match their stored rows', () => {
    const legacy = randomSecret(random);
    expect(secretLookupHash(legacy)).toBe(hashSecret(legacy));
    // 49 characters in all, like an ordered secret without a prefix: the prefix tells them apart.
    expect(secretLookupHash(`lk_rt_${legacy}`, 'lk_rt_')).toBe(hashSecret(`lk_rt_${legacy}`));
  });

  it('differ within one millisecond', () => {
    const secrets = new Set(Array.from({ length: 1000 }, () => orderedSecret(1_700_000_000_000, random)));
    expect(secrets.size).toBe(1000);
  });
});
