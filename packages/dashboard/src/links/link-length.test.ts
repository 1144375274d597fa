import { describe, expect, it } from 'vitest';
import { filterQuery, NO_FILTERS } from './link-filters.js';
import { lengthInWords } from './link-length.js';

describe('lengthInWords', () => {
  it('says a link’s length in the largest whole unit', () => {
    expect(lengthInWords(1)).toBe('1 minute');
    expect(lengthInWords(15)).toBe('15 minutes');
    expect(lengthInWords(90)).toBe('90 minutes');
    expect(lengthInWords(60)).toBe('1 hour');
    expect(lengthInWords(180)).toBe('3 hours');
    expect(lengthInWords(1440)).toBe('1 day');
    expect(lengthInWords(43_200)).toBe('30 days');
  });
});

describe('filterQuery', () => {
  it('leaves out what is not filtered and trims the search', () => {
    expect(filterQuery({ ...NO_FILTERS, identifier: '  ada ', status: 'sent' })).toEqual({
      identifier: 'ada',
      status: 'sent',
      type: undefined,
      channel: undefined,
      language: undefined,
      campaign_id: undefined,
      created_from: undefined,
      created_to: undefined,
    });
  });

  it('turns local days into the UTC times of their midnights, the last day included', () => {
    const query = filterQuery({ ...NO_FILTERS, created_from: '2026-03-01', created_to: '2026-03-01' });
    expect(query.created_from).toBe(new Date(2026, 2, 1).toISOString());
    expect(query.created_to).toBe(new Date(2026, 2, 2).toISOString());
  });
});
