/**
 * Time from send to redemption is kept as a histogram (per day, in the rolled-up figures), so that a period of any
 * length is answered by adding a few hundred small arrays. Bucket `i` holds durations below `REDEEM_BUCKETS_MS[i]`
 * (and at or above the bound before it); the last bucket holds everything from 30 days up. Bounds grow by about
 * half each step, so a percentile read from the histogram is within one bucket of the exact value, and is
 * interpolated linearly inside it.
 */
import { BUCKET_COUNT, REDEEM_BUCKETS_MS } from '../storage/redeem-buckets.js';

export function addHistogram(into: number[], from: readonly number[]): void {
  for (let i = 0; i < BUCKET_COUNT; i++) into[i]! += from[i] ?? 0;
}

/** The nearest-rank `p` percentile (0 < p ≤ 1), interpolated inside its bucket; null for an empty histogram. */
export function percentile(histogram: readonly number[], p: number): number | null {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let before = 0;
  for (let i = 0; i < histogram.length; i++) {
    const n = histogram[i]!;
    if (before + n >= rank) {
      const lower = i === 0 ? 0 : REDEEM_BUCKETS_MS[i - 1]!;
      const upper = REDEEM_BUCKETS_MS[i] ?? lower;
      return lower + ((upper - lower) * (rank - before)) / n;
    }
    before += n;
  }
  return null;
}
