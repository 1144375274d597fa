import { describe, expect, it } from 'vitest';
import { everyDay, valuesByDay } from './days.js';

describe('everyDay', () => {
  it('lists each UTC day between two times, both ends included', () => {
    expect(everyDay('2026-11-29T23:00:00.000Z', '2026-12-02T08:15:00.000Z')).toEqual([
      '2026-11-29',
      '2026-11-30',
      '2026-12-01',
      '2026-12-02',
    ]);
  });

  it('is one day within a day, and nothing when the end comes first', () => {
    expect(everyDay('2026-12-06T00:00:00Z', '2026-12-06T23:59:59Z')).toEqual(['2026-12-06']);
    expect(everyDay('2026-12-06T00:00:00Z', '2026-12-05T00:00:00Z')).toEqual([]);
  });

  it('stops at a year', () => {
    expect(everyDay('2020-01-01T00:00:00Z', '2026-01-01T00:00:00Z')).toHaveLength(366);
  });
});

describe('valuesByDay', () => {
  it('fills the days the series leaves out with zero', () => {
    const series = [
      { date: '2026-12-01', created: 4 },
      { date: '2026-12-03', created: 2 },
    ];
    expect(valuesByDay(['2026-12-01', '2026-12-02', '2026-12-03'], series, (d) => d.created)).toEqual([
      4, 0, 2,
    ]);
  });
});
