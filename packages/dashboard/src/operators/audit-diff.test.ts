import { describe, expect, it } from 'vitest';
import { changedFields } from './audit-diff.js';

describe('changedFields', () => {
  it('lists only the fields that differ, nested ones by their path', () => {
    const before = { id: 'app_1', name: 'Acme', redirects: { allowed: ['https://a.example'] }, ttl: 900 };
    const after = {
      id: 'app_1',
      name: 'Acme',
      redirects: { allowed: ['https://a.example', 'https://b.example'] },
      ttl: 600,
    };
    expect(changedFields(before, after)).toEqual([
      {
        field: 'redirects.allowed',
        before: 'https://a.example',
        after: 'https://a.example, https://b.example',
      },
      { field: 'ttl', before: '900', after: '600' },
    ]);
  });

  it('shows a creation as every field after, and a deletion as every field before', () => {
    expect(changedFields(null, { role: 'viewer' })).toEqual([
      { field: 'role', before: '—', after: 'viewer' },
    ]);
    expect(changedFields({ email: 'a@b.example' }, null)).toEqual([
      { field: 'email', before: 'a@b.example', after: '—' },
    ]);
  });

  it('counts a list of records instead of printing it', () => {
    expect(changedFields({ data: [{ id: 'op_1' }, { id: 'op_2' }] }, null)).toEqual([
      { field: 'data', before: '2 items', after: '—' },
    ]);
  });

  it('tells null from absent and an empty string from nothing', () => {
    expect(changedFields({ a: null, b: '' }, { a: 'x', b: 'y' })).toEqual([
      { field: 'a', before: 'none', after: 'x' },
      { field: 'b', before: '""', after: 'y' },
    ]);
  });
});

describe('actionOf', () => {
  it('reads what a change did from its route pattern', async () => {
    const { actionOf } = await import('./audit-log.js');
    expect(actionOf('PATCH', '/dashboard/api/v1/apps/:app_id')).toBe('changed app');
    expect(actionOf('POST', '/dashboard/api/v1/magic-links')).toBe('created magic link');
    expect(actionOf('POST', '/dashboard/api/v1/magic-links/:link_id/revoke')).toBe('revoke (magic link)');
    expect(actionOf('PUT', '/dashboard/api/v1/templates/:type/:language')).toBe('replaced template');
    expect(actionOf('POST', '/dashboard/api/v1/apps/:app_id/magic-links')).toBe('created magic link');
    expect(actionOf('DELETE', '/dashboard/api/operators/:operator_id')).toBe('deleted operator');
    expect(actionOf('POST', '/dashboard/api/v1/session-keys/rotate')).toBe('rotate (session key)');
  });
});
