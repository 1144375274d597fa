/**
 * The hosted sign-in in a real headless Chromium (Debian's `chromium`, driven by playwright-core): the cross-device
 * approval, the same-browser link and the code, each ending on the app's callback page signed in. Messages go
 * through a real SMTP server on loopback; the app is a small HTTP server that exchanges `lk_code` like a real one.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDelivery } from '../runtime.js';
import { parseMessage } from '../test-support/login-flow.js';
import { type SmtpSink, startSmtpSink } from '../test-support/smtp-sink.js';
import { startTestServer, type TestServer, uniqueEmail } from '../test-support/test-server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// CI installs Chromium and sets this, so a missing browser fails there instead of skipping.
const required = process.env.LATCHKEY_REQUIRE_BROWSER === '1';
const available = existsSync(CHROMIUM);
if (!available && required)
  throw new Error(`Chromium not found at ${CHROMIUM}; install Debian's chromium package.`);

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe.runIf(available)('hosted sign-in in headless Chromium', () => {
  let server: TestServer;
  let smtp: SmtpSink;
  let browser: Browser;
  let appSite: Server;
  let stopDelivery: () => Promise<void>;
  let base = '';
  let appUrl = '';

  beforeAll(async () => {
    smtp = await startSmtpSink();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = await startTestServer('sqlite', {
      env: {
        LATCHKEY_PUBLIC_URL: base,
        LATCHKEY_SMTP_URL: smtp.url,
        LATCHKEY_SMTP_FROM: 'login@acme.example',
      },
    });
    await server.app.listen({ port, host: '127.0.0.1' });
    stopDelivery = startDelivery(server.ctx, { pollMs: 100 });

    // The app: its callback exchanges lk_code with the API key and says who is signed in.
    appSite = createServer(async (req, res) => {
      const code = new URL(req.url ?? '/', 'http://x').searchParams.get('lk_code');
      if (!code) {
        res.writeHead(404).end('no code');
        return;
      }
      const exchanged = await server.api('POST', '/v1/sessions/exchange', { code });
      const body = exchanged.json() as { user?: { email: string } };
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<h1>${body.user ? `Signed in as ${body.user.email}` : `Refused: ${exchanged.body}`}</h1>`);
    });
    await new Promise<void>((resolve) => appSite.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(appSite.address() as AddressInfo).port}`;
    const patched = await server.api('PATCH', `/v1/apps/${server.appId}`, {
      allowed_redirects: [appUrl],
      default_redirect_url: `${appUrl}/callback`,
    });
    expect(patched.statusCode, patched.body).toBe(200);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stopDelivery?.();
    await server?.close();
    await smtp?.close();
    await new Promise<void>((resolve) => (appSite ? appSite.close(() => resolve()) : resolve()));
  });

  /** Opens the login page in `page`, asks for a link for a new address, and returns the message it received. */
  async function ask(page: Page) {
    const email = uniqueEmail();
    await page.goto(`${base}/login?app=${server.appId}`);
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Send me a sign-in link' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    const mail = await waitForMail(email);
    return { email, message: parseMessage(email, mail.text) };
  }

  async function waitForMail(email: string) {
    for (let i = 0; i < 100; i++) {
      const mail = smtp.messages.find((m) => m.to.includes(email));
      if (mail) return mail;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no mail to ${email}`);
  }

  it('approving on a second device signs in the first, and only the first', async () => {
    const laptop = await browser.newContext();
    const phone = await browser.newContext();
    try {
      const first = await laptop.newPage();
      const { email, message } = await ask(first);

      const second = await phone.newPage();
      await second.goto(`${base}${message.path}`);
      await second.getByRole('heading', { name: 'Approve sign-in on your other device?' }).waitFor();
      // The page names the browser that asked, as that browser is: headless Chrome on Linux, not "Safari".
      expect(await second.textContent('body')).toContain('Headless Chrome on Linux');
      await second.getByRole('button', { name: 'Yes, sign me in there' }).click();
      await second.getByRole('heading', { name: 'Sign-in approved' }).waitFor();

      // The first tab polls, finishes and follows the app's redirect on its own.
      await first.waitForURL(`${appUrl}/callback?lk_code=*`, { timeout: 15_000 });
      expect(await first.textContent('h1')).toBe(`Signed in as ${email}`);
      expect(second.url()).toBe(`${base}${message.path}`);
      expect(await second.textContent('body')).not.toContain('Signed in as');
    } finally {
      await laptop.close();
      await phone.close();
    }
  }, 60_000);

  it('the link clicked in the same browser signs in there', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const { email, message } = await ask(page);
      await page.goto(`${base}${message.path}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${appUrl}/callback?lk_code=*`);
      expect(await page.textContent('h1')).toBe(`Signed in as ${email}`);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('the code typed on the page signs in', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      const { email, message } = await ask(page);
      await page.getByLabel('Code from the message').fill(message.code.toLowerCase());
      await page.getByRole('button', { name: 'Sign in with the code' }).click();
      await page.waitForURL(`${appUrl}/callback?lk_code=*`);
      expect(await page.textContent('h1')).toBe(`Signed in as ${email}`);
    } finally {
      await context.close();
    }
  }, 60_000);
});
