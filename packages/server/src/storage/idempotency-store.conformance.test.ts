/**
 * The idempotency part of the storage contract (`IdempotencyStore`), run unchanged against SQLite and PostgreSQL.
 * Every test uses its own API key id, so the tests share one database per dialect.
 */
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../test-support/databases.js';
import { DAY, HOUR, id, MINUTE, secretHash, useStore } from '../test-support/store-rows.js';
import type { IdempotencyRow } from './rows.js';

const T0 = Date.UTC(2026, 0, 1);

function pendingRow(apiKeyId: string, at: number, overrides: Partial<IdempotencyRow> = {}): IdempotencyRow {
  return {
    api_key_id: apiKeyId,
    key_hash: secretHash(),
    fingerprint: secretHash(),
    state: 'pending',
    response_status: null,
    response_type: null,
    response_body: null,
    created_at: at,
    expires_at: at + DAY,
    ...overrides,
  };
}

const RESPONSE = { status: 201, type: 'application/json; charset=utf-8', body: 'v1.sealed.answer' };

describe.each(DIALECTS)('idempotency store on %s', (dialect) => {
  const { store, db, openStore } = useStore(dialect);

  const rowOf = (row: IdempotencyRow) =>
    db()
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('api_key_id', '=', row.api_key_id)
      .where('key_hash', '=', row.key_hash)
      .executeTakeFirst();

  it('starts a new key, then replays its stored answer for the same request', async () => {
    const row = pendingRow(id('key', T0), T0);
    expect(await store().beginIdempotentRequest(row, T0 - HOUR)).toEqual({ outcome: 'started' });
    await store().completeIdempotentRequest(row.api_key_id, row.key_hash, RESPONSE);
    const again = await store().beginIdempotentRequest({ ...row, created_at: T0 + MINUTE }, T0);
    expect(again.outcome).toBe('replay');
    expect(again.outcome === 'replay' && again.row).toMatchObject({
      state: 'done',
      fingerprint: row.fingerprint,
      response_status: 201,
      response_type: RESPONSE.type,
      response_body: RESPONSE.body,
      created_at: T0,
      expires_at: T0 + DAY,
    });
  });

  it('answers in_progress for the same request while the first still runs', async () => {
    const row = pendingRow(id('key', T0), T0);
    await store().beginIdempotentRequest(row, T0 - HOUR);
    expect(await store().beginIdempotentRequest({ ...row, created_at: T0 + 1 }, T0 - HOUR)).toEqual({
      outcome: 'in_progress',
    });
  });

  it('answers mismatch for another request under the same key, pending or done, and keeps the first', async () => {
    const row = pendingRow(id('key', T0), T0);
    await store().beginIdempotentRequest(row, T0 - HOUR);
    const other = { ...row, fingerprint: secretHash() };
    expect(await store().beginIdempotentRequest(other, T0 - HOUR)).toEqual({ outcome: 'mismatch' });
    await store().completeIdempotentRequest(row.api_key_id, row.key_hash, RESPONSE);
    expect(await store().beginIdempotentRequest(other, T0 - HOUR)).toEqual({ outcome: 'mismatch' });
    expect(await rowOf(row)).toMatchObject({ fingerprint: row.fingerprint, state: 'done' });
  });

  it('keeps keys apart per API key', async () => {
    const row = pendingRow(id('key', T0), T0);
    await store().beginIdempotentRequest(row, T0 - HOUR);
    const otherKey = { ...row, api_key_id: id('key', T0), fingerprint: secretHash() };
    expect(await store().beginIdempotentRequest(otherKey, T0 - HOUR)).toEqual({ outcome: 'started' });
  });

  it('lets exactly one of many concurrent first requests start, across connections', async () => {
    const row = pendingRow(id('key', T0), T0);
    const stores = [store(), openStore(), openStore(), store(), openStore()];
    const outcomes = await Promise.all(stores.map((s) => s.beginIdempotentRequest({ ...row }, T0 - HOUR)));
    expect(outcomes.filter((o) => o.outcome === 'started')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'in_progress')).toHaveLength(stores.length - 1);
  });

  it('takes over a pending row whose request died, and an expired row', async () => {
    const stale = pendingRow(id('key', T0), T0);
    await store().beginIdempotentRequest(stale, T0 - HOUR);
    const retry = {
      ...stale,
      fingerprint: secretHash(),
      created_at: T0 + 20 * MINUTE,
      expires_at: T0 + 2 * DAY,
    };
    // Not stale yet: the first request may still be running.
    expect(await store().beginIdempotentRequest(retry, T0 - 1)).toEqual({ outcome: 'mismatch' });
    expect(await store().beginIdempotentRequest(retry, T0 + 10 * MINUTE)).toEqual({ outcome: 'started' });
    expect(await rowOf(stale)).toMatchObject({
      fingerprint: retry.fingerprint,
      created_at: retry.created_at,
    });

    const done = pendingRow(id('key', T0), T0);
    await store().beginIdempotentRequest(done, T0 - HOUR);
    await store().completeIdempotentRequest(done.api_key_id, done.key_hash, RESPONSE);
    const later = { ...done, created_at: T0 + DAY, expires_at: T0 + 2 * DAY };
    expect(await store().beginIdempotentRequest(later, T0)).toEqual({ outcome: 'started' });
    expect(await rowOf(done)).toMatchObject({ state: 'pending', response_body: null, created_at: T0 + DAY });
  });

  it('releases a pending row so the key can run again, but never a finished one', async () => {
    const row = pendingRow(id('key', T0), T0);
    await store().beginIdempotentRequest(row, T0 - HOUR);
    await store().releaseIdempotentRequest(row.api_key_id, row.key_hash);
    expect(await rowOf(row)).toBeUndefined();
    expect(await store().beginIdempotentRequest(row, T0 - HOUR)).toEqual({ outcome: 'started' });
    await store().completeIdempotentRequest(row.api_key_id, row.key_hash, RESPONSE);
    await store().releaseIdempotentRequest(row.api_key_id, row.key_hash);
    expect(await rowOf(row)).toMatchObject({ state: 'done' });
  });

  it('does not overwrite a finished answer', async () => {
    const row = pendingRow(id('key', T0), T0);
    await store().beginIdempotentRequest(row, T0 - HOUR);
    await store().completeIdempotentRequest(row.api_key_id, row.key_hash, RESPONSE);
    await store().completeIdempotentRequest(row.api_key_id, row.key_hash, { ...RESPONSE, body: 'other' });
    expect((await rowOf(row))?.response_body).toBe(RESPONSE.body);
  });

  it('purges rows past their expiry and keeps the rest', async () => {
    const apiKeyId = id('key', T0);
    const old = pendingRow(apiKeyId, T0 - 2 * DAY);
    const recent = pendingRow(apiKeyId, T0 - HOUR);
    await store().beginIdempotentRequest(old, T0 - 3 * DAY);
    await store().beginIdempotentRequest(recent, T0 - 3 * DAY);
    expect(await store().purgeIdempotencyKeys(T0)).toBeGreaterThanOrEqual(1);
    expect(await rowOf(old)).toBeUndefined();
    expect(await rowOf(recent)).toBeDefined();
  });
});
