import { formatLocalTime, formatUtcTime } from './format.js';

/** A time in the operator's zone; hovering shows the exact UTC time, and machines read `dateTime`. */
export function LocalTime({ value }: { value: Date | string }) {
  const date = typeof value === 'string' ? new Date(value) : value;
  return (
    <time dateTime={date.toISOString()} title={formatUtcTime(date)}>
      {formatLocalTime(date)}
    </time>
  );
}
