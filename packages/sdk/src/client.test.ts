/** The SDK against a real, listening Latchkey (SQLite): no HTTP is mocked. */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { standardWebhookHeaders } from '../../server/src/delivery/standard-webhooks.js';
import { startTestServer, type TestServer, uniqueEmail } from '../../server/src/test-support/test-server.js';
import { Latchkey } from './client-node.js';
import { LatchkeyError } from './errors.js';
import type { FetchLike } from './http.js';
import { signInUrl } from './sign-in-tokens-node.js';

const ISSUER = 'https://auth.example.com';
let server: TestServer;
let baseUrl: string;
let client: Latchkey;

beforeAll(async () => {
  server = await startTestServer('sqlite');
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  client = new Latchkey({ baseUrl, apiKey: server.apiKey, issuer: ISSUER });
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

/** Presses the hosted page's button and answers the `lk_code` of the redirect. */
async function pressButton(url: string): Promise<URL> {
  const res = await fetch(url, { method: 'POST', redirect: 'manual' });
  expect(res.status).toBe(303);
  return new URL(res.headers.get('location')!);
}

async function signIn(email = uniqueEmail()) {
  const link = await client.magicLinks.create({ email });
  const location = await pressButton(`${baseUrl}/l/${link.secret}`);
  return client.sessions.exchange({ code: location.searchParams.get('lk_code')! });
}

describe('magic links', () => {
  it('creates, reads, revokes and revokes all', async () => {
    const email = uniqueEmail();
    const link = await client.magicLinks.create({ email, ttl: 10, metadata: { order: 7 } });
    expect(link).toMatchObject({ identifier: email, type: 'login', ttl: 10, activated: false });
    expect(link.id).toMatch(/^ml_/);
    expect(link.url).toContain(link.secret);

    const read = await client.magicLinks.get(link.id);
    expect(read).toMatchObject({ id: link.id, status: 'created', metadata: { order: 7 } });
    expect(read).not.toHaveProperty('secret');
    expect(Array.isArray(read.deliveries)).toBe(true);

    expect((await client.magicLinks.revoke(link.id)).status).toBe('revoked');

    await client.magicLinks.create({ email });
    await client.magicLinks.create({ email });
    expect(await client.magicLinks.revokeAll(link.user_id)).toEqual({ revoked: 2 });
  });

  it('sends a link again as a new one, and lists links by a part of their address', async () => {
    const email = uniqueEmail();
    const old = await client.magicLinks.create({ email, send: true });
    const fresh = await client.magicLinks.resend(old.id);
    expect(fresh.id).not.toBe(old.id);
    expect(fresh.url).toContain(fresh.secret);
    expect((await client.magicLinks.get(old.id)).status).toBe('revoked');
    const found = [];
    for await (const link of client.magicLinks.list({ identifier: email.toUpperCase(), channel: 'email' }))
      found.push(link.id);
    expect(found.sort()).toEqual([old.id, fresh.id].sort());
    await expect(client.magicLinks.resend(old.id)).rejects.toMatchObject({ code: 'link_revoked' });
    const events = [];
    for await (const event of client.events.list({ user_id: old.user_id })) events.push(event.type);
    expect(events).toContain('magic_link.revoked');
  });

  it('lists every link across pages', async () => {
    const email = uniqueEmail();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await client.magicLinks.create({ email })).id);
    const userId = (await client.magicLinks.get(ids[0]!)).user_id;
    const pages: string[] = [];
    const counting: FetchLike = (input, init) => {
      pages.push(String(input));
      return fetch(input, init);
    };
    const paging = new Latchkey({ baseUrl, apiKey: server.apiKey, fetch: counting });
    const listed = await collect(paging.magicLinks.list({ user_id: userId, limit: 2 }));
    expect(listed.map((l) => l.id).sort()).toEqual([...ids].sort());
    expect(pages).toHaveLength(3);
    expect(listed.every((l) => l.user_id === userId)).toBe(true);
  });

  it('answers errors with their codes', async () => {
    const missing = await caught(client.magicLinks.get('ml_01m80c9f60kfkkz6dda4arwc44'));
    expect(missing).toMatchObject({ status: 404, code: 'not_found' });

    const bad = new Latchkey({ baseUrl, apiKey: 'lk_sk_nope', issuer: ISSUER });
    expect(await caught(bad.magicLinks.create({ email: uniqueEmail() }))).toMatchObject({
      status: 401,
      code: 'unauthorized',
    });

    const invalid = await caught(client.magicLinks.create({ email: 'not an email' }));
    expect(invalid).toMatchObject({ status: 400, code: 'invalid_email' });

    const redirect = await caught(
      client.magicLinks.create({ email: uniqueEmail(), redirect_url: 'https://evil.example.com/x' }),
    );
    expect(redirect.code).toBe('redirect_not_allowed');
  });
});

describe('users and apps', () => {
  it('creates, reads, updates, lists and deletes users', async () => {
    const externalId = `cus_${randomBytes(4).toString('hex')}`;
    const user = await client.users.create({ email: uniqueEmail(), external_id: externalId });
    expect(user.id).toMatch(/^usr_/);
    expect(await client.users.get(user.id)).toEqual(user);
    const updated = await client.users.update(user.id, { metadata: { plan: 'pro' } });
    expect(updated.metadata).toEqual({ plan: 'pro' });

    expect((await collect(client.users.list({ external_id: externalId }))).map((u) => u.id)).toEqual([
      user.id,
    ]);
    for (let i = 0; i < 3; i++) await client.users.create({ email: uniqueEmail() });
    const all = await collect(client.users.list({ limit: 2 }));
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect(new Set(all.map((u) => u.id)).size).toBe(all.length);

    await client.users.delete(user.id);
    expect((await caught(client.users.get(user.id))).code).toBe('not_found');
    expect((await caught(client.users.create({ email: all.find((u) => u.email)!.email! }))).code).toBe(
      'conflict',
    );
  });

  it('reads and changes the app', async () => {
    const app = await client.apps.get(server.appId);
    expect(app).toMatchObject({ id: server.appId, public_url: ISSUER });
    const changed = await client.apps.update(server.appId, { name: 'Renamed by the SDK' });
    expect(changed.name).toBe('Renamed by the SDK');
  });
});

describe('sessions', () => {
  it('exchanges, verifies offline, refreshes, lists and revokes', async () => {
    const { user, session } = await signIn();
    expect(session.token).toBeTypeOf('string');

    const claims = await client.sessions.verify(session.token, { appId: server.appId });
    expect(claims).toMatchObject({ sub: user.id, sid: session.id, iss: ISSUER, aud: server.appId });

    await expect(client.sessions.verify(session.token, { appId: 'app_someone_else' })).rejects.toThrow();
    await expect(
      client.sessions.verify(session.token, { appId: server.appId, issuer: 'https://other.example.com' }),
    ).rejects.toThrow();
    const defaultIssuer = new Latchkey({ baseUrl, apiKey: server.apiKey });
    await expect(defaultIssuer.sessions.verify(session.token, { appId: server.appId })).rejects.toThrow();

    const refreshed = await client.sessions.refresh(session.refresh_token);
    expect(refreshed.session.refresh_token).not.toBe(session.refresh_token);
    await client.sessions.verify(refreshed.session.token, { appId: server.appId });
    expect((await caught(client.sessions.refresh(session.refresh_token))).code).toBe('refresh_token_reused');

    const second = await signIn(user.email!);
    const listed = await collect(client.sessions.list({ user_id: user.id, limit: 1 }));
    expect(listed.map((s) => s.id)).toContain(second.session.id);
    expect((await client.sessions.revoke(second.session.id)).status).toBe('revoked');
    expect((await client.sessions.get(second.session.id)).status).toBe('revoked');
  });

  it('refuses a used code without retrying it', async () => {
    const link = await client.magicLinks.create({ email: uniqueEmail() });
    const code = (await pressButton(`${baseUrl}/l/${link.secret}`)).searchParams.get('lk_code')!;
    await client.sessions.exchange({ code });
    expect(await caught(client.sessions.exchange({ code }))).toMatchObject({
      status: 400,
      code: 'code_invalid',
    });
  });
});

describe('retries', () => {
  function flaky(status: number, times: number, match: (url: string) => boolean) {
    const calls: string[] = [];
    let left = times;
    const wrapped: FetchLike = async (input, init) => {
      calls.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
      if (left > 0 && match(String(input))) {
        left--;
        return new Response(JSON.stringify({ error: { code: 'rate_limited', message: 'Slow down.' } }), {
          status,
          headers: { 'content-type': 'application/json', 'retry-after': '0' },
        });
      }
      return fetch(input, init);
    };
    return { calls, fetch: wrapped };
  }

  it('retries a 429 after Retry-After and then succeeds', async () => {
    const link = await client.magicLinks.create({ email: uniqueEmail() });
    const f = flaky(429, 1, () => true);
    const retrying = new Latchkey({ baseUrl, apiKey: server.apiKey, fetch: f.fetch });
    expect((await retrying.magicLinks.get(link.id)).id).toBe(link.id);
    expect(f.calls).toEqual([`GET /v1/magic-links/${link.id}`, `GET /v1/magic-links/${link.id}`]);

    const revoking = flaky(503, 1, () => true);
    const r = new Latchkey({ baseUrl, apiKey: server.apiKey, fetch: revoking.fetch });
    expect((await r.magicLinks.revoke(link.id)).status).toBe('revoked');
    expect(revoking.calls).toHaveLength(2);
  });

  it('gives up after maxRetries and never retries a non-idempotent call', async () => {
    const always = flaky(429, 10, () => true);
    const limited = new Latchkey({ baseUrl, apiKey: server.apiKey, fetch: always.fetch, maxRetries: 1 });
    expect(await caught(limited.users.get('usr_01m80c9f60kfkkz6dda4arwc44'))).toMatchObject({
      status: 429,
      code: 'rate_limited',
    });
    expect(always.calls).toHaveLength(2);

    const once = flaky(429, 1, () => true);
    const creating = new Latchkey({ baseUrl, apiKey: server.apiKey, fetch: once.fetch });
    expect((await caught(creating.magicLinks.create({ email: uniqueEmail() }))).status).toBe(429);
    expect((await caught(creating.sessions.exchange({ code: 'x' }))).code).toBe('code_invalid');
    expect(once.calls).toEqual(['POST /v1/magic-links', 'POST /v1/sessions/exchange']);
  });

  it('reports a network error after retrying it', async () => {
    let calls = 0;
    const down = new Latchkey({
      baseUrl,
      apiKey: server.apiKey,
      retryDelayMs: 1,
      fetch: async () => {
        calls++;
        throw new TypeError('fetch failed');
      },
    });
    expect(await caught(down.users.get('usr_01m80c9f60kfkkz6dda4arwc44'))).toMatchObject({
      status: 0,
      code: 'network_error',
    });
    expect(calls).toBe(3);
  });
});

describe('sign-in tokens', () => {
  it('makes a link that signs the customer in at /login/{token}', async () => {
    const res = await fetch(`${baseUrl}/v1/signing-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(201);
    const key = (await res.json()) as { kid: string; secret: string };
    await client.apps.update(server.appId, {
      allowed_redirects: ['https://app.example.com', 'https://portal.example.com'],
      page_shortcuts: { invoices: 'https://portal.example.com/invoices' },
    });

    const customerId = `cus_${randomBytes(4).toString('hex')}`;
    const token = client.signInTokens.generate(customerId, 600, { secret: key.secret, kid: key.kid });
    const { payload } = await jwtVerify(token, new TextEncoder().encode(key.secret), {
      algorithms: ['HS256'],
    });
    expect(payload.sub).toBe(customerId);

    const url = client.signInTokens.signInUrl(customerId, 600, {
      secret: key.secret,
      kid: key.kid,
      redirectTo: 'invoices',
    });
    expect(url.startsWith(`${baseUrl}/login/`)).toBe(true);
    const location = await pressButton(url);
    expect(`${location.origin}${location.pathname}`).toBe('https://portal.example.com/invoices');
    const { user, session } = await client.sessions.exchange({ code: location.searchParams.get('lk_code')! });
    expect(user.external_id).toBe(customerId);
    const claims = await client.sessions.verify(session.token, { appId: server.appId });
    expect(claims.sub).toBe(user.id);

    // The standalone helper, without a client or API key, makes a link that works the same way.
    const standalone = signInUrl(customerId, 600, { secret: key.secret, kid: key.kid, baseUrl });
    expect((await pressButton(standalone)).searchParams.get('lk_code')).toBeTruthy();
    // And each token signs in once.
    const replay = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { accept: 'application/json' },
    });
    expect(replay.status).toBe(410);
  });
});

describe('webhooks', () => {
  it('verifies a delivery signed by the server and refuses a tampered one', () => {
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const body = JSON.stringify({ type: 'session.created', data: { id: 'ses_1' } });
    const headers = standardWebhookHeaders(secret, 'msg_1', Math.floor(Date.now() / 1000), body);
    expect(client.webhooks.verify(body, headers, secret)).toEqual(JSON.parse(body));
    expect(() => client.webhooks.verify(`${body} `, headers, secret)).toThrow(LatchkeyError);
  });
});
