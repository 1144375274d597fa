/** A share from 0 to 1 with four decimals, as every funnel answers it; null when there is nothing to divide by. */
export function shareOf(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}
