import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../test-support/databases.js';
import {
  createOtherApp,
  createTestLink,
  redeemHostedForCode,
  startTestServer,
  type TestServer,
} from '../test-support/test-server.js';

interface UserBody {
  id: string;
  email: string | null;
  email_verified: boolean;
  phone: string | null;
  phone_verified: boolean;
  external_id: string | null;
  metadata: Record<string, unknown>;
}

const tag = () => randomBytes(5).toString('hex');
const uniqueEmail = () => `user-${tag()}@example.com`;
// A valid San Francisco number: the exchange (the three digits after the area code) never starts with 0 or 1.
const uniquePhone = () =>
  `+1415${2 + (randomBytes(1)[0]! % 8)}${String(randomBytes(4).readUInt32BE() % 1_000_000).padStart(6, '0')}`;
const errorOf = (res: { json(): unknown }) =>
  (res.json() as { error: { code: string; param?: string } }).error;

async function createUser(
  server: TestServer,
  body: Record<string, unknown>,
  key?: string,
): Promise<UserBody> {
  const res = await server.api('POST', '/v1/users', body, key);
  if (res.statusCode !== 201) throw new Error(`user creation failed: ${res.statusCode} ${res.body}`);
  return res.json() as UserBody;
}

async function lookup(server: TestServer, query: string, key?: string): Promise<UserBody[]> {
  const res = await server.api('GET', `/v1/users?${query}`, undefined, key);
  expect(res.statusCode).toBe(200);
  return (res.json() as { data: UserBody[] }).data;
}

describe.each(DIALECTS)('users on %s', (dialect) => {
  let server: TestServer;
  let otherKey: string;
  beforeAll(async () => {
    server = await startTestServer(dialect);
    otherKey = (await createOtherApp(server)).key;
  });
  afterAll(async () => server.close());

  describe('create', () => {
    it('creates a user with email, phone, external_id and metadata', async () => {
      const email = uniqueEmail();
      const phone = uniquePhone();
      const externalId = `cus_${tag()}`;
      const res = await server.api('POST', '/v1/users', {
        email,
        phone,
        external_id: externalId,
        metadata: { plan: 'pro', seats: 3 },
      });
      expect(res.statusCode).toBe(201);
      const user = res.json() as UserBody;
      expect(user).toMatchObject({
        id: expect.stringMatching(/^usr_[0-9a-z]{26}$/),
        email,
        email_verified: false,
        phone,
        phone_verified: false,
        external_id: externalId,
        metadata: { plan: 'pro', seats: 3 },
      });
      expect((await server.api('GET', `/v1/users/${user.id}`)).json()).toEqual(user);
    });

    it.each([
      ['only an external_id', { external_id: 'only-external' }],
      ['only a phone', { phone: '+4915112345678' }],
    ])('creates a user with %s', async (_label, body) => {
      const res = await server.api('POST', '/v1/users', body);
      expect(res.statusCode).toBe(201);
    });

    it('requires at least one identifier', async () => {
      const res = await server.api('POST', '/v1/users', { metadata: { plan: 'pro' } });
      expect(res.statusCode).toBe(400);
      const error = errorOf(res);
      expect(error.code).toBe('validation_failed');
      expect(['email', 'phone', 'external_id']).toContain(error.param);
    });

    it('stores the email trimmed, lower-cased and in NFC', async () => {
      const local = tag();
      const user = await createUser(server, { email: `  ${local.toUpperCase()}JOSE\u0301@Example.COM ` });
      expect(user.email).toBe(`${local}jos\u00e9@example.com`);
    });

    it('treats a decomposed and a composed email as the same address', async () => {
      const local = tag();
      await createUser(server, { email: `${local}jose\u0301@example.com` });
      const res = await server.api('POST', '/v1/users', { email: `${local}José@example.com` });
      expect(res.statusCode).toBe(409);
      expect(errorOf(res)).toMatchObject({ code: 'conflict', param: 'email' });
    });

    it('stores a formatted phone number in E.164', async () => {
      const digits = String(randomBytes(4).readUInt32BE() % 10_000).padStart(4, '0');
      const user = await createUser(server, { phone: `+1 (415) 555-${digits}` });
      expect(user.phone).toBe(`+1415555${digits}`);
    });

    it.each([
      ['an email without a domain', { email: 'jane@' }, 'email', 'invalid_email'],
      ['an email with a display name', { email: 'Jane <jane@example.com>' }, 'email', 'invalid_email'],
      ['an email with an empty domain label', { email: 'a@.example.com' }, 'email', 'invalid_email'],
      // NUL is refused by the request check, before any field is read as an address.
      ['an email with a NUL byte', { email: 'ja\u0000ne@example.com' }, 'email', 'validation_failed'],
      ['an empty email', { email: '', external_id: 'has-external-id' }, 'email', 'invalid_email'],
      ['a phone without country code', { phone: '4155550123' }, 'phone', 'invalid_phone'],
      ['a phone with letters', { phone: '+1 415 CALL NOW' }, 'phone', 'invalid_phone'],
      ['a number no country assigns', { phone: '+999123456789' }, 'phone', 'invalid_phone'],
      ['an external_id with a NUL byte', { external_id: 'cus\u0000x' }, 'external_id', 'validation_failed'],
      [
        'a string for metadata',
        { email: 'meta@example.com', metadata: 'plan=pro' },
        'metadata',
        'validation_failed',
      ],
      ['an unknown field', { email: 'unknown@example.com', nickname: 'J' }, 'nickname', 'validation_failed'],
    ])('refuses %s with a code naming the field', async (_label, body, param, code) => {
      const res = await server.api('POST', '/v1/users', body);
      expect(res.statusCode).toBe(400);
      expect(errorOf(res)).toMatchObject({ code, param });
    });

    it.each([
      [
        'email',
        () => ({ email: uniqueEmail() }),
        (b: Record<string, string>) => ({ email: b.email!.toUpperCase() }),
      ],
      ['phone', () => ({ phone: uniquePhone() }), (b: Record<string, string>) => ({ phone: b.phone })],
      ['external_id', () => ({ external_id: `cus_${tag()}` }), (b: Record<string, string>) => b],
    ])(
      'refuses a second user with the same %s in one app with 409 conflict',
      async (field, first, second) => {
        const body = first();
        await createUser(server, body);
        const res = await server.api('POST', '/v1/users', second(body));
        expect(res.statusCode).toBe(409);
        expect(errorOf(res)).toMatchObject({ code: 'conflict', param: field });
      },
    );

    it('allows the same email in two apps', async () => {
      const email = uniqueEmail();
      await createUser(server, { email });
      const res = await server.api('POST', '/v1/users', { email }, otherKey);
      expect(res.statusCode).toBe(201);
    });
  });

  describe('lookup and list', () => {
    it('finds a user by email whatever the case of the query', async () => {
      const email = uniqueEmail();
      const user = await createUser(server, { email });
      const found = await lookup(server, `email=${encodeURIComponent(email.toUpperCase())}`);
      expect(found.map((u) => u.id)).toEqual([user.id]);
    });

    it('finds a user by phone in any formatting', async () => {
      const phone = uniquePhone();
      const user = await createUser(server, { phone });
      const spaced = `${phone.slice(0, 2)} ${phone.slice(2, 5)} ${phone.slice(5)}`;
      const found = await lookup(server, `phone=${encodeURIComponent(spaced)}`);
      expect(found.map((u) => u.id)).toEqual([user.id]);
    });

    it('finds a user by external_id', async () => {
      const externalId = `cus_${tag()}`;
      const user = await createUser(server, { external_id: externalId });
      const found = await lookup(server, `external_id=${encodeURIComponent(externalId)}`);
      expect(found.map((u) => u.id)).toEqual([user.id]);
    });

    it('answers an empty list for an unknown identifier', async () => {
      expect(await lookup(server, `email=${encodeURIComponent(uniqueEmail())}`)).toEqual([]);
    });

    it('refuses a malformed email filter with invalid_email', async () => {
      const res = await server.api('GET', '/v1/users?email=not-an-email');
      expect(res.statusCode).toBe(400);
      expect(errorOf(res)).toMatchObject({ code: 'invalid_email', param: 'email' });
    });

    it('pages through every user with next_cursor', async () => {
      const tenantKey = (await createOtherApp(server)).key;
      const created = [];
      for (let i = 0; i < 5; i++) created.push(await createUser(server, { email: uniqueEmail() }, tenantKey));
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor === null ? 'limit=2' : `limit=2&cursor=${cursor}`;
        const res = await server.api('GET', `/v1/users?${query}`, undefined, tenantKey);
        const page = res.json() as { data: UserBody[]; next_cursor: string | null };
        expect(page.data.length).toBeLessThanOrEqual(2);
        seen.push(...page.data.map((u) => u.id));
        cursor = page.next_cursor;
        pages++;
      } while (cursor !== null && pages < 10);
      expect(pages).toBe(3);
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual(created.map((u) => u.id).sort());
    });
  });

  describe('update', () => {
    it('marks a changed email as unverified', async () => {
      const user = await createUser(server, { email: uniqueEmail(), email_verified: true });
      expect(user.email_verified).toBe(true);
      const email = uniqueEmail();
      const res = await server.api('PATCH', `/v1/users/${user.id}`, { email });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ email, email_verified: false });
    });

    it('keeps the verification when the same email is sent in another case', async () => {
      const email = uniqueEmail();
      const user = await createUser(server, { email, email_verified: true });
      const res = await server.api('PATCH', `/v1/users/${user.id}`, { email: email.toUpperCase() });
      expect(res.json()).toMatchObject({ email, email_verified: true });
    });

    it('marks a changed phone as unverified', async () => {
      const user = await createUser(server, { phone: uniquePhone(), phone_verified: true });
      const phone = uniquePhone();
      const res = await server.api('PATCH', `/v1/users/${user.id}`, { phone });
      expect(res.json()).toMatchObject({ phone, phone_verified: false });
    });

    it('removes the email with null when another identifier remains', async () => {
      const user = await createUser(server, { email: uniqueEmail(), phone: uniquePhone() });
      const res = await server.api('PATCH', `/v1/users/${user.id}`, { email: null });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ email: null, phone: user.phone });
    });

    it('refuses to remove the last identifier and changes nothing', async () => {
      const user = await createUser(server, { email: uniqueEmail(), metadata: { a: 1 } });
      const res = await server.api('PATCH', `/v1/users/${user.id}`, { email: null, metadata: { a: 2 } });
      expect(res.statusCode).toBe(400);
      expect(errorOf(res).code).toBe('validation_failed');
      expect((await server.api('GET', `/v1/users/${user.id}`)).json()).toEqual(user);
    });

    it('refuses an email that another user of the app has with 409 conflict', async () => {
      const taken = await createUser(server, { email: uniqueEmail() });
      const user = await createUser(server, { email: uniqueEmail() });
      const res = await server.api('PATCH', `/v1/users/${user.id}`, { email: taken.email });
      expect(res.statusCode).toBe(409);
      expect(errorOf(res)).toMatchObject({ code: 'conflict', param: 'email' });
    });

    it('refuses a bad phone with invalid_phone and changes nothing', async () => {
      const user = await createUser(server, { phone: uniquePhone() });
      const res = await server.api('PATCH', `/v1/users/${user.id}`, { phone: '555-0123' });
      expect(res.statusCode).toBe(400);
      expect(errorOf(res)).toMatchObject({ code: 'invalid_phone', param: 'phone' });
      expect((await server.api('GET', `/v1/users/${user.id}`)).json()).toEqual(user);
    });

    it('replaces the metadata', async () => {
      const user = await createUser(server, { email: uniqueEmail(), metadata: { plan: 'free' } });
      const res = await server.api('PATCH', `/v1/users/${user.id}`, { metadata: { plan: 'pro' } });
      expect(res.json()).toMatchObject({ metadata: { plan: 'pro' } });
    });
  });

  describe('delete', () => {
    it('answers 204 and the user is gone', async () => {
      const user = await createUser(server, { email: uniqueEmail() });
      const res = await server.api('DELETE', `/v1/users/${user.id}`);
      expect(res.statusCode).toBe(204);
      const after = await server.api('GET', `/v1/users/${user.id}`);
      expect(after.statusCode).toBe(404);
      expect(errorOf(after).code).toBe('not_found');
    });

    it("revokes the user's outstanding links", async () => {
      const link = await createTestLink(server, { email: uniqueEmail() });
      await server.api('DELETE', `/v1/users/${link.user_id}`);
      const post = await server.app.inject({ method: 'POST', url: `/l/${link.token}` });
      expect(post.statusCode).toBe(410);
      const read = await server.api('GET', `/v1/magic-links/${link.id}`);
      expect(read.json()).toMatchObject({ status: 'revoked' });
    });

    it("revokes the user's sessions, so their refresh tokens fail", async () => {
      const link = await createTestLink(server, { email: uniqueEmail() });
      const code = await redeemHostedForCode(server, link.token);
      const exchanged = await server.api('POST', '/v1/sessions/exchange', { code });
      const session = (exchanged.json() as { session: { id: string; refresh_token: string } }).session;
      await server.api('DELETE', `/v1/users/${link.user_id}`);
      expect((await server.api('GET', `/v1/sessions/${session.id}`)).json()).toMatchObject({
        status: 'revoked',
      });
      const res = await server.api('POST', '/v1/sessions/refresh', { refresh_token: session.refresh_token });
      expect(res.statusCode).toBe(401);
      expect(errorOf(res).code).toBe('refresh_token_invalid');
    });

    it('answers 404 for an unknown user', async () => {
      const res = await server.api('DELETE', '/v1/users/usr_00000000000000000000000000');
      expect(res.statusCode).toBe(404);
    });

    it('frees the email for a new user', async () => {
      const email = uniqueEmail();
      const user = await createUser(server, { email });
      await server.api('DELETE', `/v1/users/${user.id}`);
      expect((await server.api('POST', '/v1/users', { email })).statusCode).toBe(201);
    });
  });

  describe('isolation', () => {
    it("answers 404 to another app's key reading the user", async () => {
      const user = await createUser(server, { email: uniqueEmail() });
      const res = await server.api('GET', `/v1/users/${user.id}`, undefined, otherKey);
      expect(res.statusCode).toBe(404);
    });

    it("answers 404 to another app's key changing the user, and changes nothing", async () => {
      const user = await createUser(server, { email: uniqueEmail() });
      const res = await server.api('PATCH', `/v1/users/${user.id}`, { metadata: { owned: true } }, otherKey);
      expect(res.statusCode).toBe(404);
      expect((await server.api('GET', `/v1/users/${user.id}`)).json()).toEqual(user);
    });

    it("answers 404 to another app's key deleting the user, and the user stays", async () => {
      const user = await createUser(server, { email: uniqueEmail() });
      const res = await server.api('DELETE', `/v1/users/${user.id}`, undefined, otherKey);
      expect(res.statusCode).toBe(404);
      expect((await server.api('GET', `/v1/users/${user.id}`)).statusCode).toBe(200);
    });

    it("does not find the user through another app's lookup", async () => {
      const email = uniqueEmail();
      await createUser(server, { email });
      expect(await lookup(server, `email=${encodeURIComponent(email)}`, otherKey)).toEqual([]);
    });
  });
});
