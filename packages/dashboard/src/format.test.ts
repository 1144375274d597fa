import { describe, expect, it } from 'vitest';
import { formatDuration, formatUtcTime } from './format.js';
import { PERIODS, periodStart } from './overview/periods.js';

describe('formatDuration', () => {
  it.each([
    [null, '—'],
    [0.4, '0 s'],
    [45, '45 s'],
    [95.2, '1 min 35 s'],
    [3_600, '1 h'],
    [7_500, '2 h 5 min'],
    [90_061, '1 d 1 h'],
    [30 * 86_400, '30 d'],
  ])('%s seconds → %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('formatUtcTime', () => {
  it('gives the exact time in UTC', () => {
    expect(formatUtcTime(new Date('2026-03-01T08:05:09.123Z'))).toBe('2026-03-01 08:05:09 UTC');
  });
});

describe('periodStart', () => {
  it('starts at the local midnight, counting today as the first day', () => {
    const now = new Date(2026, 2, 10, 15, 30);
    const [today, week, month] = PERIODS.map((period) => periodStart(period, now));
    expect(today).toEqual(new Date(2026, 2, 10, 0, 0));
    expect(week).toEqual(new Date(2026, 2, 4, 0, 0));
    expect(month).toEqual(new Date(2026, 1, 9, 0, 0));
  });
});
