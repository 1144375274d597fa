import { randomBytes, randomInt } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { decodeJwt, generateKeyPair, type JWTPayload, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../crypto/tokens.js';
import { type ErrorCode, errorCodes } from '../errors/error-codes.js';
import { DIALECTS } from '../test-support/databases.js';
import { createOtherApp, startTestServer, type TestServer } from '../test-support/test-server.js';
import { hmacSha256 } from './signed-token.js';

const BILLING_SHORTCUTS = [
  'my_account',
  'invoices',
  'credit_notes',
  'estimates',
  'payments',
  'balance_forward_statement',
  'open_item_statement',
  'pay',
  'add_payment_method',
  'update_billing_info',
] as const;
const SHORTCUTS = Object.fromEntries(
  BILLING_SHORTCUTS.map((name) => [name, `https://app.example.com/${name}`]),
);
const DEFAULT_LANDING = 'https://app.example.com/my_account';
const OTHER_LANDING = 'https://other.example.com/callback';
const JSON_ACCEPT = { accept: 'application/json' };
const DAY_S = 24 * 60 * 60;
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

interface SigningKey {
  kid: string;
  secret: string;
}

interface KeyedApp extends SigningKey {
  appId: string;
  apiKey: string;
}

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely
type Json = Record<string, any>;

interface Exchanged {
  user: Json;
  session: Json;
}

const asPayload = (claims: Record<string, unknown>) => claims as JWTPayload;
const b64json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
const freshSub = () => randomInt(1_000_000, 1_000_000_000);
const unknownKid = (server: TestServer) => newId('sk', server.ctx.clock(), randomBytes);

function joseToken(
  secret: string,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(asPayload(claims))
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...header })
    .sign(new TextEncoder().encode(secret));
}

/** A token signed the HS256 way whatever its header says, the shape of an algorithm-confusion attack. */
function hmacToken(secret: string, header: unknown, claims: unknown): string {
  const input = `${b64json(header)}.${b64json(claims)}`;
  return `${input}.${hmacSha256(secret, input).toString('base64url')}`;
}

/** A token whose payload is `json` exactly as written, for values JSON.stringify cannot spell (such as -0). */
function rawPayloadToken(secret: string, json: string): string {
  const input = `${b64json({ alg: 'HS256', typ: 'JWT' })}.${Buffer.from(json, 'utf8').toString('base64url')}`;
  return `${input}.${hmacSha256(secret, input).toString('base64url')}`;
}

/** A token signed with `secret`, padded with a claim Latchkey ignores until it is exactly `length` characters. */
function tokenOfLength(secret: string, length: number, claims: Record<string, unknown>): string {
  const header = { alg: 'HS256', typ: 'JWT' };
  const bare = hmacToken(secret, header, { ...claims, pad: '' }).length;
  // base64url turns 3 bytes into 4 characters; start a little short and walk up to the exact length.
  for (let pad = Math.max(0, Math.floor(((length - bare) * 3) / 4) - 4); ; pad++) {
    const token = hmacToken(secret, header, { ...claims, pad: 'p'.repeat(pad) });
    if (token.length === length) return token;
    if (token.length > length + 4) throw new Error(`no token of exactly ${length} characters`);
  }
}

const loginPath = (token: string, query = '') => `/login/${encodeURIComponent(token)}${query}`;
const appLoginPath = (appId: string, token: string) => `/apps/${appId}/login/${encodeURIComponent(token)}`;

function landingOf(res: LightMyRequestResponse): { target: string; code: string | null } {
  const url = new URL(String(res.headers.location));
  return { target: `${url.origin}${url.pathname}`, code: url.searchParams.get('lk_code') };
}

describe.each(DIALECTS)('stateless signed links on %s', (dialect) => {
  let server: TestServer;
  let key: SigningKey;

  beforeAll(async () => {
    server = await startTestServer(dialect);
    key = await createSigningKey();
    await patchApp(server.appId, { page_shortcuts: SHORTCUTS, default_shortcut: 'my_account' });
  });
  afterAll(async () => server?.close());

  const nowS = () => Math.floor(server.ctx.clock() / 1000);
  const claims = (overrides: Record<string, unknown> = {}) => ({
    sub: freshSub(),
    iss: 'billing',
    exp: nowS() + 3600,
    ...overrides,
  });
  const tokenFor = (overrides: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
    joseToken(key.secret, claims(overrides), header);

  async function createSigningKey(apiKey?: string): Promise<SigningKey> {
    const res = await server.api('POST', '/v1/signing-keys', { label: 'test' }, apiKey);
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json() as SigningKey;
    return { kid: body.kid, secret: body.secret };
  }

  async function patchApp(appId: string, body: Record<string, unknown>, apiKey?: string) {
    const res = await server.api('PATCH', `/v1/apps/${appId}`, body, apiKey);
    expect(res.statusCode, res.body).toBe(200);
  }

  async function keyedApp(settings: Record<string, unknown> = {}): Promise<KeyedApp> {
    const other = await createOtherApp(server, settings);
    return { appId: other.appId, apiKey: other.key, ...(await createSigningKey(other.key)) };
  }

  const open = (path: string, headers: Record<string, string> = {}) =>
    server.app.inject({ method: 'GET', url: path, headers });
  const press = (path: string, headers: Record<string, string> = {}) =>
    server.app.inject({ method: 'POST', url: path, headers });

  async function exchange(code: string, apiKey?: string): Promise<Exchanged> {
    const res = await server.api('POST', '/v1/sessions/exchange', { code }, apiKey);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Exchanged;
  }

  /** Presses the button and exchanges the code: the user and session the app's backend gets. */
  async function signIn(path: string, apiKey?: string, headers: Record<string, string> = {}) {
    const res = await press(path, headers);
    expect(res.statusCode, res.body).toBe(303);
    const { target, code } = landingOf(res);
    expect(code).toBeTruthy();
    return { target, ...(await exchange(code!, apiKey)) };
  }

  async function stored(appId = server.appId) {
    const page = { limit: 10_000 };
    const [sessions, users] = await Promise.all([
      server.ctx.store.listSessions(appId, {}, page),
      server.ctx.store.listUsers(appId, {}, page),
    ]);
    return { sessions: sessions.length, users: users.length };
  }

  async function problem(res: LightMyRequestResponse, code: ErrorCode) {
    expect(res.statusCode, res.body).toBeLessThan(500);
    expect(res.headers['latchkey-error-code'], res.body).toBe(code);
    expect(res.json().error.code).toBe(code);
    expect(res.statusCode).toBe(errorCodes[code].status);
  }

  /** GET and POST both refuse with `code`, and nothing is stored. */
  async function expectRefused(path: string, code: ErrorCode, appId = server.appId) {
    const before = await stored(appId);
    await problem(await open(path, JSON_ACCEPT), code);
    await problem(await press(path, JSON_ACCEPT), code);
    expect(await stored(appId)).toEqual(before);
  }

  describe('signing in', () => {
    it('signs a customer in with a jose token whose sub is the number 1234', async () => {
      const token = await joseToken(key.secret, { sub: 1234, iss: 'billing', exp: nowS() + 3600 });
      const sessionsBefore = (await server.api('GET', '/v1/sessions')).json().data;
      const page = await open(loginPath(token));
      expect(page.statusCode, page.body).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toContain('method="post"');
      expect((await server.api('GET', '/v1/sessions')).json().data).toEqual(sessionsBefore);

      const { target, user, session } = await signIn(loginPath(token));
      expect(target).toBe(DEFAULT_LANDING);
      expect(user.external_id).toBe('1234');
      const jwt = decodeJwt(session.token);
      expect(jwt.amr).toEqual(['signed_link']);
      expect(jwt.sub).toBe(user.id);
      expect(jwt.aud).toBe(server.appId);
    });

    it('accepts a token that names its key with kid', async () => {
      const sub = freshSub();
      const { user } = await signIn(loginPath(await tokenFor({ sub }, { kid: key.kid })));
      expect(user.external_id).toBe(String(sub));
    });

    it('reuses the user when the same sub signs in again', async () => {
      const sub = freshSub();
      const first = await signIn(loginPath(await tokenFor({ sub })));
      const second = await signIn(loginPath(await tokenFor({ sub, exp: nowS() + 1800 })));
      expect(second.user.id).toBe(first.user.id);
      const found = await server.api('GET', `/v1/users?external_id=${sub}`);
      expect(found.json().data).toHaveLength(1);
    });

    it('signs in the user a usr_ sub names', async () => {
      const created = await server.api('POST', '/v1/users', { email: `c${freshSub()}@example.com` });
      expect(created.statusCode, created.body).toBe(201);
      const userId = created.json().id as string;
      const { user } = await signIn(loginPath(await tokenFor({ sub: userId })));
      expect(user.id).toBe(userId);
    });

    it('creates a new customer with the email the token carries', async () => {
      const email = `n${freshSub()}@example.com`;
      const { user } = await signIn(loginPath(await tokenFor({ email })));
      expect(user.email).toBe(email);
    });

    it('never consumes the token on GET, however often', async () => {
      const token = await tokenFor();
      const before = await stored();
      for (let i = 0; i < 5; i++) expect((await open(loginPath(token))).statusCode).toBe(200);
      expect(await stored()).toEqual(before);
      await signIn(loginPath(token));
      await problem(await press(loginPath(token), JSON_ACCEPT), 'token_used');
    });

    it('never consumes the token on HEAD', async () => {
      const token = await tokenFor();
      const before = await stored();
      for (let i = 0; i < 3; i++) {
        const res = await server.app.inject({ method: 'HEAD', url: loginPath(token) });
        expect(res.statusCode).toBe(200);
        expect(res.body).toBe('');
      }
      expect(await stored()).toEqual(before);
      await signIn(loginPath(token));
    });

    it('serves the confirm page with the security headers of every page', async () => {
      const res = await open(loginPath(await tokenFor()));
      expect(res.statusCode).toBe(200);
      expectPageHeaders(res);
    });

    it('accepts a token whose nbf is 10 seconds ahead', async () => {
      await signIn(loginPath(await tokenFor({ nbf: nowS() + 10 })));
    });

    it('accepts a token whose iat is 10 seconds ahead, within the clock leeway', async () => {
      await signIn(loginPath(await tokenFor({ iat: nowS() + 10 })));
    });

    it('accepts a sub of 0', async () => {
      const { user } = await signIn(loginPath(await tokenFor({ sub: 0 })));
      expect(user.external_id).toBe('0');
    });

    it('accepts a valid token of 3,000 characters', async () => {
      const token = await tokenFor({ name: 'n'.repeat(2_100) });
      expect(token.length).toBeGreaterThan(2_900);
      expect(token.length).toBeLessThan(4_096);
      expect((await open(loginPath(token))).statusCode).toBe(200);
      await signIn(loginPath(token));
    });

    it('accepts a token that lives exactly the maximum of 30 days', async () => {
      await signIn(loginPath(await tokenFor({ exp: nowS() + 30 * DAY_S - 60 })));
    });
  });

  describe('refusals', () => {
    it.each(['none', 'NONE', 'None'])('refuses an unsecured token with alg %s', async (alg) => {
      const unsecured = new UnsecuredJWT(asPayload(claims())).encode();
      const [, payload] = unsecured.split('.');
      const token = `${b64json({ alg, typ: 'JWT' })}.${payload}.`;
      await expectRefused(loginPath(token), 'token_algorithm_not_allowed');
    });

    it.each(['none', 'NONE', 'None'])('refuses alg %s even with a valid HS256 signature', async (alg) => {
      await expectRefused(
        loginPath(hmacToken(key.secret, { alg, typ: 'JWT' }, claims())),
        'token_algorithm_not_allowed',
      );
    });

    it.each(['HS384', 'HS512'])('refuses a real %s token made with the same secret', async (alg) => {
      const token = await joseToken(key.secret, claims(), { alg });
      await expectRefused(loginPath(token), 'token_algorithm_not_allowed');
    });

    it.each(['RS256', 'ES256', 'PS256'])(
      'refuses an HMAC-signed token whose header says %s (algorithm confusion)',
      async (alg) => {
        const token = hmacToken(key.secret, { alg, typ: 'JWT' }, claims());
        await expectRefused(loginPath(token), 'token_algorithm_not_allowed');
        await expectRefused(
          loginPath(hmacToken(key.secret, { alg, typ: 'JWT', kid: key.kid }, claims())),
          'token_algorithm_not_allowed',
        );
      },
    );

    it.each(['RS256', 'ES256'])('refuses a real %s token made by jose', async (alg) => {
      const { privateKey } = await generateKeyPair(alg);
      const token = await new SignJWT(asPayload(claims()))
        .setProtectedHeader({ alg, typ: 'JWT' })
        .sign(privateKey);
      await expectRefused(loginPath(token), 'token_algorithm_not_allowed');
    });

    it('refuses an alg that is an object which cannot be turned into text', async () => {
      const token = hmacToken(key.secret, { alg: { toString: 1 }, typ: 'JWT' }, claims());
      await expectRefused(loginPath(token), 'token_algorithm_not_allowed');
    });

    it('refuses a token signed with another secret', async () => {
      const token = await joseToken(`lk_hs_${randomBytes(32).toString('base64url')}`, claims());
      await expectRefused(loginPath(token), 'token_signature_invalid');
    });

    it('refuses a token signed with another secret that names a real kid', async () => {
      const token = await joseToken('not-the-secret', claims(), { kid: key.kid });
      await expectRefused(loginPath(token), 'token_signature_invalid');
    });

    it('refuses a token signed with a revoked key, with or without kid', async () => {
      const revoked = await createSigningKey();
      const withKid = await joseToken(revoked.secret, claims(), { kid: revoked.kid });
      const withoutKid = await joseToken(revoked.secret, claims());
      const res = await server.api('DELETE', `/v1/signing-keys/${revoked.kid}`);
      expect(res.statusCode, res.body).toBe(200);
      await expectRefused(loginPath(withKid), 'token_key_revoked');
      await expectRefused(loginPath(withoutKid), 'token_key_revoked');
    });

    it('refuses a well-formed kid that does not exist', async () => {
      const token = await tokenFor({}, { kid: unknownKid(server) });
      await expectRefused(loginPath(token), 'token_key_unknown');
    });

    it.each([
      ['a path', '../../etc/passwd'],
      ['SQL', "' OR 1=1 --"],
      ['an upper-case look-alike', 'sk_0123456789ABCDEFGHJKMNPQRS'],
      ['an empty string', ''],
      ['a number', 42],
      ['an object', { $ne: null }],
      ['an array', ['sk_x']],
      ['null', null],
    ])('refuses a kid that is %s', async (_name, kid) => {
      await expectRefused(loginPath(await tokenFor({}, { kid })), 'token_key_unknown');
    });

    it('refuses a 2,500-character kid as an unknown key', async () => {
      await expectRefused(loginPath(await tokenFor({}, { kid: 'k'.repeat(2_500) })), 'token_key_unknown');
    });

    it('refuses a token without exp', async () => {
      const { exp: _exp, ...rest } = claims();
      await expectRefused(loginPath(await joseToken(key.secret, rest)), 'token_expiry_missing');
    });

    it('refuses a token whose exp is a string of digits', async () => {
      await expectRefused(loginPath(await tokenFor({ exp: '9999999999' })), 'token_expiry_missing');
    });

    it('refuses a token whose exp has passed', async () => {
      await expectRefused(loginPath(await tokenFor({ exp: nowS() - 1 })), 'token_expired');
    });

    it('refuses a token once the clock passes its exp', async () => {
      const token = await tokenFor({ exp: nowS() + 60 });
      expect((await open(loginPath(token))).statusCode).toBe(200);
      server.advance(61_000);
      await expectRefused(loginPath(token), 'token_expired');
    });

    it('refuses a token that lives 31 days', async () => {
      await expectRefused(loginPath(await tokenFor({ exp: nowS() + 31 * DAY_S })), 'token_lifetime_too_long');
    });

    it('refuses a token whose exp is more than 30 days after its iat', async () => {
      const token = await tokenFor({ iat: nowS() - 31 * DAY_S, exp: nowS() + 3600 });
      await expectRefused(loginPath(token), 'token_lifetime_too_long');
    });

    it('refuses a token that lives longer than the app maximum of 60 minutes', async () => {
      const app = await keyedApp({ max_ttl_minutes: 60, ttl_minutes: { verify_identifier: 60, invite: 60 } });
      const long = await joseToken(app.secret, claims({ exp: nowS() + 2 * 3600 }), { kid: app.kid });
      await expectRefused(loginPath(long), 'token_lifetime_too_long', app.appId);
      const short = await joseToken(app.secret, claims({ exp: nowS() + 30 * 60 }), { kid: app.kid });
      await signIn(loginPath(short), app.apiKey);
    });

    it('refuses a token whose nbf is an hour ahead', async () => {
      await expectRefused(loginPath(await tokenFor({ nbf: nowS() + 3600 })), 'token_not_yet_valid');
    });

    it('refuses a token whose nbf is not a number', async () => {
      await expectRefused(loginPath(await tokenFor({ nbf: 'soon' })), 'token_malformed');
    });

    it.each([
      ['45 seconds', 45],
      ['an hour', 3600],
    ])('refuses a token whose iat is %s ahead as not yet valid', async (_name, ahead) => {
      await expectRefused(loginPath(await tokenFor({ iat: nowS() + ahead })), 'token_not_yet_valid');
    });

    it.each([
      ['a string of digits', '1700000000'],
      ['null', null],
      ['an object', { at: 1 }],
    ])('refuses a token whose iat is %s as malformed', async (_name, iat) => {
      await expectRefused(loginPath(await tokenFor({ iat })), 'token_malformed');
    });

    it('refuses a token without sub', async () => {
      const { sub: _sub, ...rest } = claims();
      await expectRefused(loginPath(await joseToken(key.secret, rest)), 'token_subject_missing');
    });

    it.each([
      ['an empty string', ''],
      ['blank', '   '],
      ['an object', { id: 1 }],
      ['an array', [1234]],
      ['a float', 12.5],
      ['a negative number', -1],
      ['a negative float', -12.5],
      ['the most negative safe integer', -Number.MAX_SAFE_INTEGER],
      ['an unsafe integer', 2 ** 60],
      ['null', null],
      ['true', true],
      ['a control character', 'a\u0000b'],
      ['256 characters', 'c'.repeat(256)],
    ])('refuses a sub that is %s', async (_name, sub) => {
      await expectRefused(loginPath(await tokenFor({ sub })), 'token_subject_missing');
    });

    it('refuses a sub of negative zero', async () => {
      const token = rawPayloadToken(key.secret, `{"sub":-0,"exp":${nowS() + 3600}}`);
      await expectRefused(loginPath(token), 'token_subject_missing');
    });

    it('refuses a token whose payload was changed after signing', async () => {
      const [header, , signature] = (await tokenFor()).split('.');
      const tampered = `${header}.${b64json(claims())}.${signature}`;
      await expectRefused(loginPath(tampered), 'token_signature_invalid');
    });

    it('refuses a token whose header was changed after signing', async () => {
      const [, payload, signature] = (await tokenFor()).split('.');
      const tampered = `${b64json({ alg: 'HS256', typ: 'JWT', x: 1 })}.${payload}.${signature}`;
      await expectRefused(loginPath(tampered), 'token_signature_invalid');
    });

    it.each([
      ['two parts', (t: string) => t.split('.').slice(0, 2).join('.')],
      ['bad base64', (t: string) => t.replace('.', '.*!')],
      [
        'a non-JSON payload',
        (t: string) => t.replace(/\.[^.]+\./, `.${Buffer.from('{sub:').toString('base64url')}.`),
      ],
      ['a JSON array payload', (t: string) => t.replace(/\.[^.]+\./, `.${b64json([1234])}.`)],
      ['4,000 characters of one letter', () => 'a'.repeat(4_000)],
      ['a plain word', () => 'hello'],
    ])('refuses %s as token_malformed', async (_name, mangle) => {
      await expectRefused(loginPath(mangle(await tokenFor())), 'token_malformed');
    });

    it('answers a page with the precise code in a header when the browser asks for HTML', async () => {
      const cases: Array<[string, ErrorCode]> = [
        [await tokenFor({ exp: nowS() - 10 }), 'token_expired'],
        [await joseToken('wrong', claims()), 'token_signature_invalid'],
        [hmacToken(key.secret, { alg: 'none' }, claims()), 'token_algorithm_not_allowed'],
        ['not.a.token', 'token_malformed'],
      ];
      for (const [token, code] of cases) {
        for (const res of [await open(loginPath(token)), await press(loginPath(token))]) {
          expect(res.statusCode).toBe(errorCodes[code].status);
          expect(res.headers['latchkey-error-code']).toBe(code);
          expectPageHeaders(res);
          expect(res.body).toMatch(/^<!doctype html>/i);
        }
      }
    });
  });

  describe('token length', () => {
    const HTML_ACCEPT = { accept: 'text/html' };
    const send = (method: 'GET' | 'HEAD' | 'POST', url: string, headers: Record<string, string> = {}) =>
      server.app.inject({ method, url, headers });

    /** Every method at `path` answers validation_failed for the token, as JSON or as a page, and stores nothing. */
    async function expectTooLong(path: string) {
      const before = await stored();
      for (const method of ['GET', 'POST'] as const) {
        const json = await send(method, path, JSON_ACCEPT);
        await problem(json, 'validation_failed');
        expect(json.json().error.param).toBe('token');
        const page = await send(method, path, HTML_ACCEPT);
        expect(page.statusCode).toBe(400);
        expect(page.headers['latchkey-error-code']).toBe('validation_failed');
        expectPageHeaders(page);
        expect(page.body).toMatch(/^<!doctype html>/i);
      }
      const head = await send('HEAD', path);
      expect(head.statusCode).toBe(400);
      expect(head.headers['latchkey-error-code']).toBe('validation_failed');
      expect(head.body).toBe('');
      expect(await stored()).toEqual(before);
    }

    it('accepts a validly signed token of exactly 4,096 characters, at both paths', async () => {
      const token = tokenOfLength(key.secret, 4_096, claims());
      expect(token).toHaveLength(4_096);
      expect((await open(loginPath(token))).statusCode).toBe(200);
      expect((await send('HEAD', appLoginPath(server.appId, token))).statusCode).toBe(200);
      expect((await open(appLoginPath(server.appId, token))).statusCode).toBe(200);
      await signIn(loginPath(token));
    });

    it.each([4_097, 5_065, 8_137, 12_137, 16_384])(
      'refuses a validly signed token of %i characters with validation_failed and never spends it',
      async (length) => {
        const jti = `long-${length}-${freshSub()}`;
        const token = tokenOfLength(key.secret, length, claims({ jti }));
        expect(token).toHaveLength(length);
        await expectTooLong(loginPath(token));
        await expectTooLong(appLoginPath(server.appId, token));
        // Nothing was recorded for its jti: a short token carrying the same jti still signs in.
        await signIn(loginPath(await tokenFor({ jti })));
      },
    );

    it.each([
      ['text that is no token', () => 'a'.repeat(5_000)],
      [
        'an unsecured token',
        () => tokenOfLength(key.secret, 5_000, claims()).replace(/^[^.]+/, b64json({ alg: 'none' })),
      ],
      [
        'a token naming an unknown kid',
        () => hmacToken(key.secret, { alg: 'HS256', kid: 'k'.repeat(5_000) }, claims()),
      ],
      ['an expired token', () => tokenOfLength(key.secret, 5_000, claims({ exp: nowS() - 10 }))],
    ])('checks the length before anything else: %s over 4,096 characters', async (_name, make) => {
      await expectTooLong(loginPath(make()));
    });

    it("refuses a token beyond the router's 16,384-character limit with validation_failed", async () => {
      const token = tokenOfLength(key.secret, 20_000, claims());
      for (const method of ['GET', 'POST'] as const) {
        const res = await send(method, loginPath(token), JSON_ACCEPT);
        expect(res.statusCode).toBe(400);
        expect(res.json().error.code).toBe('validation_failed');
      }
      expect((await send('HEAD', loginPath(token))).statusCode).toBe(400);
    });
  });

  describe('aud', () => {
    it.each([
      ['the app id', () => server.appId],
      ['a list holding the app id', () => ['https://crm.example.com', server.appId]],
      ['the public URL', () => 'https://auth.example.com'],
      ['the public URL with a trailing slash', () => 'https://auth.example.com/'],
      ['a list holding the public URL', () => ['https://auth.example.com']],
    ])('accepts a token whose aud is %s', async (_name, aud) => {
      await signIn(loginPath(await tokenFor({ aud: aud() })));
    });

    it.each([
      ['another app id', () => newId('app', server.ctx.clock(), randomBytes)],
      ['another URL', () => 'https://crm.example.com'],
      ['the public URL with a path', () => 'https://auth.example.com/login'],
      ['the public URL on http', () => 'http://auth.example.com'],
      ['the app id in upper case', () => server.appId.toUpperCase()],
      ['a list without us', () => ['https://crm.example.com', 'billing']],
      ['an empty list', () => []],
      ['an empty string', () => ''],
      ['a number', () => 42],
      ['a list holding a number', () => [42]],
      ['null', () => null],
      ['an object', () => ({ id: server.appId })],
    ])('refuses a token whose aud is %s', async (_name, aud) => {
      await expectRefused(loginPath(await tokenFor({ aud: aud() })), 'token_audience_invalid');
    });

    it("refuses a token whose aud is another app's id, though its signature is right", async () => {
      const other = await keyedApp();
      await expectRefused(loginPath(await tokenFor({ aud: other.appId })), 'token_audience_invalid');
    });

    it('answers the link page with the code in a header', async () => {
      for (const res of [
        await open(loginPath(await tokenFor({ aud: 'billing' }))),
        await press(loginPath(await tokenFor({ aud: 'billing' }))),
      ]) {
        expect(res.statusCode).toBe(errorCodes.token_audience_invalid.status);
        expect(res.headers['latchkey-error-code']).toBe('token_audience_invalid');
        expectPageHeaders(res);
      }
    });
  });

  describe('one-time use', () => {
    it('refuses a second redemption with token_used', async () => {
      const token = await tokenFor();
      await signIn(loginPath(token));
      const before = await stored();
      await problem(await press(loginPath(token), JSON_ACCEPT), 'token_used');
      expect(await stored()).toEqual(before);
    });

    it('answers token_used on GET once the token is spent', async () => {
      const token = await tokenFor();
      await signIn(loginPath(token));
      await problem(await open(loginPath(token), JSON_ACCEPT), 'token_used');
    });

    it('lets exactly one of 30 concurrent redemptions of one token sign in', async () => {
      const token = await tokenFor();
      const before = await stored();
      const results = await Promise.all(
        Array.from({ length: 30 }, () => press(loginPath(token), JSON_ACCEPT)),
      );
      const statuses = results.map((res) => res.statusCode);
      expect(statuses.filter((status) => status === 303)).toHaveLength(1);
      for (const res of results.filter((r) => r.statusCode !== 303)) await problem(res, 'token_used');
      const after = await stored();
      expect(after.sessions).toBe(before.sessions + 1);
      expect(after.users).toBe(before.users + 1);
    });

    it('lets a token sign in again when the app allows reuse', async () => {
      const app = await keyedApp({ signed_links_reusable: true });
      const token = await joseToken(app.secret, claims(), { kid: app.kid });
      const first = await signIn(loginPath(token), app.apiKey);
      const second = await signIn(loginPath(token), app.apiKey);
      expect(second.user.id).toBe(first.user.id);
      expect(second.session.id).not.toBe(first.session.id);
    });

    it('spends a token by its jti: another token with the same jti is refused', async () => {
      const jti = `inv-${freshSub()}`;
      await signIn(loginPath(await tokenFor({ jti })));
      await problem(await press(loginPath(await tokenFor({ jti })), JSON_ACCEPT), 'token_used');
    });

    it('treats tokens with different jti as different tokens', async () => {
      const sub = freshSub();
      await signIn(loginPath(await tokenFor({ sub, jti: `a-${sub}` })));
      await signIn(loginPath(await tokenFor({ sub, jti: `b-${sub}` })));
    });

    it('does not let a re-encoded signature make a spent token new again', async () => {
      const token = await tokenFor();
      await signIn(loginPath(token));
      const last = token.at(-1)!;
      const twin = `${token.slice(0, -1)}${B64URL[B64URL.indexOf(last) ^ 1]}`;
      expect(Buffer.from(twin.split('.')[2]!, 'base64url')).toEqual(
        Buffer.from(token.split('.')[2]!, 'base64url'),
      );
      const res = await press(loginPath(twin), JSON_ACCEPT);
      expect(res.statusCode, res.body).not.toBe(303);
      expect(res.json().error.code).toBe('token_malformed');
    });
  });

  describe('redirect_to', () => {
    it.each(BILLING_SHORTCUTS)('lands on the %s shortcut', async (name) => {
      const { target } = await signIn(loginPath(await tokenFor(), `?redirect_to=${name}`));
      expect(target).toBe(`https://app.example.com/${name}`);
    });

    it.each([
      ['an unknown name', 'nope'],
      ['a raw absolute URL', 'https://evil.example/x'],
      ['an encoded URL', 'https%3A%2F%2Fevil.example'],
      ['a protocol-relative URL', '%2F%2Fevil.example'],
      ['a javascript: URL', 'javascript:alert(1)'],
      ['__proto__', '__proto__'],
      ['constructor', 'constructor'],
      ['hasOwnProperty', 'hasOwnProperty'],
      ['a name in another case', 'INVOICES'],
      ['an empty value', ''],
    ])('falls back to the default shortcut for %s', async (_name, value) => {
      const { target } = await signIn(loginPath(await tokenFor(), `?redirect_to=${value}`));
      expect(target).toBe(DEFAULT_LANDING);
    });

    it('takes redirect_to from the token when the query has none', async () => {
      const { target } = await signIn(loginPath(await tokenFor({ redirect_to: 'credit_notes' })));
      expect(target).toBe('https://app.example.com/credit_notes');
    });

    it('prefers the query redirect_to over the token claim', async () => {
      const token = await tokenFor({ redirect_to: 'credit_notes' });
      const { target } = await signIn(loginPath(token, '?redirect_to=payments'));
      expect(target).toBe('https://app.example.com/payments');
    });

    it('falls back to the default shortcut when the token claim is a raw URL', async () => {
      const { target } = await signIn(loginPath(await tokenFor({ redirect_to: 'https://evil.example/x' })));
      expect(target).toBe(DEFAULT_LANDING);
    });

    it('lands on the default redirect URL of an app without shortcuts', async () => {
      const app = await keyedApp();
      const token = await joseToken(app.secret, claims(), { kid: app.kid });
      const { target } = await signIn(loginPath(token, '?redirect_to=invoices'), app.apiKey);
      expect(target).toBe(OTHER_LANDING);
    });

    it('answers redirect_required when the app has no shortcut and no default redirect', async () => {
      const app = await keyedApp({ default_redirect_url: undefined });
      const token = await joseToken(app.secret, claims(), { kid: app.kid });
      await expectRefused(loginPath(token, '?redirect_to=invoices'), 'redirect_required', app.appId);
    });
  });

  describe('which app a token belongs to', () => {
    it('gives a token without kid on the shared host to the default app', async () => {
      const { user } = await signIn(loginPath(await tokenFor()));
      expect((await server.ctx.store.getUser(server.appId, user.id))?.app_id).toBe(server.appId);
    });

    it("refuses another app's token without kid on the shared host", async () => {
      const app = await keyedApp();
      await expectRefused(loginPath(await joseToken(app.secret, claims())), 'token_signature_invalid');
    });

    it("accepts another app's token without kid at /apps/{app_id}/login/{token}", async () => {
      const app = await keyedApp();
      const token = await joseToken(app.secret, claims());
      expect((await open(appLoginPath(app.appId, token))).statusCode).toBe(200);
      const { target, user } = await signIn(appLoginPath(app.appId, token), app.apiKey);
      expect(target).toBe(OTHER_LANDING);
      expect((await server.ctx.store.getUser(app.appId, user.id))?.app_id).toBe(app.appId);
    });

    it("accepts another app's token with its kid at /login/{token}", async () => {
      const app = await keyedApp();
      const token = await joseToken(app.secret, claims(), { kid: app.kid });
      const { target } = await signIn(loginPath(token), app.apiKey);
      expect(target).toBe(OTHER_LANDING);
    });

    it('finds an app by the host of its public_url as soon as it is set', async () => {
      await open(loginPath(await tokenFor()));
      const app = await keyedApp({ public_url: 'https://billing.other.example' });
      const token = await joseToken(app.secret, claims());
      const { target } = await signIn(loginPath(token), app.apiKey, { host: 'billing.other.example' });
      expect(target).toBe(OTHER_LANDING);
    });

    it("refuses app A's kid at app B's path", async () => {
      const a = await keyedApp();
      const b = await keyedApp();
      const token = await joseToken(a.secret, claims(), { kid: a.kid });
      await expectRefused(appLoginPath(b.appId, token), 'token_key_unknown', b.appId);
      await expectRefused(appLoginPath(b.appId, token), 'token_key_unknown', a.appId);
    });

    it('answers token_app_unknown at the path of an app that does not exist', async () => {
      const missing = newId('app', server.ctx.clock(), randomBytes);
      await expectRefused(appLoginPath(missing, await tokenFor()), 'token_app_unknown');
    });
  });

  describe('when the app does not create users', () => {
    let app: KeyedApp;
    beforeAll(async () => {
      app = await keyedApp({ auto_create_users: false });
    });

    it('refuses an unknown sub with user_creation_disabled and creates nothing', async () => {
      const token = await joseToken(app.secret, claims(), { kid: app.kid });
      const before = await stored(app.appId);
      await problem(await press(loginPath(token), JSON_ACCEPT), 'user_creation_disabled');
      expect(await stored(app.appId)).toEqual(before);
    });

    it('signs in a customer whose external_id is already known', async () => {
      const sub = freshSub();
      const created = await server.api('POST', '/v1/users', { external_id: String(sub) }, app.apiKey);
      expect(created.statusCode, created.body).toBe(201);
      const token = await joseToken(app.secret, claims({ sub }), { kid: app.kid });
      const { user } = await signIn(loginPath(token), app.apiKey);
      expect(user.id).toBe(created.json().id);
    });

    it('does not spend a token refused for an unknown customer', async () => {
      const sub = freshSub();
      const token = await joseToken(app.secret, claims({ sub }), { kid: app.kid });
      await problem(await press(loginPath(token), JSON_ACCEPT), 'user_creation_disabled');
      const created = await server.api('POST', '/v1/users', { external_id: String(sub) }, app.apiKey);
      expect(created.statusCode, created.body).toBe(201);
      await signIn(loginPath(token), app.apiKey);
    });
  });
});

describe.each(DIALECTS)('an app on its own domain on %s', (dialect) => {
  let server: TestServer;
  let app: { appId: string; apiKey: string; secret: string };

  beforeAll(async () => {
    server = await startTestServer(dialect);
    const other = await createOtherApp(server, { public_url: 'https://portal.other.example' });
    const res = await server.api('POST', '/v1/signing-keys', {}, other.key);
    expect(res.statusCode, res.body).toBe(201);
    app = { appId: other.appId, apiKey: other.key, secret: res.json().secret };
  });
  afterAll(async () => server?.close());

  const token = () =>
    joseToken(app.secret, {
      sub: freshSub(),
      iss: 'billing',
      exp: Math.floor(server.ctx.clock() / 1000) + 600,
    });

  it('is found by the Host of its public_url for a token without kid', async () => {
    const t = await token();
    const headers = { host: 'portal.other.example' };
    expect((await server.app.inject({ method: 'GET', url: loginPath(t), headers })).statusCode).toBe(200);
    const res = await server.app.inject({ method: 'POST', url: loginPath(t), headers });
    expect(res.statusCode, res.body).toBe(303);
    const { target, code } = landingOf(res);
    expect(target).toBe(OTHER_LANDING);
    const exchanged = await server.api('POST', '/v1/sessions/exchange', { code }, app.apiKey);
    expect(exchanged.statusCode, exchanged.body).toBe(200);
  });

  it('is matched on the host whatever its case', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: loginPath(await token()),
      headers: { host: 'Portal.Other.Example' },
    });
    expect(res.statusCode, res.body).toBe(303);
  });

  it.each([
    ['its own public_url', () => 'https://portal.other.example'],
    ['its app id', () => app.appId],
    ["the server's public URL", () => 'https://auth.example.com'],
  ])('accepts a token whose aud is %s', async (_name, aud) => {
    const t = await joseToken(app.secret, {
      sub: freshSub(),
      exp: Math.floor(server.ctx.clock() / 1000) + 600,
      aud: aud(),
    });
    const res = await server.app.inject({
      method: 'POST',
      url: loginPath(t),
      headers: { host: 'portal.other.example' },
    });
    expect(res.statusCode, res.body).toBe(303);
  });

  it('does not claim tokens without kid on the shared host', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: loginPath(await token()),
      headers: { ...JSON_ACCEPT, host: 'auth.example.com' },
    });
    expect(res.headers['latchkey-error-code']).toBe('token_signature_invalid');
  });
});

function expectPageHeaders(res: LightMyRequestResponse) {
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  expect(String(res.headers['content-security-policy'])).toMatch(/frame-ancestors 'none'/);
  expect(String(res.headers['content-security-policy'])).toMatch(/default-src 'none'/);
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  expect(res.headers['cache-control']).toMatch(/no-store/);
}
