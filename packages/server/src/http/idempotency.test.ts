/** `Idempotency-Key` on link creation and bulk, through the real routes and store, on SQLite and PostgreSQL. */
import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMaintenance } from '../runtime.js';
import { openDatabase } from '../storage/database.js';
import type { Database } from '../storage/schema.js';
import { DIALECTS } from '../test-support/databases.js';
import {
  createOtherApp,
  startTestServer,
  TEST_REDIRECT,
  type TestServer,
  uniqueEmail,
} from '../test-support/test-server.js';
import { IDEMPOTENCY_STALE_MS, IDEMPOTENCY_TTL_MS } from './idempotency.js';

describe.each(DIALECTS)('Idempotency-Key on %s', (dialect) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(async () => {
    await server?.close();
  });

  function create(body: unknown, key: string | undefined, apiKey = server.apiKey, url = '/v1/magic-links') {
    return server.app.inject({
      method: 'POST',
      url,
      headers: {
        authorization: `Bearer ${apiKey}`,
        'content-type': 'application/json',
        ...(key === undefined ? {} : { 'idempotency-key': key }),
      },
      payload: JSON.stringify(body),
    });
  }

  async function linksFor(email: string): Promise<string[]> {
    const user = await server.api('GET', `/v1/users?email=${encodeURIComponent(email)}`);
    const userId = (user.json().data as Array<{ id: string }>)[0]?.id;
    if (!userId) return [];
    const res = await server.api('GET', `/v1/magic-links?user_id=${userId}&limit=500`);
    return (res.json().data as Array<{ id: string }>).map((l) => l.id);
  }

  it('replays the first answer for a retry with the same key and body, creating one link', async () => {
    const email = uniqueEmail();
    const key = randomUUID();
    const first = await create({ email, metadata: { order: 1 } }, key);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await create({ email, metadata: { order: 1 } }, key);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['content-type']).toContain('application/json');
    expect(again.json()).toEqual(first.json());
    expect(await linksFor(email)).toEqual([first.json().magic_link.id]);
  });

  it('creates a link per request when no key is sent', async () => {
    const email = uniqueEmail();
    await create({ email }, undefined);
    await create({ email }, undefined);
    expect(await linksFor(email)).toHaveLength(2);
  });

  it('refuses the same key with another body (409 idempotency_key_reused) and creates nothing', async () => {
    const email = uniqueEmail();
    const other = uniqueEmail();
    const key = randomUUID();
    expect((await create({ email }, key)).statusCode).toBe(201);
    const res = await create({ email: other }, key);
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'idempotency_key_reused', param: 'Idempotency-Key' });
    expect(await linksFor(other)).toEqual([]);
    // The same body on the app-path route is another request too.
    const viaApp = await create({ email }, key, server.apiKey, `/v1/apps/${server.appId}/magic-links`);
    expect(viaApp.json().error.code).toBe('idempotency_key_reused');
  });

  it('lets only one of many concurrent requests with the same key create a link', async () => {
    const email = uniqueEmail();
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 8 }, () => create({ email }, key)));
    const fresh = answers.filter(
      (a) => a.statusCode === 201 && a.headers['idempotent-replayed'] === undefined,
    );
    expect(fresh).toHaveLength(1);
    for (const a of answers) {
      if (a.statusCode === 201) expect(a.json().magic_link.id).toBe(fresh[0]!.json().magic_link.id);
      else {
        expect(a.statusCode).toBe(409);
        expect(a.json().error.code).toBe('idempotency_key_in_use');
        expect(a.headers['retry-after']).toBe('1');
      }
    }
    expect(await linksFor(email)).toHaveLength(1);
  });

  it('scopes keys per API key', async () => {
    const created = await server.api('POST', '/v1/api-keys', { label: 'second' });
    const secondKey = created.json().key as string;
    const email = uniqueEmail();
    const key = randomUUID();
    const a = await create({ email }, key);
    const b = await create({ email }, key, secondKey);
    expect(b.statusCode).toBe(201);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.json().magic_link.id).not.toBe(a.json().magic_link.id);
  });

  it('treats the same body for another app (admin key, Latchkey-App) as another request', async () => {
    const other = await createOtherApp(server);
    const key = randomUUID();
    const body = JSON.stringify({ email: uniqueEmail() });
    const asAdmin = (appId: string) =>
      server.app.inject({
        method: 'POST',
        url: '/v1/magic-links',
        headers: {
          authorization: `Bearer ${server.adminKey}`,
          'content-type': 'application/json',
          'latchkey-app': appId,
          'idempotency-key': key,
        },
        payload: body,
      });
    const first = await asAdmin(server.appId);
    expect(first.statusCode).toBe(201);
    const second = await asAdmin(other.appId);
    expect(second.statusCode).toBe(409);
    expect(second.json().error.code).toBe('idempotency_key_reused');
    expect((await asAdmin(server.appId)).json()).toEqual(first.json());
  });

  it('stores no answer for a failed request, so a corrected retry with the same key runs', async () => {
    const email = uniqueEmail();
    const key = randomUUID();
    const bad = await create({ email, redirect_url: 'https://evil.example.net/' }, key);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('redirect_not_allowed');
    const good = await create({ email, redirect_url: TEST_REDIRECT }, key);
    expect(good.statusCode).toBe(201);
    expect(good.headers['idempotent-replayed']).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['with a space', 'my key'],
    ['non-ASCII', 'clé'],
  ])('refuses a malformed key (%s) with a 400 and creates nothing', async (_name, key) => {
    const email = uniqueEmail();
    const res = await create({ email }, key);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', param: 'Idempotency-Key' });
    expect(await linksFor(email)).toEqual([]);
  });

  it('answers 401, not a key error, without a valid API key', async () => {
    const res = await create({ email: uniqueEmail() }, '', 'lk_sk_notarealkeynotarealkey');
    expect(res.json().error.code).toBe('unauthorized');
  });

  it('keeps the key only as a hash and the answer sealed (it holds the link token)', async () => {
    const key = `order-${randomUUID()}`;
    const res = await create({ email: uniqueEmail() }, key);
    const secret = res.json().magic_link.secret as string;
    const rows = await withDb((db) => db.selectFrom('idempotency_keys').selectAll().execute());
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(key);
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain(res.json().magic_link.id);
  });

  it('forgets a key after 24 hours, and the maintenance job purges it', async () => {
    const email = uniqueEmail();
    const key = randomUUID();
    const first = await create({ email }, key);
    server.advance(IDEMPOTENCY_TTL_MS + 1_000);
    const later = await create({ email }, key);
    expect(later.statusCode).toBe(201);
    expect(later.headers['idempotent-replayed']).toBeUndefined();
    expect(later.json().magic_link.id).not.toBe(first.json().magic_link.id);

    const before = await countRows();
    expect(before).toBeGreaterThan(0);
    server.advance(IDEMPOTENCY_TTL_MS + 1_000);
    const stop = startMaintenance(server.ctx);
    try {
      await expect.poll(countRows).toBe(0);
    } finally {
      stop();
    }
  });

  it('runs again when the first request died mid-way and left its key pending', async () => {
    const email = uniqueEmail();
    const key = randomUUID();
    // What a process that stopped after claiming the key leaves behind.
    await create({ email }, key);
    await withDb((db) =>
      db
        .updateTable('idempotency_keys')
        .set({ state: 'pending', response_body: null })
        .where('key_hash', '=', createHash('sha256').update(key).digest('hex'))
        .execute(),
    );
    const retry = await create({ email }, key);
    expect(retry.statusCode).toBe(409);
    expect(retry.json().error.code).toBe('idempotency_key_in_use');
    server.advance(IDEMPOTENCY_STALE_MS + 1_000);
    const later = await create({ email }, key);
    expect(later.statusCode).toBe(201);
    expect(later.headers['idempotent-replayed']).toBeUndefined();
  });

  describe('bulk', () => {
    function bulk(payload: string, contentType: string, accept: string, key?: string) {
      return server.app.inject({
        method: 'POST',
        url: '/v1/magic-links/bulk',
        headers: {
          authorization: `Bearer ${server.apiKey}`,
          'content-type': contentType,
          accept,
          ...(key === undefined ? {} : { 'idempotency-key': key }),
        },
        payload,
      });
    }

    it.each([
      ['text/csv', 'text/csv'],
      ['application/json', 'application/json'],
      ['application/x-ndjson', 'application/x-ndjson'],
    ])('replays a %s answer without creating the rows again', async (accept, type) => {
      const emails = [uniqueEmail(), uniqueEmail()];
      const csv = `email\n${emails[0]}\nnot-an-email\n${emails[1]}\n`;
      const key = randomUUID();
      const first = await bulk(csv, 'text/csv', accept, key);
      expect(first.statusCode, first.body).toBe(200);
      const again = await bulk(csv, 'text/csv', accept, key);
      expect(again.statusCode).toBe(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.headers['content-type']).toContain(type);
      expect(again.body).toBe(first.body);
      for (const email of emails) expect(await linksFor(email)).toHaveLength(1);

      const changed = await bulk(`email\n${uniqueEmail()}\n`, 'text/csv', accept, key);
      expect(changed.statusCode).toBe(409);
      expect(changed.json().error.code).toBe('idempotency_key_reused');
      const otherFormat = await bulk(
        csv,
        'text/csv',
        accept === 'text/csv' ? 'application/json' : 'text/csv',
        key,
      );
      expect(otherFormat.statusCode).toBe(409);
      expect(otherFormat.json().error.code).toBe('idempotency_key_reused');
    });

    it('does not claim the key for a body refused as a whole', async () => {
      const key = randomUUID();
      const bad = await bulk('{"not": "an array"}', 'application/json', 'application/json', key);
      expect(bad.statusCode).toBe(400);
      const email = uniqueEmail();
      const good = await bulk(JSON.stringify([{ email }]), 'application/json', 'application/json', key);
      expect(good.statusCode).toBe(200);
      expect(good.headers['idempotent-replayed']).toBeUndefined();
    });
  });

  async function withDb<T>(use: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    const handle = openDatabase(server.db.target);
    try {
      return await use(handle.db);
    } finally {
      await handle.close();
    }
  }

  const countRows = () =>
    withDb(async (db) => (await db.selectFrom('idempotency_keys').select('key_hash').execute()).length);
});
