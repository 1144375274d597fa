import { formatUtcTime } from '../format.js';

const precise = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/**
 * A time in the operator's zone to the second, with the exact UTC time on hover, like LocalTime: a link's story
 * often happens within one minute (sent, delivered, opened, redeemed), and minutes alone would not order it.
 */
export function PreciseTime({ value }: { value: string }) {
  const date = new Date(value);
  return (
    <time dateTime={date.toISOString()} title={formatUtcTime(date)}>
      {precise.format(date)}
    </time>
  );
}
