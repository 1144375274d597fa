/**
 * The portal signs a person in end to end: a real Latchkey (SQLite, its outbox worker and the log transport), the
 * portal listening on a socket, and plain HTTP as a browser would do it: the form, the link from the message, the
 * confirm button, the callback, the protected page, sign-out.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Latchkey } from '@latchkey/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDelivery } from '../../../packages/server/src/runtime.js';
import { freePort } from '../../../packages/server/src/test-support/cli-process.js';
import { startTestServer, type TestServer } from '../../../packages/server/src/test-support/test-server.js';
import { createPortal } from './app.js';

let latchkey: TestServer;
let latchkeyUrl: string;
let portal: Server;
let portalUrl: string;
let stopDelivery: () => Promise<void>;
const printed: string[] = [];

beforeAll(async () => {
  latchkey = await startTestServer('sqlite', { print: (line) => printed.push(line) });
  await latchkey.app.listen({ port: 0, host: '127.0.0.1' });
  latchkeyUrl = `http://127.0.0.1:${(latchkey.app.server.address() as AddressInfo).port}`;
  stopDelivery = startDelivery(latchkey.ctx, { pollMs: 50 });

  const client = new Latchkey({
    baseUrl: latchkeyUrl,
    apiKey: latchkey.apiKey,
    issuer: 'https://auth.example.com',
  });
  const port = await freePort();
  portalUrl = `http://127.0.0.1:${port}`;
  portal = await new Promise<Server>((resolve) => {
    const server = createPortal({ latchkey: client, appId: latchkey.appId, publicUrl: portalUrl }).listen(
      port,
      '127.0.0.1',
      () => resolve(server),
    );
  });
  const allowed = await latchkey.api('PATCH', `/v1/apps/${latchkey.appId}`, {
    allowed_redirects: [portalUrl],
    default_redirect_url: `${portalUrl}/callback`,
  });
  expect(allowed.statusCode, allowed.body).toBe(200);
});

afterAll(async () => {
  await new Promise<void>((resolve) => (portal ? portal.close(() => resolve()) : resolve()));
  await stopDelivery?.();
  await latchkey?.close();
});

/** A tiny cookie jar: what a browser would send back to the portal. */
const jar = new Map<string, string>();
function remember(res: Response) {
  for (const line of res.headers.getSetCookie()) {
    const [pair = ''] = line.split(';');
    const [name = '', ...value] = pair.split('=');
    const expired = /expires=Thu, 01 Jan 1970/i.test(line) || value.join('=') === '';
    if (expired) jar.delete(name);
    else jar.set(name, value.join('='));
  }
}
async function browse(path: string, init: RequestInit = {}) {
  const res = await fetch(`${portalUrl}${path}`, {
    ...init,
    redirect: 'manual',
    headers: {
      ...(init.headers as Record<string, string>),
      cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
    },
  });
  remember(res);
  return res;
}

it('signs a person in with an emailed link, shows the protected page, and signs out', async () => {
  // Signed out, the account page sends you to the form.
  expect((await browse('/account')).headers.get('location')).toBe('/');
  const form = await browse('/');
  expect(await form.text()).toContain('Email me a sign-in link');

  const email = `portal-${Date.now()}@example.com`;
  const sent = await browse('/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email }).toString(),
  });
  expect(sent.status).toBe(200);
  expect(await sent.text()).toContain('Check your email');

  // The message, as the log transport printed it; the link is on Latchkey's public URL.
  await expect.poll(() => printed.join('\n').includes(email), { timeout: 10_000 }).toBe(true);
  const token = /\/l\/([A-Za-z0-9_-]{49})/.exec(printed.join('\n').split(email).at(-1) ?? '')?.[1];
  expect(token).toBeDefined();

  // The confirm page's button, then Latchkey's redirect to the portal's callback with lk_code.
  const pressed = await fetch(`${latchkeyUrl}/l/${token}`, { method: 'POST', redirect: 'manual' });
  expect(pressed.status).toBe(303);
  const callback = new URL(pressed.headers.get('location')!);
  expect(callback.origin + callback.pathname).toBe(`${portalUrl}/callback`);
  const landed = await browse(`${callback.pathname}${callback.search}`);
  expect(landed.status).toBe(303);
  expect(landed.headers.get('location')).toBe('/account');
  expect(landed.headers.getSetCookie().join('\n')).toMatch(/portal_session=.*HttpOnly.*SameSite=Lax/i);

  const account = await browse('/account');
  expect(account.status).toBe(200);
  expect(await account.text()).toContain(`Signed in as <strong>${email}</strong>`);

  // The link worked once: the same callback again fails and shows why.
  const replayed = await fetch(`${portalUrl}${callback.pathname}${callback.search}`, { redirect: 'manual' });
  expect(replayed.status).toBe(400);

  const out = await browse('/logout', { method: 'POST' });
  expect(out.headers.get('location')).toBe('/');
  expect(jar.size).toBe(0);
  expect((await browse('/account')).headers.get('location')).toBe('/');
  const sessions = await latchkey.api('GET', '/v1/sessions?limit=10');
  expect((sessions.json().data as Array<{ revoked_at: string | null }>)[0]?.revoked_at).not.toBeNull();
});

it('answers a bad address with the reason and sends nothing', async () => {
  const res = await browse('/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'email=not-an-address',
  });
  expect(res.status).toBe(400);
  expect(await res.text()).toContain('That did not work');
});
