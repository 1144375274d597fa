import { createHash, randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../test-support/databases.js';
import {
  createOtherApp,
  createTestLink,
  redeemHostedForCode,
  startTestServer,
  TEST_REDIRECT,
  type TestServer,
} from '../test-support/test-server.js';

const ISSUER = 'https://auth.example.com';
const ACCESS_TOKEN_MINUTES = 15;

interface Exchanged {
  user: { id: string; email: string | null };
  session: {
    id: string;
    expires_at: string;
    token: string;
    token_expires_at: string;
    refresh_token: string;
    refresh_token_expires_at: string;
  };
  redirect_url: string | null;
}

const uniqueEmail = () => `user-${randomBytes(6).toString('hex')}@example.com`;
const errorOf = (res: { json(): unknown }) => (res.json() as { error: { code: string } }).error.code;

function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

async function codeFor(server: TestServer, body: Record<string, unknown> = {}) {
  const link = await createTestLink(server, { email: uniqueEmail(), ...body });
  return { link, code: await redeemHostedForCode(server, link.token) };
}

function exchange(server: TestServer, body: Record<string, unknown>, key?: string) {
  return server.api('POST', '/v1/sessions/exchange', body, key);
}

function refresh(server: TestServer, refreshToken: string, key?: string) {
  return server.api('POST', '/v1/sessions/refresh', { refresh_token: refreshToken }, key);
}

async function signIn(server: TestServer, email = uniqueEmail()): Promise<Exchanged> {
  const { code } = await codeFor(server, { email });
  const res = await exchange(server, { code });
  if (res.statusCode !== 200) throw new Error(`exchange failed: ${res.statusCode} ${res.body}`);
  return res.json() as Exchanged;
}

async function jwksAt(server: TestServer, url: string): Promise<JSONWebKeySet> {
  const res = await server.app.inject({ method: 'GET', url });
  expect(res.statusCode).toBe(200);
  return res.json() as JSONWebKeySet;
}

async function sessionStatus(server: TestServer, sessionId: string): Promise<string> {
  const res = await server.api('GET', `/v1/sessions/${sessionId}`);
  return (res.json() as { status: string }).status;
}

describe.each(DIALECTS)('sessions on %s', (dialect) => {
  let server: TestServer;
  let otherKey: string;
  beforeAll(async () => {
    server = await startTestServer(dialect);
    otherKey = (await createOtherApp(server)).key;
  });
  afterAll(async () => server.close());

  describe('exchange', () => {
    it('answers an lk_code with the user, the session and the redirect', async () => {
      const email = uniqueEmail();
      const { link, code } = await codeFor(server, { email });
      const res = await exchange(server, { code });
      expect(res.statusCode).toBe(200);
      const body = res.json() as Exchanged;
      expect(body.user).toMatchObject({ id: link.user_id, email, email_verified: true });
      expect(body.session).toEqual({
        id: expect.stringMatching(/^ses_[0-9a-z]{26}$/),
        expires_at: expect.any(String),
        token: expect.any(String),
        token_expires_at: expect.any(String),
        refresh_token: expect.any(String),
        refresh_token_expires_at: expect.any(String),
      });
      expect(body.redirect_url).toBe(TEST_REDIRECT);
    });

    it('spends a code once: the second exchange is code_invalid', async () => {
      const { code } = await codeFor(server);
      expect((await exchange(server, { code })).statusCode).toBe(200);
      const again = await exchange(server, { code });
      expect(again.statusCode).toBe(400);
      expect(errorOf(again)).toBe('code_invalid');
    });

    it('refuses an unknown code with code_invalid', async () => {
      const res = await exchange(server, { code: randomBytes(32).toString('base64url') });
      expect(res.statusCode).toBe(400);
      expect(errorOf(res)).toBe('code_invalid');
    });

    it("refuses another app's key with code_invalid and leaves the code to the right app", async () => {
      const { code } = await codeFor(server);
      const wrong = await exchange(server, { code }, otherKey);
      expect(wrong.statusCode).toBe(400);
      expect(errorOf(wrong)).toBe('code_invalid');
      expect((await exchange(server, { code })).statusCode).toBe(200);
    });

    it('lets exactly one of 20 concurrent exchanges of one code succeed', async () => {
      const { code } = await codeFor(server);
      const results = await Promise.all(Array.from({ length: 20 }, () => exchange(server, { code })));
      const statuses = results.map((r) => r.statusCode);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(results.filter((r) => r.statusCode !== 200).map(errorOf)).toEqual(
        Array(19).fill('code_invalid'),
      );
    });
  });

  describe('PKCE', () => {
    it('requires the verifier and keeps the code usable when it is missing', async () => {
      const { verifier, challenge } = pkcePair();
      const { code } = await codeFor(server, { code_challenge: challenge, code_challenge_method: 'S256' });
      const res = await exchange(server, { code });
      expect(res.statusCode).toBe(400);
      expect(errorOf(res)).toBe('pkce_required');
      expect((await exchange(server, { code, code_verifier: verifier })).statusCode).toBe(200);
    });

    it('refuses a wrong verifier with pkce_mismatch and keeps the code usable', async () => {
      const { verifier, challenge } = pkcePair();
      const { code } = await codeFor(server, { code_challenge: challenge, code_challenge_method: 'S256' });
      const res = await exchange(server, { code, code_verifier: pkcePair().verifier });
      expect(res.statusCode).toBe(400);
      expect(errorOf(res)).toBe('pkce_mismatch');
      expect((await exchange(server, { code, code_verifier: verifier })).statusCode).toBe(200);
    });

    it('exchanges the code with the right verifier', async () => {
      const { verifier, challenge } = pkcePair();
      const { link, code } = await codeFor(server, {
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      const res = await exchange(server, { code, code_verifier: verifier });
      expect(res.statusCode).toBe(200);
      expect((res.json() as Exchanged).user.id).toBe(link.user_id);
    });
  });

  describe('session token', () => {
    it('verifies against the instance JWKS with the issuer, the app as audience and the expected claims', async () => {
      const { user, session } = await signIn(server);
      const jwks = createLocalJWKSet(await jwksAt(server, '/.well-known/jwks.json'));
      const { payload, protectedHeader } = await jwtVerify(session.token, jwks, {
        issuer: ISSUER,
        audience: server.appId,
        algorithms: ['ES256'],
      });
      expect(protectedHeader.alg).toBe('ES256');
      expect(protectedHeader.kid).toEqual(expect.any(String));
      expect(payload).toMatchObject({ sub: user.id, sid: session.id, amr: ['magic_link'] });
      expect(payload.iat).toEqual(expect.any(Number));
    });

    it("verifies against the app's own JWKS path", async () => {
      const { session } = await signIn(server);
      const jwks = createLocalJWKSet(await jwksAt(server, `/v1/apps/${server.appId}/.well-known/jwks.json`));
      const { payload } = await jwtVerify(session.token, jwks, {
        issuer: ISSUER,
        audience: server.appId,
        algorithms: ['ES256'],
      });
      expect(payload.sid).toBe(session.id);
    });

    it('publishes the signing kid in the JWKS', async () => {
      const { session } = await signIn(server);
      const { kid } = decodeProtectedHeader(session.token);
      const jwks = await jwksAt(server, '/.well-known/jwks.json');
      expect(jwks.keys.map((k) => k.kid)).toContain(kid);
      expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
    });

    it('does not verify for another audience', async () => {
      const { session } = await signIn(server);
      const jwks = createLocalJWKSet(await jwksAt(server, '/.well-known/jwks.json'));
      await expect(
        jwtVerify(session.token, jwks, { issuer: ISSUER, audience: 'app_00000000000000000000000000' }),
      ).rejects.toThrow();
    });

    it('answers 404 for the JWKS of an unknown app', async () => {
      const res = await server.app.inject({
        method: 'GET',
        url: '/v1/apps/app_00000000000000000000000000/.well-known/jwks.json',
      });
      expect(res.statusCode).toBe(404);
      expect(errorOf(res)).toBe('not_found');
    });

    it('expires no later than access_token_minutes from now', async () => {
      const { session } = await signIn(server);
      const limit = Math.floor(Date.now() / 1000) + ACCESS_TOKEN_MINUTES * 60;
      const jwks = createLocalJWKSet(await jwksAt(server, '/.well-known/jwks.json'));
      const { payload } = await jwtVerify(session.token, jwks, { issuer: ISSUER, audience: server.appId });
      expect(payload.exp).toBeLessThanOrEqual(limit);
      expect(new Date(session.token_expires_at).getTime()).toBe(payload.exp! * 1000);
    });
  });

  describe('refresh', () => {
    it('rotates to a new token and a new refresh token', async () => {
      const first = await signIn(server);
      const res = await refresh(server, first.session.refresh_token);
      expect(res.statusCode).toBe(200);
      const next = res.json() as Exchanged;
      expect(next.user.id).toBe(first.user.id);
      expect(next.session.id).toBe(first.session.id);
      expect(next.session.refresh_token).not.toBe(first.session.refresh_token);
      expect(next.session.token).toEqual(expect.any(String));
      expect((await refresh(server, next.session.refresh_token)).statusCode).toBe(200);
    });

    it('answers a reused refresh token with refresh_token_reused', async () => {
      const first = await signIn(server);
      expect((await refresh(server, first.session.refresh_token)).statusCode).toBe(200);
      const reused = await refresh(server, first.session.refresh_token);
      expect(reused.statusCode).toBe(401);
      expect(errorOf(reused)).toBe('refresh_token_reused');
    });

    it('revokes the session when an old refresh token comes back, so the newest one fails too', async () => {
      const first = await signIn(server);
      const rotated = (await refresh(server, first.session.refresh_token)).json() as Exchanged;
      await refresh(server, first.session.refresh_token);
      expect(await sessionStatus(server, first.session.id)).toBe('revoked');
      const newest = await refresh(server, rotated.session.refresh_token);
      expect(newest.statusCode).toBe(401);
      expect(errorOf(newest)).toBe('refresh_token_invalid');
    });

    it('refuses an unknown refresh token with refresh_token_invalid', async () => {
      const res = await refresh(server, `lk_rt_${randomBytes(32).toString('base64url')}`);
      expect(res.statusCode).toBe(401);
      expect(errorOf(res)).toBe('refresh_token_invalid');
    });

    it("refuses another app's key and leaves the refresh token to the right app", async () => {
      const first = await signIn(server);
      const wrong = await refresh(server, first.session.refresh_token, otherKey);
      expect(wrong.statusCode).toBe(401);
      expect(errorOf(wrong)).toBe('refresh_token_invalid');
      expect((await refresh(server, first.session.refresh_token)).statusCode).toBe(200);
      expect(await sessionStatus(server, first.session.id)).toBe('active');
    });
  });

  describe('management', () => {
    it('reads one session', async () => {
      const { user, session } = await signIn(server);
      const res = await server.api('GET', `/v1/sessions/${session.id}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        id: session.id,
        app_id: server.appId,
        user_id: user.id,
        amr: ['magic_link'],
        status: 'active',
        expires_at: session.expires_at,
        revoked_at: null,
      });
    });

    it('lists the sessions of a user, and only the active ones with active=true', async () => {
      const email = uniqueEmail();
      const kept = await signIn(server, email);
      const ended = await signIn(server, email);
      await signIn(server);
      await server.api('POST', `/v1/sessions/${ended.session.id}/revoke`);
      const all = await server.api('GET', `/v1/sessions?user_id=${kept.user.id}`);
      expect(all.statusCode).toBe(200);
      const allIds = (all.json() as { data: Array<{ id: string }> }).data.map((s) => s.id);
      expect(allIds.sort()).toEqual([kept.session.id, ended.session.id].sort());
      const active = await server.api('GET', `/v1/sessions?user_id=${kept.user.id}&active=true`);
      expect((active.json() as { data: Array<{ id: string }> }).data.map((s) => s.id)).toEqual([
        kept.session.id,
      ]);
    });

    it('revokes a session with POST …/revoke, after which its refresh token fails', async () => {
      const { session } = await signIn(server);
      const res = await server.api('POST', `/v1/sessions/${session.id}/revoke`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: session.id, status: 'revoked', revoked_at: expect.any(String) });
      const after = await refresh(server, session.refresh_token);
      expect(after.statusCode).toBe(401);
      expect(errorOf(after)).toBe('refresh_token_invalid');
    });

    it('revokes a session with DELETE, after which its refresh token fails', async () => {
      const { session } = await signIn(server);
      const res = await server.api('DELETE', `/v1/sessions/${session.id}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: session.id, status: 'revoked' });
      expect(await sessionStatus(server, session.id)).toBe('revoked');
      const after = await refresh(server, session.refresh_token);
      expect(after.statusCode).toBe(401);
      expect(errorOf(after)).toBe('refresh_token_invalid');
    });

    it('keeps answering refresh_token_invalid for the refresh token of a revoked session', async () => {
      const { session } = await signIn(server);
      await server.api('POST', `/v1/sessions/${session.id}/revoke`);
      const codes = [];
      for (let i = 0; i < 2; i++) codes.push(errorOf(await refresh(server, session.refresh_token)));
      expect(codes).toEqual(['refresh_token_invalid', 'refresh_token_invalid']);
    });

    it("hides a session from another app's key", async () => {
      const { session } = await signIn(server);
      const read = await server.api('GET', `/v1/sessions/${session.id}`, undefined, otherKey);
      expect(read.statusCode).toBe(404);
      expect(errorOf(read)).toBe('session_not_found');
      const list = await server.api('GET', '/v1/sessions', undefined, otherKey);
      expect((list.json() as { data: Array<{ id: string }> }).data.map((s) => s.id)).not.toContain(
        session.id,
      );
    });

    it("does not let another app's key revoke a session", async () => {
      const { session } = await signIn(server);
      for (const [method, url] of [
        ['POST', `/v1/sessions/${session.id}/revoke`],
        ['DELETE', `/v1/sessions/${session.id}`],
      ] as const) {
        const res = await server.api(method, url, undefined, otherKey);
        expect(res.statusCode).toBe(404);
        expect(errorOf(res)).toBe('session_not_found');
      }
      expect(await sessionStatus(server, session.id)).toBe('active');
    });
  });
});

describe('exchange code lifetime', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
  });
  afterAll(async () => server.close());

  it('refuses a code older than 60 seconds with code_invalid', async () => {
    const { code } = await codeFor(server);
    server.advance(61_000);
    const res = await exchange(server, { code });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res)).toBe('code_invalid');
  });

  it('accepts a code within its 60 seconds', async () => {
    const { code } = await codeFor(server);
    server.advance(50_000);
    expect((await exchange(server, { code })).statusCode).toBe(200);
  });
});
