import { describe, expect, it } from 'vitest';
import { ConfigCache } from './config-cache.js';

/** A read whose answer the test releases when it wants, to overlap it with a write. */
function heldRead(value: string) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const read = async () => {
    await released;
    return value;
  };
  return { read, release };
}

describe('ConfigCache', () => {
  it('reads once, then answers from memory until something changes', async () => {
    let reads = 0;
    const cache = new ConfigCache<string, { v: number }>(() => 1);
    const read = async () => ({ v: ++reads });
    expect(await cache.get('a', read)).toEqual({ v: 1 });
    expect(await cache.get('a', read)).toEqual({ v: 1 });
    await cache.changing(async () => {});
    expect(await cache.get('a', read)).toEqual({ v: 2 });
  });

  it('forgets everything when another process has written', async () => {
    let version = 1;
    let reads = 0;
    const cache = new ConfigCache<string, number>(() => version);
    const read = async () => ++reads;
    await cache.get('a', read);
    expect(await cache.get('a', read)).toBe(1);
    version = 2;
    expect(await cache.get('a', read)).toBe(2);
  });

  it('does not keep a row read while a write was running', async () => {
    const cache = new ConfigCache<string, string>(() => 1);
    const stale = heldRead('before the write');
    const reading = cache.get('a', stale.read);
    await cache.changing(async () => {});
    stale.release();
    expect(await reading).toBe('before the write');
    expect(await cache.get('a', async () => 'after the write')).toBe('after the write');
  });

  it('does not keep a row read while another process wrote', async () => {
    let version = 1;
    const cache = new ConfigCache<string, string>(() => version);
    const stale = heldRead('old');
    const reading = cache.get('a', stale.read);
    version = 2;
    stale.release();
    await reading;
    expect(await cache.get('a', async () => 'new')).toBe('new');
  });

  it('keeps no unknown keys, and at most `limit` rows', async () => {
    let reads = 0;
    const cache = new ConfigCache<string, number>(() => 1, 2);
    const missing = async () => {
      reads++;
      return undefined;
    };
    await cache.get('nobody', missing);
    await cache.get('nobody', missing);
    expect(reads).toBe(2);

    const count = async () => ++reads;
    await cache.get('a', count);
    await cache.get('b', count);
    await cache.get('c', count);
    const before = reads;
    await cache.get('c', count);
    expect(reads).toBe(before);
  });
});
