/**
 * The SDK's calls for the dashboard's tools against a real, listening Latchkey (SQLite): the redirect tester, QR
 * codes of link URLs, and template test messages (printed by the development transport).
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, uniqueEmail } from '../../server/src/test-support/test-server.js';
import { Latchkey } from './client.js';
import { LatchkeyError } from './errors.js';

let server: TestServer;
let client: Latchkey;
let admin: Latchkey;

beforeAll(async () => {
  server = await startTestServer('sqlite');
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  client = new Latchkey({ baseUrl, apiKey: server.apiKey });
  admin = new Latchkey({ baseUrl, apiKey: server.adminKey });
});

afterAll(async () => {
  await server?.close();
});

async function caught(promise: Promise<unknown>): Promise<LatchkeyError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LatchkeyError);
  return error as LatchkeyError;
}

describe('apps.checkRedirect', () => {
  it('answers whether a link may redirect to a URL or a shortcut, with the matching entry', async () => {
    await client.apps.update(server.appId, { page_shortcuts: { home: 'https://app.example.com/home' } });
    expect(await client.apps.checkRedirect({ url: 'https://app.example.com/x' })).toMatchObject({
      allowed: true,
      matched: 'https://app.example.com',
      url: 'https://app.example.com/x',
    });
    const refused = await client.apps.checkRedirect({ url: 'https://evil.example/' });
    expect(refused).toMatchObject({ allowed: false, matched: null });
    expect(refused.reason).toContain('allowed_redirects');
    expect(await client.apps.checkRedirect({ redirect_to: 'home' })).toMatchObject({ allowed: true });
    // An admin key names the app.
    expect(await admin.apps.checkRedirect({ url: 'https://app.example.com/' }, server.appId)).toMatchObject({
      allowed: true,
    });
    const both = await caught(
      client.apps.checkRedirect({ url: 'https://app.example.com/', redirect_to: 'home' }),
    );
    expect(both).toMatchObject({ status: 400, code: 'validation_failed', param: 'url' });
  });
});

describe('magicLinks.qrCode', () => {
  it("answers an SVG of a new link's URL, and refuses other URLs", async () => {
    const link = await client.magicLinks.create({ email: uniqueEmail() });
    const svg = await client.magicLinks.qrCode(link.url);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).not.toContain(link.secret);
    const refused = await caught(client.magicLinks.qrCode('https://evil.example/l/x'));
    expect(refused).toMatchObject({ status: 400, code: 'validation_failed', param: 'text' });
  });
});

describe('templates.sendTest', () => {
  it('sends the template (or a draft) now and answers what the transport said', async () => {
    const sent = await client.templates.sendTest('login', 'en', {
      to: 'ada@example.com',
      subject: 'Hi {{app_name}}',
    });
    expect(sent).toMatchObject({ sent: true, channel: 'email', to: 'ada@example.com', transport: 'log' });
    expect(sent.message_id).toMatch(/^msg_/);
    const broken = await caught(
      client.templates.sendTest('login', 'en', { to: 'ada@example.com', text: 'no link' }),
    );
    expect(broken).toMatchObject({ status: 400, code: 'validation_failed', param: 'text' });
  });
});
