/**
 * The dashboard in a real headless Chromium (Debian's `chromium`, driven by playwright-core) against a listening
 * Latchkey: the page loads under its CSP, shows the sign-in screen, passes axe in light and dark, works from the
 * keyboard, fits 360 px, and leaves screenshots in packages/dashboard/screenshots/ (docs/dashboard.md).
 *
 * Everything is real: the operator signs in through the real email flow (an SMTP server on loopback receives the
 * message, and the test reads the code from it), and every screen calls the server's own /dashboard/api.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDelivery } from '../runtime.js';
import { parseMessage } from '../test-support/login-flow.js';
import { type SmtpSink, startSmtpSink } from '../test-support/smtp-sink.js';
import {
  createOtherApp,
  startTestServer,
  TEST_REDIRECT,
  type TestServer,
  uniqueEmail,
} from '../test-support/test-server.js';
import { createOperator } from './operator-service.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// CI installs Chromium and sets this, so a missing browser fails there instead of skipping.
const required = process.env.LATCHKEY_REQUIRE_BROWSER === '1';
const available = existsSync(CHROMIUM);
if (!available && required)
  throw new Error(`Chromium not found at ${CHROMIUM}; install Debian's chromium package.`);

const SCREENSHOTS = fileURLToPath(new URL('../../../dashboard/screenshots/', import.meta.url));
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const OWNER = 'ada@acme.example';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** axe's serious and critical findings on the page as it is now, as readable lines. */
async function axeProblems(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern (an injected <script> would be).
  await page.evaluate(AXE_SOURCE);
  // Expressions as text: this file is type-checked for Node, without the DOM's names.
  const violations = (await page.evaluate('axe.run().then((result) => result.violations)')) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Whether the page scrolls sideways: at 360 px nothing should. */
function overflowsSideways(page: Page): Promise<boolean> {
  return page.evaluate('document.documentElement.scrollWidth > window.innerWidth') as Promise<boolean>;
}

/** The whole page, or only the viewport where a modal dialog's backdrop covers exactly that. */
async function shoot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage });
}

describe.runIf(available)('the dashboard in headless Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let stopDelivery: () => Promise<void>;
  let base = '';
  let otherAppId = '';
  let smtp: SmtpSink;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    smtp = await startSmtpSink();
    server = await startTestServer('sqlite', {
      env: { LATCHKEY_PUBLIC_URL: base, LATCHKEY_SMTP_URL: smtp.url },
    });
    await createOperator(server.ctx, { email: OWNER, role: 'owner', invitedBy: 'test' });
    await server.app.listen({ port, host: '127.0.0.1' });
    stopDelivery = startDelivery(server.ctx, { pollMs: 100 });
    otherAppId = (await createOtherApp(server, { name: 'Acme client portal' })).appId;
    await makeLinks(server);

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
  });

  /** A page that records script errors, CSP refusals and any request that leaves this server. */
  async function openPage(
    options: { width?: number; colorScheme?: 'light' | 'dark' } = {},
  ): Promise<{ page: Page; problems: string[]; close: () => Promise<void> }> {
    const context = await browser.newContext({
      viewport: { width: options.width ?? 1280, height: 800 },
      colorScheme: options.colorScheme ?? 'light',
      timezoneId: 'Europe/Berlin',
      locale: 'en-GB',
    });
    const page = await context.newPage();
    // Shorter than the test's own limit, so a step that never happens fails with its locator named.
    page.setDefaultTimeout(10_000);
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
    });
    page.on('request', (request) => {
      if (!request.url().startsWith(base)) problems.push(`request off the machine: ${request.url()}`);
    });
    const close = async () => {
      // A forwarded API call may still be on its way when a test ends; its answer has nowhere to go.
      await page.unrouteAll({ behavior: 'ignoreErrors' });
      await context.close();
    };
    return { page, problems, close };
  }

  /** The code of the newest sign-in message to `to`, waiting for it to arrive at the SMTP server. */
  async function codeSentTo(to: string, after: number): Promise<string> {
    const mails = await smtp.waitFor(after + 1, 20_000);
    const mail = mails
      .slice(after)
      .reverse()
      .find((m) => m.to.includes(to));
    if (!mail) throw new Error(`no message to ${to}`);
    return parseMessage(to, mail.text).code;
  }

  /**
   * Signs in through the screens as a new owner, with the code of the real message. A new operator each time: one
   * address may ask for a code only so often, and every test starts in a fresh browser.
   */
  async function signIn(page: Page): Promise<string> {
    const email = `owner-${uniqueEmail()}`;
    await createOperator(server.ctx, { email, role: 'owner', invitedBy: 'test' });
    const before = smtp.messages.length;
    await page.goto(`${base}/dashboard/`);
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Send me a sign-in code' }).click();
    await page.getByLabel('Code').fill(await codeSentTo(email, before));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    return email;
  }

  it('loads under its CSP and shows the sign-in screen to a browser with no session', async () => {
    const { page, problems, close } = await openPage();
    try {
      const session = page.waitForResponse(`${base}/dashboard/api/session`);
      await page.goto(`${base}/dashboard/`);
      expect((await session).status()).toBe(401);
      await page.getByRole('heading', { name: 'Sign in to the dashboard' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/dashboard/sign-in');
      await shoot(page, 'sign-in-1280-light');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it.each(['light', 'dark'] as const)(
    'has no serious or critical axe finding on sign-in, %s',
    async (colorScheme) => {
      const { page, problems, close } = await openPage({ colorScheme });
      try {
        await page.goto(`${base}/dashboard/sign-in`);
        await page.getByLabel('Email address').waitFor();
        expect(await axeProblems(page)).toEqual([]);
        if (colorScheme === 'dark') await shoot(page, 'sign-in-1280-dark');
        expect(problems).toEqual([]);
      } finally {
        await close();
      }
    },
  );

  it('signs in with the keyboard alone, with a wrong code shown next to the field', async () => {
    const { page, problems, close } = await openPage({ width: 390 });
    try {
      const before = smtp.messages.length;
      await page.goto(`${base}/dashboard/`);
      await page.getByRole('heading', { name: 'Sign in to the dashboard' }).waitFor();
      expect(await overflowsSideways(page)).toBe(false);
      await shoot(page, 'sign-in-390-light');

      await page.keyboard.press('Tab');
      expect(await page.locator(':focus').getAttribute('autocomplete')).toBe('email');
      await page.keyboard.type(OWNER);
      await page.keyboard.press('Tab');
      expect(await page.locator(':focus').textContent()).toBe('Send me a sign-in code');
      await page.keyboard.press('Enter');

      await page.getByRole('heading', { name: 'Check your email' }).waitFor();
      // The code field has the focus as soon as it shows.
      expect(await page.locator(':focus').getAttribute('autocomplete')).toBe('one-time-code');
      const sent = await codeSentTo(OWNER, before);
      await page.keyboard.type('ZZZZ-ZZZZ');
      await page.keyboard.press('Enter');
      const code = page.getByLabel('Code');
      await page.getByText('The code is not right').waitFor();
      expect(await code.getAttribute('aria-invalid')).toBe('true');
      expect(await code.evaluate((input) => input.matches(':focus'))).toBe(true);
      expect(await axeProblems(page)).toEqual([]);
      await shoot(page, 'sign-in-code-error-390-light');

      await code.fill('');
      await page.keyboard.type(sent.toLowerCase());
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/dashboard/');
      // The session is a cookie the page's scripts cannot read.
      const cookies = await page.context().cookies();
      expect(cookies.find((c) => c.name.includes('lk_dashboard'))).toMatchObject({
        httpOnly: true,
        sameSite: 'Strict',
      });
      expect(await page.evaluate('document.cookie')).not.toContain('lk_dashboard');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('shows the shell: the eleven screens, the Overview with the app’s numbers, and the empty state of another app', async () => {
    const { page, problems, close } = await openPage();
    const calls: Array<{ method: string; path: string; csrf?: string }> = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/dashboard/api/'))
        calls.push({
          method: request.method(),
          path: url.pathname.slice('/dashboard/api'.length),
          ...csrfOf(request.headers()),
        });
    });
    try {
      await signIn(page);
      const nav = page.getByRole('navigation', { name: 'Screens' });
      expect(await nav.getByRole('link').allTextContents()).toEqual([
        'Overview',
        'Links',
        'Campaigns',
        'Users',
        'Templates',
        'Delivery',
        'Webhooks',
        'Events',
        'Settings',
        'API keys',
        'Operators',
      ]);
      // Apps are listed by name, so the other app comes first until one is chosen.
      await page.getByLabel('App').selectOption(server.appId);
      await page.getByText('Links created', { exact: true }).waitFor();
      const stats = calls.find((c) => c.path.startsWith('/v1/stats'));
      expect(stats).toBeDefined();
      expect(await page.locator('time').first().getAttribute('title')).toMatch(/UTC$/);
      expect(await axeProblems(page)).toEqual([]);
      await shoot(page, 'overview-1280-light');

      await page.getByLabel('Theme').last().selectOption('dark');
      expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
      expect(await axeProblems(page)).toEqual([]);
      await shoot(page, 'overview-1280-dark');
      await page.getByLabel('Theme').last().selectOption('system');

      await page.getByLabel('App').selectOption(otherAppId);
      await page.getByText('No links were created in this period.').waitFor();
      await page.getByRole('radio', { name: 'Last 30 days' }).check();
      await page.getByText('Create your first link in').waitFor();
      await shoot(page, 'overview-empty-1280-light');

      await nav.getByRole('link', { name: 'Webhooks' }).click();
      await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
      await page.getByText('This screen is not built yet.').waitFor();
      expect(await nav.getByRole('link', { name: 'Webhooks' }).getAttribute('aria-current')).toBe('page');
      expect(await axeProblems(page)).toEqual([]);
      await shoot(page, 'placeholder-1280-light');

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to the dashboard' }).waitFor();
      // The change carried the session's CSRF token; the reads did not need one.
      expect(calls.find((c) => c.path === '/auth/sign-out')?.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(calls.filter((c) => c.method === 'GET' && c.csrf)).toEqual([]);
      // Signed out for real: the cookie no longer opens a session.
      expect((await page.request.get(`${base}/dashboard/api/session`)).status()).toBe(401);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('fits 390 px: the navigation folds into a menu button', async () => {
    const { page, problems, close } = await openPage({ width: 390, colorScheme: 'dark' });
    try {
      await signIn(page);
      await page.getByLabel('App').selectOption(server.appId);
      await page.getByText('Links created', { exact: true }).waitFor();
      const menu = page.getByRole('button', { name: 'Menu' });
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      expect(await page.getByRole('navigation', { name: 'Screens' }).isVisible()).toBe(false);
      expect(await overflowsSideways(page)).toBe(false);
      await shoot(page, 'overview-390-dark');

      await menu.click();
      expect(await menu.getAttribute('aria-expanded')).toBe('true');
      await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Links' }).click();
      await page.getByRole('heading', { name: 'Links' }).waitFor();
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      await menu.click();
      await shoot(page, 'menu-open-390-dark');
      await page.setViewportSize({ width: 360, height: 800 });
      expect(await overflowsSideways(page)).toBe(false);
      expect(await axeProblems(page)).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});

function csrfOf(headers: Record<string, string>): { csrf?: string } {
  const token = headers['x-csrf-token'];
  return token === undefined ? {} : { csrf: token };
}

/** Links in the default app, some sent and some redeemed, for the Overview to count. */
async function makeLinks(server: TestServer): Promise<void> {
  for (let i = 0; i < 8; i++) {
    const created = await server.api('POST', '/v1/magic-links', {
      email: uniqueEmail(),
      redirect_url: TEST_REDIRECT,
      send: i < 6,
    });
    if (created.statusCode !== 201) throw new Error(`link creation failed: ${created.body}`);
    const { url } = (created.json() as { magic_link: { url: string } }).magic_link;
    if (i < 3) {
      const path = new URL(url).pathname;
      await server.app.inject({ method: 'GET', url: path });
      const redeemed = await server.app.inject({ method: 'POST', url: path });
      if (redeemed.statusCode !== 303) throw new Error(`redemption failed: ${redeemed.statusCode}`);
    }
  }
}
