/** Offline verification across a session-key rotation, against a real, listening Latchkey (SQLite). */
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, uniqueEmail } from '../../server/src/test-support/test-server.js';
import { Latchkey } from './client.js';
import { LatchkeyError } from './errors.js';

const ISSUER = 'https://auth.example.com';
let server: TestServer;
let baseUrl: string;

beforeAll(async () => {
  // A server of its own: this suite moves the server's clock a day forward.
  server = await startTestServer('sqlite');
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await server?.close();
});

async function signIn(client: Latchkey) {
  const link = await client.magicLinks.create({ email: uniqueEmail() });
  const res = await fetch(`${baseUrl}/l/${link.secret}`, { method: 'POST', redirect: 'manual' });
  const code = new URL(res.headers.get('location')!).searchParams.get('lk_code')!;
  return (await client.sessions.exchange({ code })).session.token;
}

describe('session-key rotation', () => {
  it('keeps old tokens verifying, verifies tokens of the new key, and drops the old key after 24 hours', async () => {
    // A long-lived client, as an application's backend holds one.
    const client = new Latchkey({ baseUrl, apiKey: server.apiKey, issuer: ISSUER, jwksCooldownMs: 0 });
    const admin = new Latchkey({ baseUrl, apiKey: server.adminKey });
    const verify = (c: Latchkey, token: string) => c.sessions.verify(token, { appId: server.appId });

    const before = await signIn(client);
    expect(await verify(client, before)).toMatchObject({ aud: server.appId });
    const [oldKey] = await admin.sessionKeys.list();
    expect(oldKey).toMatchObject({ status: 'active', published: true });

    const rotated = await admin.sessionKeys.rotate();
    expect(rotated.kid).not.toBe(oldKey!.kid);
    expect(rotated.data.map((k) => [k.kid, k.status, k.published])).toEqual([
      [rotated.kid, 'active', true],
      [oldKey!.kid, 'retired', true],
    ]);

    const after = await signIn(client);
    expect(decodeProtectedHeader(after).kid).toBe(rotated.kid);
    expect(decodeProtectedHeader(before).kid).toBe(oldKey!.kid);
    // The same client: the new kid makes it fetch the JWKS again; the old key is still published.
    expect(await verify(client, after)).toMatchObject({ aud: server.appId });
    expect(await verify(client, before)).toMatchObject({ aud: server.appId });
    const fresh = () => new Latchkey({ baseUrl, issuer: ISSUER });
    expect(await verify(fresh(), before)).toMatchObject({ aud: server.appId });

    // A day later the retired key has left the JWKS: its tokens no longer verify.
    server.advance(24 * 60 * 60 * 1000 + 60_000);
    const jwks = (await (await fetch(`${baseUrl}/.well-known/jwks.json`)).json()) as {
      keys: Array<{ kid: string }>;
    };
    expect(jwks.keys.map((k) => k.kid)).toEqual([rotated.kid]);
    await expect(verify(fresh(), before)).rejects.toThrow();
    expect((await admin.sessionKeys.list()).find((k) => k.kid === oldKey!.kid)?.published).toBe(false);
  });

  it('lets only an admin key list or rotate', async () => {
    const app = new Latchkey({ baseUrl, apiKey: server.apiKey });
    // One call at a time: a second refusal arriving while the first is awaited would be an unhandled rejection.
    for (const call of [() => app.sessionKeys.list(), () => app.sessionKeys.rotate()]) {
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(LatchkeyError);
      expect((error as LatchkeyError).code).toBe('forbidden');
    }
  });
});
