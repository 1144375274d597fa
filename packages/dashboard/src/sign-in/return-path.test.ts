import { describe, expect, it } from 'vitest';
import { safeReturnPath } from './return-path.js';

describe('safeReturnPath', () => {
  it('keeps a dashboard path with its query', () => {
    expect(safeReturnPath('/links/ml_123')).toBe('/links/ml_123');
    expect(safeReturnPath('/events?type=magic_link.redeemed')).toBe('/events?type=magic_link.redeemed');
  });

  it.each([
    null,
    '',
    'https://evil.example/',
    '//evil.example/x',
    '/\\evil.example',
    '\\\\evil.example',
    'javascript:alert(1)',
    '/.//evil.example',
    '/\n/evil.example',
    '/',
    '/sign-in',
    '/sign-in?next=/links',
    'links/relative',
  ])('refuses %j', (raw) => {
    expect(safeReturnPath(raw)).toBeNull();
  });
});
