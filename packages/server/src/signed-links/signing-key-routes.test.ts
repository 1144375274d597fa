import { randomBytes } from 'node:crypto';
import { type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../crypto/tokens.js';
import { DIALECTS } from '../test-support/databases.js';
import { createOtherApp, startTestServer, type TestServer } from '../test-support/test-server.js';

interface CreatedKey {
  kid: string;
  app_id: string;
  label: string;
  algorithm: string;
  status: string;
  secret: string;
  secret_hint: string;
}

describe.each(DIALECTS)('signing keys on %s', (dialect) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(async () => server?.close());

  async function createKey(body: Record<string, unknown> = {}, apiKey?: string): Promise<CreatedKey> {
    const res = await server.api('POST', '/v1/signing-keys', body, apiKey);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as CreatedKey;
  }

  async function listKeys(apiKey?: string) {
    const res = await server.api('GET', '/v1/signing-keys?limit=500', undefined, apiKey);
    expect(res.statusCode, res.body).toBe(200);
    return { text: res.body, data: res.json().data as Array<Record<string, unknown>> };
  }

  function tokenFor(secret: string, kid?: string): Promise<string> {
    const exp = Math.floor(server.ctx.clock() / 1000) + 600;
    return new SignJWT({ sub: randomBytes(6).toString('hex'), iss: 'billing', exp } as JWTPayload)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...(kid === undefined ? {} : { kid }) })
      .sign(new TextEncoder().encode(secret));
  }

  const redeem = (token: string) =>
    server.app.inject({ method: 'POST', url: `/login/${token}`, headers: { accept: 'application/json' } });

  it('creates a key with a kid and shows its secret in the create response', async () => {
    const key = await createKey({ label: 'billing backend' });
    expect(key.kid).toMatch(/^sk_[0-9a-z]{26}$/);
    expect(key.secret).toMatch(/^lk_hs_[A-Za-z0-9_-]{43}$/);
    expect(key).toMatchObject({
      app_id: server.appId,
      label: 'billing backend',
      algorithm: 'HS256',
      status: 'active',
    });
    expect(key.secret.startsWith(key.secret_hint.replace('…', ''))).toBe(true);
  });

  it('makes a different secret every time', async () => {
    const secrets = new Set<string>();
    for (let i = 0; i < 5; i++) secrets.add((await createKey()).secret);
    expect(secrets.size).toBe(5);
  });

  it('never lists a secret', async () => {
    const key = await createKey();
    const { text, data } = await listKeys();
    expect(data.map((row) => row.kid)).toContain(key.kid);
    expect(text).not.toContain(key.secret);
    for (const row of data) expect(row).not.toHaveProperty('secret');
  });

  it('stores the secret sealed, not in clear', async () => {
    const key = await createKey();
    const row = await server.ctx.store.getSigningKey(key.kid);
    expect(row).toBeDefined();
    expect(row!.secret).not.toBe(key.secret);
    expect(row!.secret).not.toContain(key.secret);
    expect(row!.secret).not.toContain(key.secret.slice('lk_hs_'.length));
    expect(row!.secret).not.toContain(Buffer.from(key.secret).toString('base64url'));
    expect(server.ctx.secretBox.open(row!.secret, key.kid)).toBe(key.secret);
  });

  it('revokes a key: it is listed as revoked and its tokens get token_key_revoked', async () => {
    const key = await createKey();
    const withKid = await tokenFor(key.secret, key.kid);
    const withoutKid = await tokenFor(key.secret);
    const res = await server.api('DELETE', `/v1/signing-keys/${key.kid}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ kid: key.kid, status: 'revoked' });
    expect(res.json().revoked_at).toEqual(expect.any(String));
    const listed = (await listKeys()).data.find((row) => row.kid === key.kid);
    expect(listed).toMatchObject({ status: 'revoked' });
    for (const token of [withKid, withoutKid]) {
      const refused = await redeem(token);
      expect(refused.statusCode, refused.body).toBe(401);
      expect(refused.json().error.code).toBe('token_key_revoked');
    }
  });

  it('revokes a key once: a second revocation is a 404', async () => {
    const key = await createKey();
    expect((await server.api('DELETE', `/v1/signing-keys/${key.kid}`)).statusCode).toBe(200);
    const again = await server.api('DELETE', `/v1/signing-keys/${key.kid}`);
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe('not_found');
  });

  it('answers 404 for a kid that does not exist', async () => {
    const res = await server.api('DELETE', `/v1/signing-keys/${newId('sk', Date.now(), randomBytes)}`);
    expect(res.statusCode).toBe(404);
  });

  it('answers 400, never 500, for a malformed kid', async () => {
    const res = await server.api('DELETE', `/v1/signing-keys/${encodeURIComponent("' OR 1=1 --")}`);
    expect(res.statusCode).toBe(400);
  });

  it("keeps an app's keys out of another app's sight and reach", async () => {
    const key = await createKey();
    const other = await createOtherApp(server);
    const { text, data } = await listKeys(other.key);
    expect(data.map((row) => row.kid)).not.toContain(key.kid);
    expect(text).not.toContain(key.kid);
    const res = await server.api('DELETE', `/v1/signing-keys/${key.kid}`, undefined, other.key);
    expect(res.statusCode).toBe(404);
    expect((await server.ctx.store.getSigningKey(key.kid))?.revoked_at).toBeNull();
  });

  it('lets several active keys verify at once, with and without kid (rotation)', async () => {
    const keys = [await createKey(), await createKey(), await createKey()];
    for (const key of keys) {
      for (const token of [await tokenFor(key.secret, key.kid), await tokenFor(key.secret)]) {
        const res = await redeem(token);
        expect(res.statusCode, res.body).toBe(303);
      }
    }
  });

  it('keeps the other keys working when one is revoked', async () => {
    const [old, current] = [await createKey(), await createKey()];
    expect((await server.api('DELETE', `/v1/signing-keys/${old.kid}`)).statusCode).toBe(200);
    const res = await redeem(await tokenFor(current.secret));
    expect(res.statusCode, res.body).toBe(303);
  });

  it('verifies a token without kid against an active key older than 25 revoked ones', async () => {
    const other = await createOtherApp(server);
    const active = await createKey({}, other.key);
    for (let i = 0; i < 25; i++) {
      const retired = await createKey({}, other.key);
      const res = await server.api('DELETE', `/v1/signing-keys/${retired.kid}`, undefined, other.key);
      expect(res.statusCode).toBe(200);
    }
    const res = await server.app.inject({
      method: 'POST',
      url: `/apps/${other.appId}/login/${await tokenFor(active.secret)}`,
      headers: { accept: 'application/json' },
    });
    expect(res.statusCode, res.body).toBe(303);
  });

  it('records signing_key.created and signing_key.revoked audit events', async () => {
    const key = await createKey({ label: 'audited' });
    expect((await server.api('DELETE', `/v1/signing-keys/${key.kid}`)).statusCode).toBe(200);
    const events = async (type: string) =>
      server.ctx.store.listEvents(server.appId, { type, subject_id: key.kid }, { limit: 10 });
    const created = await events('signing_key.created');
    const revoked = await events('signing_key.revoked');
    expect(created).toHaveLength(1);
    expect(revoked).toHaveLength(1);
    expect(JSON.parse(created[0]!.data)).toMatchObject({ kid: key.kid, label: 'audited' });
    expect(JSON.parse(revoked[0]!.data)).toMatchObject({ kid: key.kid });
    expect(JSON.stringify([...created, ...revoked])).not.toContain(key.secret);
  });

  it('requires an API key', async () => {
    const create = await server.app.inject({ method: 'POST', url: '/v1/signing-keys', payload: {} });
    expect(create.statusCode).toBe(401);
    const list = await server.app.inject({ method: 'GET', url: '/v1/signing-keys' });
    expect(list.statusCode).toBe(401);
  });

  it('refuses unknown fields in the create body', async () => {
    const res = await server.api('POST', '/v1/signing-keys', { label: 'x', secret: 'mine' });
    expect(res.statusCode).toBe(400);
  });
});
