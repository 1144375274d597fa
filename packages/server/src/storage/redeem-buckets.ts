/**
 * The bounds of the send-to-redemption histogram. They are part of the stored format: the rolled-up days in
 * `link_stats_days` keep one count per bucket, so the bounds live with the schema and never change for stored
 * rows. Bucket `i` holds durations below `REDEEM_BUCKETS_MS[i]` (and at or above the bound before it); the last
 * bucket holds everything from 30 days up. See analytics/redeem-histogram.ts for how they are read.
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
