/**
 * The dashboard's safeguards as a person meets them, in Chromium against a listening Latchkey: a viewer cannot make
 * a change (the page does not offer it, and the server refuses it when forced from the page); the break-glass link
 * signs in once and then says in plain words that it was used; a delete asks for a fresh code and then goes
 * through; and signing in from a deep link comes back to it, never to another site.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperatorRole } from '../storage/schema.js';
import {
  axeProblems,
  browserAvailable,
  type DashboardBrowser,
  shoot,
  startDashboardBrowser,
} from '../test-support/dashboard-browser.js';
import { fetchInPage } from '../test-support/page-fetch.js';
import { uniqueEmail } from '../test-support/test-server.js';
import { issueBreakGlassLink } from './dashboard-sign-in.js';
import { createOperator } from './operator-service.js';

describe.runIf(browserAvailable)('the dashboard’s safeguards in Chromium', () => {
  let dash: DashboardBrowser;

  beforeAll(async () => {
    dash = await startDashboardBrowser();
  }, 60_000);

  afterAll(async () => {
    await dash?.close();
  });

  /** Signs a new operator in on the sign-in screen the page shows now (wherever it came from). */
  async function signInHere(page: Page, role: OperatorRole): Promise<string> {
    const email = `${role}-${uniqueEmail()}`;
    await createOperator(dash.server.ctx, { email, role, invitedBy: 'test' });
    const before = dash.smtp.messages.length;
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Send me a sign-in code' }).click();
    await page.getByLabel('Code').fill(await dash.codeSentTo(email, before));
    await page.getByRole('button', { name: 'Sign in' }).click();
    return email;
  }

  async function openOperators(page: Page) {
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Operators' }).click();
    await page.getByRole('heading', { name: 'Operators', level: 1 }).waitFor();
  }

  it('refuses a viewer’s change: not offered on the page, and 403 when forced from it', async () => {
    const { page, problems, close } = await dash.openPage();
    try {
      await dash.signIn(page, 'viewer');
      await openOperators(page);
      await page.getByText('only an owner can invite, change or remove operators').waitFor();
      expect(await page.getByRole('button', { name: /Invite|Change role|Remove/ }).count()).toBe(0);

      const appId = dash.server.appId;
      const rename = await fetchInPage(page, 'PATCH', `/dashboard/api/v1/apps/${appId}`, {
        app: appId,
        body: { name: 'Renamed by a viewer' },
      });
      expect(rename.status).toBe(403);
      expect(rename.body.error).toMatchObject({
        code: 'forbidden',
        message: expect.stringContaining('viewer'),
      });
      const invite = await fetchInPage(page, 'POST', '/dashboard/api/operators', {
        body: { email: uniqueEmail(), role: 'owner' },
      });
      expect(invite.status).toBe(403);
      expect(invite.body.error?.code).toBe('forbidden');

      // Nothing changed, as the API itself tells.
      const app = await dash.server.api('GET', `/v1/apps/${appId}`);
      expect(app.json().name).not.toBe('Renamed by a viewer');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('signs in once with the break-glass link, and says plainly that a second use is refused', async () => {
    // What `npx latchkey dashboard link --email …` calls.
    const email = `break-glass-${uniqueEmail()}`;
    const link = await issueBreakGlassLink(dash.server.ctx, email);
    expect(link.created).toBe(true);
    expect(link.operator.role).toBe('owner');
    expect(link.url.startsWith(`${dash.base}/dashboard/auth/link/`)).toBe(true);

    const first = await dash.openPage();
    try {
      await first.page.goto(link.url);
      await first.page.getByRole('heading', { name: 'Sign in to the Latchkey dashboard' }).waitFor();
      await first.page.getByRole('button', { name: 'Sign in' }).click();
      await first.page.getByRole('heading', { name: 'Overview' }).waitFor();
      expect(await first.page.getByText(email).first().textContent()).toContain(email);
      expect(first.problems).toEqual([]);
    } finally {
      await first.close();
    }

    const second = await dash.openPage();
    try {
      const opened = await second.page.goto(link.url);
      expect(opened?.status()).toBe(410);
      await second.page.getByRole('heading', { name: 'This sign-in link was already used' }).waitFor();
      expect(await second.page.getByText('Each one-time link signs in once').count()).toBe(1);
      expect(await second.page.getByRole('button', { name: 'Sign in' }).count()).toBe(0);
      expect(await axeProblems(second.page)).toEqual([]);
      await shoot(second.page, 'break-glass-used-1280-light');
      // Forcing the form's POST again opens no session either.
      const forced = await second.page.request.post(link.url, { maxRedirects: 0 });
      expect(forced.status()).toBe(410);
      expect(forced.headers()['set-cookie'] ?? '').not.toContain('lk_dashboard');
      expect((await second.page.request.get(`${dash.base}/dashboard/api/session`)).status()).toBe(401);
      expect(second.problems).toEqual([]);
    } finally {
      await second.close();
    }
  });

  it('comes back to the page asked for after signing in, and never leaves the dashboard', async () => {
    const { page, problems, close } = await dash.openPage();
    try {
      await page.goto(`${dash.base}/dashboard/operators/audit`);
      await page.getByRole('heading', { name: 'Sign in to the dashboard' }).waitFor();
      const signInUrl = new URL(page.url());
      expect(signInUrl.pathname).toBe('/dashboard/sign-in');
      expect(signInUrl.searchParams.get('next')).toBe('/operators/audit');
      await signInHere(page, 'viewer');
      await page.getByRole('link', { name: 'Audit log', exact: true }).waitFor();
      await page.waitForURL(`${dash.base}/dashboard/operators/audit`);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }

    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', '/.//evil.example']) {
      const other = await dash.openPage();
      try {
        await other.page.goto(`${dash.base}/dashboard/sign-in?next=${encodeURIComponent(next)}`);
        await signInHere(other.page, 'viewer');
        await other.page.getByRole('heading', { name: 'Overview' }).waitFor();
        expect(other.page.url()).toBe(`${dash.base}/dashboard/`);
        expect(other.problems).toEqual([]);
      } finally {
        await other.close();
      }
    }
  });

  // Last: it moves the server's clock past the five minutes a sign-in counts as fresh.
  it('asks for a fresh code before a delete, and the delete goes through after it', async () => {
    const { page, problems, close } = await dash.openPage();
    try {
      const email = await dash.signIn(page, 'owner');
      const target = `leaving-${uniqueEmail()}`;
      await createOperator(dash.server.ctx, { email: target, role: 'viewer', invitedBy: 'test' });
      dash.server.advance(6 * 60_000);
      await openOperators(page);
      const row = page.getByRole('row').filter({ hasText: target });
      await row.getByRole('button', { name: 'Remove' }).click();
      const before = dash.smtp.messages.length;
      await page
        .getByRole('dialog', { name: `Remove ${target}?` })
        .getByRole('button', { name: 'Remove' })
        .click();

      const reauth = page.getByRole('dialog', { name: 'Confirm it is you' });
      await reauth.waitFor();
      await shoot(page, 'operators-reauth-1280-light', false);
      // The row is still there until the code is given.
      expect(await row.count()).toBe(1);
      await reauth.getByLabel('Code').fill(await dash.codeSentTo(email, before));
      await reauth.getByRole('button', { name: 'Confirm' }).click();
      await row.waitFor({ state: 'detached' });
      const operators = (await fetchInPage(page, 'GET', '/dashboard/api/operators')).body as unknown as {
        data: Array<{ email: string }>;
      };
      expect(operators.data.map((o) => o.email)).not.toContain(target);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});
