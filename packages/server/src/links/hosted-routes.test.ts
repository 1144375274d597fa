import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../crypto/tokens.js';
import { messages } from '../pages/messages.js';
import { DIALECTS } from '../test-support/databases.js';
import { linkRow } from '../test-support/store-rows.js';
import {
  createOtherApp,
  createTestLink,
  redeemHostedForCode,
  startTestServer,
  TEST_REDIRECT,
  type TestServer,
  uniqueEmail,
} from '../test-support/test-server.js';

const MINUTE = 60_000;
const en = messages.en;

async function linkOf(server: TestServer, body: Record<string, unknown> = {}, key?: string) {
  const res = await server.api('POST', '/v1/magic-links', { email: uniqueEmail(), ...body }, key);
  expect(res.statusCode, res.body).toBe(201);
  const link = res.json().magic_link as { id: string; secret: string; user_id: string; redirect_url: string };
  return { ...link, token: link.secret, path: `/l/${link.secret}` };
}

const page = (server: TestServer, method: 'GET' | 'HEAD' | 'POST', path: string) =>
  server.app.inject({ method, url: path });

async function readLink(server: TestServer, id: string, key?: string) {
  const res = await server.api('GET', `/v1/magic-links/${id}`, undefined, key);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { status: string; timeline: Array<{ status: string; at: string }> };
}

function expectPageHeaders(headers: Record<string, unknown>) {
  expect(headers['content-type']).toMatch(/^text\/html/);
  expect(String(headers['content-security-policy'])).toMatch(/frame-ancestors 'none'/);
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['referrer-policy']).toBe('no-referrer');
  expect(headers['cache-control']).toMatch(/no-store/);
}

describe.each(DIALECTS)('hosted redemption on %s', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(async () => server?.close());

  it('never consumes a link on GET or HEAD, however often', async () => {
    const link = await linkOf(server);
    for (let i = 0; i < 5; i++) {
      const get = await page(server, 'GET', link.path);
      expect(get.statusCode).toBe(200);
      const head = await page(server, 'HEAD', link.path);
      expect(head.statusCode).toBe(200);
      expect(head.body).toBe('');
    }
    expect((await readLink(server, link.id)).status).toBe('opened');
    const post = await page(server, 'POST', link.path);
    expect(post.statusCode).toBe(303);
  });

  it('records opened once, at the first GET', async () => {
    const link = await linkOf(server);
    await page(server, 'HEAD', link.path);
    // HEAD opens nothing; it is only seen as a visit, by a likely scanner.
    expect((await readLink(server, link.id)).timeline).toEqual([
      { status: 'created', at: expect.any(String) },
      expect.objectContaining({ status: 'visited', verdict: 'likely_scanner', count: 1 }),
    ]);
    await page(server, 'GET', link.path);
    const first = await readLink(server, link.id);
    const opened = first.timeline.filter((t) => t.status === 'opened');
    expect(opened).toHaveLength(1);
    server.advance(1_000);
    await page(server, 'GET', link.path);
    await page(server, 'GET', link.path);
    const later = await readLink(server, link.id);
    expect(later.timeline.filter((t) => t.status === 'opened')).toEqual(opened);
    const events = await server.ctx.store.listEvents(
      server.appId,
      { type: 'magic_link.opened', subject_id: link.id },
      { limit: 10 },
    );
    expect(events).toHaveLength(1);
  });

  it('redirects a POST with 303 to the redirect_url plus lk_code', async () => {
    const link = await linkOf(server, { redirect_url: 'https://app.example.com/welcome?from=mail' });
    const res = await page(server, 'POST', link.path);
    expect(res.statusCode).toBe(303);
    const location = new URL(String(res.headers.location));
    const code = location.searchParams.get('lk_code');
    expect(code).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    location.searchParams.delete('lk_code');
    expect(location.href).toBe('https://app.example.com/welcome?from=mail');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toMatch(/no-store/);
  });

  it('makes tokens that start with their time, and still redeems the 43-character tokens of older links', async () => {
    const link = await linkOf(server);
    expect(link.token).toMatch(/^[A-Za-z0-9_-]{49}$/);
    const user = await server.ctx.store.getUser(server.appId, link.user_id);
    const legacy = randomBytes(32).toString('base64url');
    const now = server.ctx.clock();
    const older = linkRow(user!, now, { token_hash: hashSecret(legacy), redirect_url: TEST_REDIRECT });
    await server.ctx.store.createLink(older, undefined, [], undefined);
    expect((await page(server, 'GET', `/l/${legacy}`)).statusCode).toBe(200);
    const code = await redeemHostedForCode(server, legacy);
    const exchanged = await server.api('POST', '/v1/sessions/exchange', { code });
    expect(exchanged.statusCode, exchanged.body).toBe(200);
    expect((await page(server, 'POST', `/l/${legacy}`)).statusCode).toBe(410);
  });

  it("accepts the confirm page's form post as a browser sends it", async () => {
    const link = await createTestLink(server, { email: uniqueEmail() });
    const res = await server.app.inject({
      method: 'POST',
      url: link.path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: '',
    });
    expect(res.statusCode).toBe(303);
  });

  it('redirects to the default redirect_url when the link names none', async () => {
    const link = await createTestLink(server, { email: uniqueEmail() });
    const res = await page(server, 'POST', link.path);
    expect(res.statusCode).toBe(303);
    expect(String(res.headers.location)).toMatch(
      new RegExp(`^${TEST_REDIRECT.replace(/[.?]/g, '\\$&')}\\?lk_code=[A-Za-z0-9_-]{43,}$`),
    );
  });

  it('answers a second POST with the 410 already-used page', async () => {
    const link = await linkOf(server);
    await redeemHostedForCode(server, link.token);
    const again = await page(server, 'POST', link.path);
    expect(again.statusCode).toBe(410);
    expect(again.headers.location).toBeUndefined();
    expect(again.body).toContain(en.usedTitle);
    expectPageHeaders(again.headers);
    const get = await page(server, 'GET', link.path);
    expect(get.statusCode).toBe(410);
    expect(get.body).toContain(en.usedTitle);
  });

  it('answers HEAD of a used link with 410', async () => {
    const link = await linkOf(server);
    await redeemHostedForCode(server, link.token);
    const head = await page(server, 'HEAD', link.path);
    expect(head.statusCode).toBe(410);
  });

  it('shows the 410 expired page once the link is past its expiry', async () => {
    const link = await linkOf(server);
    server.advance(16 * MINUTE);
    for (const method of ['GET', 'POST'] as const) {
      const res = await page(server, method, link.path);
      expect(res.statusCode).toBe(410);
      expect(res.body).toContain(en.expiredTitle);
      expect(res.body).toContain('href="https://app.example.com"');
    }
    expect((await page(server, 'HEAD', link.path)).statusCode).toBe(410);
    expect((await readLink(server, link.id)).status).toBe('expired');
  });

  it('shows the 410 revoked page for a revoked link', async () => {
    const link = await linkOf(server);
    const revoked = await server.api('POST', `/v1/magic-links/${link.id}/revoke`);
    expect(revoked.statusCode).toBe(200);
    for (const method of ['GET', 'POST'] as const) {
      const res = await page(server, method, link.path);
      expect(res.statusCode).toBe(410);
      expect(res.body).toContain(en.revokedTitle);
    }
    expect((await page(server, 'HEAD', link.path)).statusCode).toBe(410);
  });

  it('shows the 404 invalid page for unknown and malformed tokens, never a 500', async () => {
    const tokens = [
      randomBytes(32).toString('base64url'),
      'short',
      encodeURIComponent('../'),
      encodeURIComponent('../../etc/passwd'),
      'a'.repeat(500),
      encodeURIComponent('ключ-🔑-鍵'),
      encodeURIComponent(`${randomBytes(32).toString('base64url').slice(0, 42)}é`),
      '%00',
    ];
    for (const token of tokens) {
      for (const method of ['GET', 'POST'] as const) {
        const res = await page(server, method, `/l/${token}`);
        expect(res.statusCode, `${method} ${token}`).toBe(404);
        expect(res.body).toContain(en.invalidTitle);
        expectPageHeaders(res.headers);
      }
      expect((await page(server, 'HEAD', `/l/${token}`)).statusCode).toBe(404);
    }
  });

  it('answers an over-long token with a 4xx, never a 500', async () => {
    for (const method of ['GET', 'HEAD', 'POST'] as const) {
      const res = await page(server, method, `/l/${'b'.repeat(5000)}`);
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
    }
  });

  it('sends the page security headers on GET', async () => {
    const link = await linkOf(server);
    const res = await page(server, 'GET', link.path);
    expect(res.statusCode).toBe(200);
    expectPageHeaders(res.headers);
    const head = await page(server, 'HEAD', link.path);
    expectPageHeaders(head.headers);
  });

  it('confirm mode shows a button and no script', async () => {
    const link = await linkOf(server);
    const res = await page(server, 'GET', link.path);
    expect(res.body).not.toMatch(/<script/i);
    expect(res.body).toMatch(new RegExp(`<form[^>]*method="post"[^>]*action="/l/${link.token}"`));
    expect(res.body).toMatch(/<button[^>]*type="submit"/);
  });

  it('auto mode submits by a script whose nonce matches the CSP', async () => {
    const other = await createOtherApp(server, { scanner_protection: 'auto' });
    const link = await linkOf(server, {}, other.key);
    const res = await page(server, 'GET', link.path);
    expect(res.statusCode).toBe(200);
    const nonce = /<script nonce="([^"]+)">/.exec(res.body)?.[1];
    expect(nonce).toBeDefined();
    const csp = String(res.headers['content-security-policy']);
    const scriptSrc = csp.split(';').find((part) => part.trim().startsWith('script-src'));
    expect(scriptSrc?.trim()).toBe(`script-src 'nonce-${nonce}'`);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    const second = await page(server, 'GET', link.path);
    expect(/<script nonce="([^"]+)">/.exec(second.body)?.[1]).not.toBe(nonce);
    expect((await readLink(server, link.id, other.key)).status).toBe('opened');
  });

  it('shows the masked identifier and never the full email', async () => {
    const link = await linkOf(server, { email: 'jane@example.com' });
    const res = await page(server, 'GET', link.path);
    expect(res.body).toContain('j***@example.com');
    expect(res.body).not.toContain('jane@example.com');
    expect(res.body).not.toContain('jane');
  });

  it('refuses an embedded link at POST /l/{token} without consuming it', async () => {
    const other = await createOtherApp(server);
    const cleared = await server.api(
      'PATCH',
      `/v1/apps/${other.appId}`,
      { default_redirect_url: null },
      other.key,
    );
    expect(cleared.statusCode, cleared.body).toBe(200);
    await expectEmbeddedLinkRefusedThenRedeemable(server, other.key);
  });

  it('refuses an embedded link of an app with no default redirect without consuming it', async () => {
    const other = await createOtherApp(server, { default_redirect_url: undefined });
    await expectEmbeddedLinkRefusedThenRedeemable(server, other.key);
  });

  it('lets exactly one of 50 concurrent POSTs redeem a link and opens one session', async () => {
    const link = await linkOf(server);
    const results = await Promise.all(Array.from({ length: 50 }, () => page(server, 'POST', link.path)));
    const statuses = results.map((res) => res.statusCode);
    expect(statuses.filter((s) => s === 303)).toHaveLength(1);
    expect(statuses.filter((s) => s === 410)).toHaveLength(49);
    const sessions = await server.api('GET', `/v1/sessions?user_id=${link.user_id}`);
    expect(sessions.statusCode, sessions.body).toBe(200);
    expect(sessions.json().data).toHaveLength(1);
    expect((await readLink(server, link.id)).status).toBe('redeemed');
  });
});

async function expectEmbeddedLinkRefusedThenRedeemable(server: TestServer, key: string) {
  const link = await linkOf(server, { magic_link_path: '/auth/magic' }, key);
  expect(link.redirect_url).toBeNull();
  const res = await page(server, 'POST', link.path);
  expect(res.statusCode).toBeGreaterThanOrEqual(400);
  expect(res.statusCode).toBeLessThan(500);
  expect(res.headers.location).toBeUndefined();
  expect((await readLink(server, link.id, key)).status).not.toBe('redeemed');
  const redeemed = await server.api('POST', '/v1/magic-links/redeem', { token: link.token }, key);
  expect(redeemed.statusCode, redeemed.body).toBe(200);
  expect(redeemed.json().user.id).toBe(link.user_id);
}
