import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { oncePerTurn } from './once-per-turn.js';

describe('oncePerTurn', () => {
  it('reads once within a turn, including across awaited promises', async () => {
    let reads = 0;
    const version = oncePerTurn(() => ++reads);
    expect(version()).toBe(1);
    await Promise.resolve();
    expect(version()).toBe(1);
    expect(reads).toBe(1);
  });

  it('reads again in the next turn, so a change made meanwhile is seen', async () => {
    let current = 1;
    const version = oncePerTurn(() => current);
    expect(version()).toBe(1);
    current = 2;
    await nextTurn();
    expect(version()).toBe(2);
  });

  it('keeps NaN (a closed database) for the turn too', async () => {
    let reads = 0;
    const version = oncePerTurn(() => {
      reads++;
      return Number.NaN;
    });
    expect(version()).toBeNaN();
    expect(version()).toBeNaN();
    expect(reads).toBe(1);
  });
});
