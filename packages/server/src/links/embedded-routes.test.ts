import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../test-support/databases.js';
import {
  createOtherApp,
  startTestServer,
  TEST_REDIRECT,
  type TestServer,
  uniqueEmail,
} from '../test-support/test-server.js';

const challengeOf = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

async function linkOf(server: TestServer, body: Record<string, unknown> = {}, key?: string) {
  const res = await server.api(
    'POST',
    '/v1/magic-links',
    { email: uniqueEmail(), magic_link_path: '/auth/magic', ...body },
    key,
  );
  expect(res.statusCode, res.body).toBe(201);
  const link = res.json().magic_link as { id: string; secret: string; user_id: string; identifier: string };
  return { ...link, token: link.secret };
}

const redeem = (server: TestServer, body: Record<string, unknown>, key?: string) =>
  server.api('POST', '/v1/magic-links/redeem', body, key);

const activate = (server: TestServer, appId: string, body: Record<string, unknown>) =>
  server.app.inject({
    method: 'PATCH',
    url: `/v1/apps/${appId}/magic-link/activate`,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });

function expectError(
  res: { statusCode: number; json(): unknown; body: string },
  status: number,
  code: string,
) {
  expect(res.statusCode, res.body).toBe(status);
  expect((res.json() as { error: { code: string } }).error.code).toBe(code);
}

async function statusOf(server: TestServer, linkId: string, key?: string): Promise<string> {
  const res = await server.api('GET', `/v1/magic-links/${linkId}`, undefined, key);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().status;
}

function jwtPayload(token: string): Record<string, unknown> {
  const parts = token.split('.');
  expect(parts).toHaveLength(3);
  return JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
}

describe.each(DIALECTS)('embedded redemption on %s', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(async () => server?.close());

  it('redeems a token with the API key and answers user, session and redirect_url', async () => {
    const link = await linkOf(server);
    const res = await redeem(server, { token: link.token });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.user.id).toBe(link.user_id);
    expect(body.user.email).toBe(link.identifier);
    expect(body.redirect_url).toBe(TEST_REDIRECT);
    expect(body.session.id).toMatch(/^ses_[0-9a-z]{26}$/);
    expect(Date.parse(body.session.expires_at)).toBeGreaterThan(Date.now());
    expect(body.session.refresh_token).toEqual(expect.any(String));
    expect(body.session.refresh_token.length).toBeGreaterThanOrEqual(43);
    const claims = jwtPayload(body.session.token);
    expect(claims.sub).toBe(link.user_id);
    expect(claims.sid).toBe(body.session.id);
    expect(claims.aud).toBe(server.appId);
    expect(res.body).not.toContain(link.token);
    expect(await statusOf(server, link.id)).toBe('redeemed');
  });

  it('answers link_used on the second redemption', async () => {
    const link = await linkOf(server);
    expect((await redeem(server, { token: link.token })).statusCode).toBe(200);
    expectError(await redeem(server, { token: link.token }), 410, 'link_used');
  });

  it('answers link_invalid for an unknown or malformed token', async () => {
    for (const token of [randomBytes(32).toString('base64url'), 'short', '../../etc', 'ключ'.repeat(20)]) {
      expectError(await redeem(server, { token }), 404, 'link_invalid');
    }
  });

  it("answers link_invalid to another app's key and leaves the link redeemable", async () => {
    const other = await createOtherApp(server);
    const link = await linkOf(server);
    expectError(await redeem(server, { token: link.token }, other.key), 404, 'link_invalid');
    expect(await statusOf(server, link.id)).toBe('created');
    expect((await redeem(server, { token: link.token })).statusCode).toBe(200);
  });

  it('requires the PKCE verifier, refuses a wrong one, and keeps the link until the right one', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const link = await linkOf(server, {
      code_challenge: challengeOf(verifier),
      code_challenge_method: 'S256',
    });
    expectError(await redeem(server, { token: link.token }), 400, 'pkce_required');
    expect(await statusOf(server, link.id)).toBe('created');
    const wrong = randomBytes(32).toString('base64url');
    expectError(await redeem(server, { token: link.token, code_verifier: wrong }), 400, 'pkce_mismatch');
    expectError(await redeem(server, { token: link.token, code_verifier: 'x' }), 400, 'pkce_mismatch');
    expect(await statusOf(server, link.id)).toBe('created');
    const ok = await redeem(server, { token: link.token, code_verifier: verifier });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().user.id).toBe(link.user_id);
  });

  it('activates a link the Passage way without an API key', async () => {
    const link = await linkOf(server);
    const res = await activate(server, server.appId, { magic_link: link.token });
    expect(res.statusCode, res.body).toBe(200);
    const result = res.json().auth_result;
    expect(Object.keys(result).sort()).toEqual(
      ['auth_token', 'redirect_url', 'refresh_token', 'refresh_token_expiration'].sort(),
    );
    expect(jwtPayload(result.auth_token).sub).toBe(link.user_id);
    expect(result.redirect_url).toBe(TEST_REDIRECT);
    expect(result.refresh_token).toEqual(expect.any(String));
    expect(typeof result.refresh_token_expiration).toBe('number');
    expect(Number.isInteger(result.refresh_token_expiration)).toBe(true);
    expect(result.refresh_token_expiration).toBeGreaterThan(Date.now() / 1000);
    expect(await statusOf(server, link.id)).toBe('redeemed');
    expectError(await activate(server, server.appId, { magic_link: link.token }), 410, 'link_used');
  });

  it("answers link_invalid to activation under another app's id and leaves the link redeemable", async () => {
    const other = await createOtherApp(server);
    const link = await linkOf(server);
    expectError(await activate(server, other.appId, { magic_link: link.token }), 404, 'link_invalid');
    expect(await statusOf(server, link.id)).toBe('created');
    expect((await activate(server, server.appId, { magic_link: link.token })).statusCode).toBe(200);
  });

  it('lets exactly one of 50 concurrent redemptions succeed', async () => {
    const link = await linkOf(server);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => redeem(server, { token: link.token })),
    );
    const statuses = results.map((res) => res.statusCode);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 410)).toHaveLength(49);
    const sessions = await server.api('GET', `/v1/sessions?user_id=${link.user_id}`);
    expect(sessions.json().data).toHaveLength(1);
  });
});
