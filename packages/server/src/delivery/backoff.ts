import type { RandomBytes } from '../crypto/tokens.js';

/** No retry waits longer than an hour, however many attempts came before. */
const MAX_DELAY_MS = 60 * 60 * 1000;

/**
 * The wait before attempt `attempt + 1`: exponential from `baseMs`, with "equal jitter" (half fixed, half random)
 * so that messages failing together do not retry together. `random` is a number in [0, 1).
 */
export function retryDelay(attempt: number, baseMs: number, random: number): number {
  const ceiling = Math.min(MAX_DELAY_MS, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

/** A number in [0, 1) from the injected randomness: the jitter of every retry schedule (the outbox's, webhooks'). */
export function jitterFraction(random: RandomBytes): number {
  return random(4).readUInt32BE(0) / 2 ** 32;
}
