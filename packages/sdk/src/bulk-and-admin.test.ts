/** Bulk creation, Idempotency-Key and the admin calls of the SDK, against a real, listening Latchkey (SQLite). */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, uniqueEmail } from '../../server/src/test-support/test-server.js';
import { Latchkey } from './client.js';
import { LatchkeyError } from './errors.js';
import type { FetchLike } from './http.js';
import type { BulkRowResult, BulkSummary } from './types.js';

let server: TestServer;
let baseUrl: string;
let client: Latchkey;

beforeAll(async () => {
  server = await startTestServer('sqlite');
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  client = new Latchkey({ baseUrl, apiKey: server.apiKey });
});

afterAll(async () => {
  await server?.close();
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function caught(promise: Promise<unknown>): Promise<LatchkeyError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LatchkeyError);
  return error as LatchkeyError;
}

async function linksOf(email: string) {
  const [user] = await collect(client.users.list({ email }));
  return user ? collect(client.magicLinks.list({ user_id: user.id })) : [];
}

describe('Idempotency-Key', () => {
  it('retries a create whose answer was lost, and the server replays it instead of creating twice', async () => {
    const calls: string[] = [];
    // The server answers, but the answer never reaches the caller: a 503 from a proxy in between.
    let lose = 1;
    const lossy: FetchLike = async (input, init) => {
      const res = await fetch(input, init);
      calls.push(`${res.status} ${res.headers.get('idempotent-replayed') ?? ''}`.trim());
      if (lose-- > 0) return new Response('bad gateway', { status: 503, headers: { 'retry-after': '0' } });
      return res;
    };
    const sdk = new Latchkey({ baseUrl, apiKey: server.apiKey, fetch: lossy });
    const email = uniqueEmail();
    const link = await sdk.magicLinks.create({ email }, { idempotencyKey: randomUUID() });
    expect(calls).toEqual(['201', '201 true']);
    expect((await linksOf(email)).map((l) => l.id)).toEqual([link.id]);
  });

  it('waits out idempotency_key_in_use and then gets the answer', async () => {
    // What the server answers while the first request with the key is still running (see http/idempotency.test.ts).
    const calls: number[] = [];
    let busy = 1;
    const slowFirst: FetchLike = async (input, init) => {
      if (busy-- > 0) {
        calls.push(409);
        const error = { code: 'idempotency_key_in_use', message: 'Still running.', param: 'Idempotency-Key' };
        return new Response(JSON.stringify({ error }), {
          status: 409,
          headers: { 'content-type': 'application/json', 'retry-after': '0' },
        });
      }
      const res = await fetch(input, init);
      calls.push(res.status);
      return res;
    };
    const sdk = new Latchkey({ baseUrl, apiKey: server.apiKey, fetch: slowFirst });
    const email = uniqueEmail();
    const link = await sdk.magicLinks.create({ email }, { idempotencyKey: randomUUID() });
    expect(calls).toEqual([409, 201]);
    expect((await linksOf(email)).map((l) => l.id)).toEqual([link.id]);

    // Without an Idempotency-Key a 409 is never retried.
    busy = 1;
    calls.length = 0;
    expect((await caught(sdk.users.create({ email: uniqueEmail() }))).code).toBe('idempotency_key_in_use');
    expect(calls).toEqual([409]);
  });

  it('reports the same key with another body as idempotency_key_reused', async () => {
    const key = randomUUID();
    await client.magicLinks.create({ email: uniqueEmail() }, { idempotencyKey: key });
    const error = await caught(client.magicLinks.create({ email: uniqueEmail() }, { idempotencyKey: key }));
    expect(error).toMatchObject({ status: 409, code: 'idempotency_key_reused', param: 'Idempotency-Key' });
  });
});

describe('bulk', () => {
  it('creates rows from objects and answers one result per row, in order', async () => {
    const emails = [uniqueEmail(), uniqueEmail()];
    const result = await client.magicLinks.bulk([
      { email: emails[0]! },
      { email: 'not-an-email' },
      { email: emails[1]!, ttl: 5 },
    ]);
    expect(result.summary).toEqual({ created: 2, failed: 1 });
    expect(result.data.map((r) => r.row)).toEqual([1, 2, 3]);
    const [first, second, third] = result.data;
    expect(first && 'magic_link' in first && first.magic_link.identifier).toBe(emails[0]);
    expect(second && 'error' in second && second.error).toMatchObject({
      code: 'invalid_email',
      param: 'email',
    });
    expect(third && 'magic_link' in third && third.magic_link.ttl).toBe(5);
  });

  it('sends CSV and NDJSON as they are', async () => {
    const email = uniqueEmail();
    const csv = await client.magicLinks.bulk({ csv: `email,ttl\n${email},7\nbad,\n` });
    expect(csv.summary).toEqual({ created: 1, failed: 1 });
    const ndjson = await client.magicLinks.bulk({ ndjson: `{"email":"${uniqueEmail()}"}\nnot json\n` });
    expect(ndjson.data[1]).toMatchObject({ row: 2, error: { code: 'invalid_json' } });
  });

  it('streams results as they complete, then the summary', async () => {
    const rows = Array.from({ length: 25 }, () => ({ email: uniqueEmail() }));
    const items = await collect(client.magicLinks.bulkStream(rows));
    expect(items).toHaveLength(26);
    expect((items.slice(0, 25) as BulkRowResult[]).map((r) => r.row)).toEqual(rows.map((_, i) => i + 1));
    expect(items[25]).toEqual({ summary: { created: 25, failed: 0 } satisfies BulkSummary });
  });

  it('replays a bulk request retried with the same key', async () => {
    const key = randomUUID();
    const email = uniqueEmail();
    const first = await client.magicLinks.bulk([{ email }], { idempotencyKey: key });
    const again = await client.magicLinks.bulk([{ email }], { idempotencyKey: key });
    expect(again).toEqual(first);
    expect(await linksOf(email)).toHaveLength(1);
  });

  it('reports a body refused as a whole as an error', async () => {
    const error = await caught(client.magicLinks.bulk({ csv: 'email,email\na@example.com,b@example.com\n' }));
    expect(error).toMatchObject({ status: 400, code: 'validation_failed' });
  });
});

describe('apps, API keys and signing keys', () => {
  it('creates and lists apps with the admin key, and acts on one with appId', async () => {
    const admin = new Latchkey({ baseUrl, apiKey: server.adminKey });
    const created = await admin.apps.create({
      name: 'Billing',
      allowed_redirects: ['https://billing.example.com'],
    });
    expect(created.app).toMatchObject({
      name: 'Billing',
      allowed_redirects: ['https://billing.example.com'],
    });
    expect(created.api_key.key).toMatch(/^lk_sk_/);
    expect((await collect(admin.apps.list({ limit: 1 }))).map((a) => a.id)).toContain(created.app.id);

    const billing = new Latchkey({ baseUrl, apiKey: server.adminKey, appId: created.app.id });
    const key = await billing.signingKeys.create({ label: 'billing' });
    expect(key.app_id).toBe(created.app.id);

    const appKey = new Latchkey({ baseUrl, apiKey: server.apiKey });
    expect(await caught(collect(appKey.apps.list()))).toMatchObject({ status: 403, code: 'forbidden' });
  });

  it('creates, lists and revokes API keys; a revoked key is refused', async () => {
    const key = await client.apiKeys.create({ label: 'ci' });
    expect(key).toMatchObject({ label: 'ci', kind: 'app', app_id: server.appId });
    expect(key.key).toMatch(/^lk_sk_/);
    const listed = await collect(client.apiKeys.list());
    expect(listed.find((k) => k.id === key.id)).not.toHaveProperty('key');
    const revoked = await client.apiKeys.revoke(key.id);
    expect(revoked.revoked_at).not.toBeNull();
    const withRevoked = new Latchkey({ baseUrl, apiKey: key.key });
    expect((await caught(withRevoked.apps.get(server.appId))).code).toBe('unauthorized');
  });

  it('creates, lists and revokes signing keys', async () => {
    const key = await client.signingKeys.create({ label: 'invoices' });
    expect(key).toMatchObject({ label: 'invoices', algorithm: 'HS256', status: 'active' });
    expect(key.secret).toMatch(/^lk_hs_/);
    const listed = await collect(client.signingKeys.list({ limit: 1 }));
    expect(listed.find((k) => k.kid === key.kid)).not.toHaveProperty('secret');
    expect((await client.signingKeys.revoke(key.kid)).status).toBe('revoked');
    expect((await caught(client.signingKeys.revoke('sk_01m80c9f60kfkkz6dda4arwc44'))).code).toBe('not_found');
  });
});
