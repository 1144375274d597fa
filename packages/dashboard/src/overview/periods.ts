/**
 * The periods the Overview offers, counted in the operator's own days: "today" starts at their midnight, not
 * UTC's. `from` is sent as an instant; the server counts links created from then until now.
 */
export type PeriodId = 'today' | '7d' | '30d';

export interface Period {
  id: PeriodId;
  label: string;
  /** Calendar days, today included. */
  days: number;
}

export const PERIODS: readonly Period[] = [
  { id: 'today', label: 'Today', days: 1 },
  { id: '7d', label: 'Last 7 days', days: 7 },
  { id: '30d', label: 'Last 30 days', days: 30 },
];

/** The local midnight that starts the period, `days - 1` days before today's. */
export function periodStart(period: Period, now: Date): Date {
  const start = new Date(now);
  start.setHours(0, 0, 0, 0);
  start.setDate(start.getDate() - (period.days - 1));
  return start;
}
