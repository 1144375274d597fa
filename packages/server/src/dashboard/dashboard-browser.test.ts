/**
 * The dashboard in a real headless Chromium (Debian's `chromium`, driven by playwright-core) against a listening
 * Latchkey: the page loads under its CSP, shows the sign-in screen, passes axe in light and dark, works from the
 * keyboard, fits 360 px, and leaves screenshots in packages/dashboard/screenshots/ (docs/dashboard.md).
 *
 * Everything is real: the operator signs in through the real email flow (an SMTP server on loopback receives the
 * message, and the test reads the code from it), and every screen calls the server's own /dashboard/api.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeProblems,
  browserAvailable,
  type DashboardBrowser,
  overflowsSideways,
  shoot,
  startDashboardBrowser,
} from '../test-support/dashboard-browser.js';
import { createOtherApp, TEST_REDIRECT, type TestServer, uniqueEmail } from '../test-support/test-server.js';
import { createOperator } from './operator-service.js';

const OWNER = 'ada@acme.example';

describe.runIf(browserAvailable)('the dashboard in headless Chromium', () => {
  let dash: DashboardBrowser;
  let server: TestServer;
  let base = '';
  let otherAppId = '';
  const openPage: DashboardBrowser['openPage'] = (options) => dash.openPage(options);
  const signIn = (page: Page) => dash.signIn(page);
  const codeSentTo = (to: string, after: number) => dash.codeSentTo(to, after);

  beforeAll(async () => {
    dash = await startDashboardBrowser();
    ({ server, base } = dash);
    await createOperator(server.ctx, { email: OWNER, role: 'owner', invitedBy: 'test' });
    otherAppId = (await createOtherApp(server, { name: 'Acme client portal' })).appId;
    await makeLinks(server);
  }, 60_000);

  afterAll(async () => {
    await dash?.close();
  });

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
      const before = dash.smtp.messages.length;
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
      // The chart of the day's counts draws on a canvas, with the same numbers as a table beside it.
      const chart = page.getByRole('figure', { name: 'Links created and redeemed per day (UTC)' });
      await chart.locator('canvas').first().waitFor();
      await chart.getByText('The numbers').click();
      expect(await chart.getByRole('columnheader').allTextContents()).toEqual([
        'Day (UTC)',
        'Created',
        'Redeemed',
      ]);
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
      expect(await nav.getByRole('link', { name: 'Webhooks' }).getAttribute('aria-current')).toBe('page');
      expect(await axeProblems(page)).toEqual([]);

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
