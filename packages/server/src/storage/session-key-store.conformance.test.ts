/**
 * Session-key rotation in the storage contract, run against SQLite and PostgreSQL. Session keys belong to the whole
 * installation, so each test gets a database of its own.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { randomSecret } from '../crypto/tokens.js';
import { DIALECTS } from '../test-support/databases.js';
import { eventRow, useStore } from '../test-support/store-rows.js';
import type { SessionKeyRow } from './rows.js';

function sessionKeyRow(at: number, retiredAt: number | null = null): SessionKeyRow {
  return {
    kid: randomSecret(randomBytes, 8),
    alg: 'ES256',
    private_jwk: 'sealed',
    public_jwk: '{"kty":"EC"}',
    created_at: at,
    retired_at: retiredAt,
  };
}

describe.each(DIALECTS)('session keys on %s', (dialect) => {
  const { store, db } = useStore(dialect, { perTest: true });

  it('retires every active key but the one kept, with its events, and leaves retired keys as they were', async () => {
    const now = Date.now();
    const long = sessionKeyRow(now - 3, now - 2);
    const a = sessionKeyRow(now - 1);
    const b = sessionKeyRow(now);
    const kept = sessionKeyRow(now + 1);
    for (const key of [long, a, b, kept]) await store().insertSessionKey(key);
    const event = eventRow(null, 'session_key.rotated', kept.kid, now + 5);

    expect(await store().retireSessionKeys(kept.kid, now + 5, [event])).toBe(2);
    const byKid = new Map((await store().listSessionKeys()).map((k) => [k.kid, k.retired_at]));
    expect(byKid.get(kept.kid)).toBeNull();
    expect(byKid.get(a.kid)).toBe(now + 5);
    expect(byKid.get(b.kid)).toBe(now + 5);
    expect(byKid.get(long.kid)).toBe(now - 2);
    const events = await db()
      .selectFrom('events')
      .selectAll()
      .where('type', '=', 'session_key.rotated')
      .execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ subject_id: kept.kid, app_id: null });
  });

  it('retires nothing when the kept key is the only active one', async () => {
    const only = sessionKeyRow(Date.now());
    await store().insertSessionKey(only);
    expect(await store().retireSessionKeys(only.kid, Date.now(), [])).toBe(0);
    expect((await store().listSessionKeys())[0]?.retired_at).toBeNull();
  });
});
