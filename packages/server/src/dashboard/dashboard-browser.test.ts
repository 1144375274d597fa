/**
 * The dashboard in a real headless Chromium (Debian's `chromium`, driven by playwright-core) against a listening
 * Latchkey: the page loads under its CSP, shows the sign-in screen, passes axe in light and dark, works from the
 * keyboard, fits 360 px, and leaves screenshots in packages/dashboard/screenshots/ (docs/dashboard.md).
 *
 * Until the dashboard's back end lands, /dashboard/api answers 404 and the page shows sign-in. The signed-in part is
 * seen through the back end's documented contract, answered in the browser (`answerContract`): the session and
 * auth calls from fixed answers, and /dashboard/api/v1/* forwarded to this server's real /v1 API with the admin key,
 * so the Overview shows the server's own numbers.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDelivery } from '../runtime.js';
import {
  createOtherApp,
  startTestServer,
  TEST_REDIRECT,
  type TestServer,
  uniqueEmail,
} from '../test-support/test-server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// CI installs Chromium and sets this, so a missing browser fails there instead of skipping.
const required = process.env.LATCHKEY_REQUIRE_BROWSER === '1';
const available = existsSync(CHROMIUM);
if (!available && required)
  throw new Error(`Chromium not found at ${CHROMIUM}; install Debian's chromium package.`);

const SCREENSHOTS = fileURLToPath(new URL('../../../dashboard/screenshots/', import.meta.url));
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const CODE = 'K7M2QP';
const CSRF = 'csrf_test_token_0123456789';

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

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = await startTestServer('sqlite', { env: { LATCHKEY_PUBLIC_URL: base } });
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

  /** The back end's contract, answered in the browser (see the file's comment). */
  async function answerContract(
    page: Page,
    calls: Array<{ method: string; path: string; csrf?: string }>,
    options: { reauthBeforeSignOut?: boolean } = {},
  ) {
    let signedIn = false;
    let fresh = !options.reauthBeforeSignOut;
    const defaultApp = (await server.api('GET', `/v1/apps/${server.appId}`)).json() as { name: string };
    await page.route(`${base}/dashboard/api/**`, async (route) => {
      const request = route.request();
      const url = new URL(request.url());
      const path = url.pathname.slice('/dashboard/api'.length);
      calls.push({ method: request.method(), path, ...csrfOf(request.headers()) });
      const json = (status: number, body?: unknown) =>
        route.fulfill({
          status,
          contentType: 'application/json',
          body: body === undefined ? '' : JSON.stringify(body),
        });
      if (path === '/session') {
        if (!signedIn) return json(401, { error: { code: 'unauthorized', message: 'Sign in first.' } });
        return json(200, {
          operator: { id: 'op_01', email: 'ada@acme.example', role: 'owner' },
          csrf_token: CSRF,
          apps: [
            { id: server.appId, name: defaultApp.name },
            { id: otherAppId, name: 'Acme client portal' },
          ],
        });
      }
      if (path === '/auth/start')
        return json(202, { status: 'pending', code_length: 6, expires_in_seconds: 900 });
      if (path === '/auth/verify') {
        const body = request.postDataJSON() as { code: string };
        if (body.code !== CODE) {
          return json(400, {
            error: {
              code: 'code_invalid',
              message: 'That code is not right. Check the message and try again.',
              param: 'code',
            },
          });
        }
        signedIn = true;
        return json(200, { status: 'signed_in' });
      }
      if (path === '/auth/reauth/start')
        return json(202, { status: 'pending', code_length: 6, expires_in_seconds: 900 });
      if (path === '/auth/reauth/verify') {
        const body = request.postDataJSON() as { code: string };
        if (body.code !== CODE) {
          return json(400, {
            error: { code: 'code_invalid', message: 'That code is not right.', param: 'code' },
          });
        }
        fresh = true;
        return json(200, { status: 'verified' });
      }
      if (path === '/auth/sign-out') {
        // Any change may ask for a fresh code; sign-out stands in for the changes of screens not built yet.
        if (!fresh)
          return json(403, { error: { code: 'reauth_required', message: 'Enter a fresh code first.' } });
        signedIn = false;
        return json(204);
      }
      if (path.startsWith('/v1/')) {
        const response = await route.fetch({
          url: `${base}${url.pathname.slice('/dashboard/api'.length)}${url.search}`,
          headers: { ...request.headers(), authorization: `Bearer ${server.adminKey}` },
        });
        return route.fulfill({ response });
      }
      return json(404, { error: { code: 'route_not_found', message: `No route for ${path}` } });
    });
  }

  /** Signs in through the screens, against the answered contract. */
  async function signIn(page: Page): Promise<void> {
    await page.goto(`${base}/dashboard/`);
    await page.getByLabel('Email address').fill('ada@acme.example');
    await page.getByRole('button', { name: 'Send me a sign-in code' }).click();
    await page.getByLabel('Code').fill(CODE);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
  }

  it('loads under its CSP and shows the sign-in screen while the back end answers 404', async () => {
    const { page, problems, close } = await openPage();
    try {
      const session = page.waitForResponse(`${base}/dashboard/api/session`);
      await page.goto(`${base}/dashboard/`);
      expect((await session).status()).toBe(404);
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
    const calls: Array<{ method: string; path: string; csrf?: string }> = [];
    try {
      await answerContract(page, calls);
      await page.goto(`${base}/dashboard/`);
      await page.getByRole('heading', { name: 'Sign in to the dashboard' }).waitFor();
      expect(await overflowsSideways(page)).toBe(false);
      await shoot(page, 'sign-in-390-light');

      await page.keyboard.press('Tab');
      expect(await page.locator(':focus').getAttribute('autocomplete')).toBe('email');
      await page.keyboard.type('ada@acme.example');
      await page.keyboard.press('Tab');
      expect(await page.locator(':focus').textContent()).toBe('Send me a sign-in code');
      await page.keyboard.press('Enter');

      await page.getByRole('heading', { name: 'Check your email' }).waitFor();
      // The code field has the focus as soon as it shows.
      expect(await page.locator(':focus').getAttribute('autocomplete')).toBe('one-time-code');
      await page.keyboard.type('zzzzzz');
      await page.keyboard.press('Enter');
      const code = page.getByLabel('Code');
      await page.getByText('That code is not right.').waitFor();
      expect(await code.getAttribute('aria-invalid')).toBe('true');
      expect(await code.evaluate((input) => input.matches(':focus'))).toBe(true);
      expect(await axeProblems(page)).toEqual([]);
      await shoot(page, 'sign-in-code-error-390-light');

      await code.fill('');
      await page.keyboard.type(CODE.toLowerCase());
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/dashboard/');
      expect(calls.find((c) => c.path === '/auth/verify')).toMatchObject({ method: 'POST' });
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('shows the shell: the eleven screens, the Overview with the app’s numbers, and the empty state of another app', async () => {
    const { page, problems, close } = await openPage();
    const calls: Array<{ method: string; path: string; csrf?: string }> = [];
    try {
      await answerContract(page, calls);
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
      expect(calls.find((c) => c.path === '/auth/sign-out')).toMatchObject({ method: 'POST', csrf: CSRF });
      expect(calls.filter((c) => c.method === 'GET' && c.csrf)).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('asks for a fresh code in a dialog when a change answers reauth_required, then sends the change again', async () => {
    const { page, problems, close } = await openPage({ width: 390 });
    const calls: Array<{ method: string; path: string; csrf?: string }> = [];
    try {
      await answerContract(page, calls, { reauthBeforeSignOut: true });
      await signIn(page);
      await page.getByRole('button', { name: 'Sign out' }).click();
      const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
      await dialog.waitFor();
      await dialog.getByLabel('Code').fill('WRONG1');
      await dialog.getByRole('button', { name: 'Confirm' }).click();
      await dialog.getByText('That code is not right.').waitFor();
      expect(await dialog.getByLabel('Code').evaluate((input) => input.matches(':focus'))).toBe(true);
      expect(await axeProblems(page)).toEqual([]);
      await shoot(page, 'reauth-dialog-390-light', false);
      await dialog.getByLabel('Code').fill(CODE);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Sign in to the dashboard' }).waitFor();
      expect(
        calls.filter((c) => c.path.startsWith('/auth/')).map((c) => `${c.method} ${c.path} ${c.csrf ?? '-'}`),
      ).toEqual([
        'POST /auth/start -',
        'POST /auth/verify -',
        `POST /auth/sign-out ${CSRF}`,
        `POST /auth/reauth/start ${CSRF}`,
        `POST /auth/reauth/verify ${CSRF}`,
        `POST /auth/reauth/verify ${CSRF}`,
        `POST /auth/sign-out ${CSRF}`,
      ]);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('fits 390 px: the navigation folds into a menu button', async () => {
    const { page, problems, close } = await openPage({ width: 390, colorScheme: 'dark' });
    try {
      await answerContract(page, []);
      await signIn(page);
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
