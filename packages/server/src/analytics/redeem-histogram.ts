/**
 * Time from send to redemption is kept as a histogram (per day, in the rolled-up figures), so that a period of any
 * length is answered by adding a few hundred small arrays. Bucket `i` holds durations below `REDEEM_BUCKETS_MS[i]`
 * (and at or above the bound before it); the last bucket holds everything from 30 days up. Bounds grow by about
 * half each step, so a percentile read from the histogram is within one bucket of the exact value, and is
 * interpolated linearly inside it. The bounds are part of the stored format (a rolled-up day keeps one count per
 * bucket in `link_stats_days`), so they never change for rows already written.
 */
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

export const REDEEM_BUCKETS_MS = [
  1 * S,
  2 * S,
  5 * S,
  10 * S,
  20 * S,
  30 * S,
  45 * S,
  1 * M,
  1.5 * M,
  2 * M,
  3 * M,
  4 * M,
  5 * M,
  7.5 * M,
  10 * M,
  15 * M,
  20 * M,
  30 * M,
  45 * M,
  1 * H,
  1.5 * H,
  2 * H,
  3 * H,
  4 * H,
  6 * H,
  9 * H,
  12 * H,
  18 * H,
  1 * D,
  1.5 * D,
  2 * D,
  3 * D,
  5 * D,
  7 * D,
  10 * D,
  14 * D,
  21 * D,
  30 * D,
];

export const BUCKET_COUNT = REDEEM_BUCKETS_MS.length + 1;

export function emptyHistogram(): number[] {
  return new Array<number>(BUCKET_COUNT).fill(0);
}

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
