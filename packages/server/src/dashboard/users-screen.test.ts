/**
 * The Users screens in headless Chromium against a listening Latchkey: finding a user, opening them, revoking a
 * session and sending a sign-in link; axe, width and screenshots of the list and of a user.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeBothThemes,
  browserAvailable,
  type DashboardBrowser,
  overflowsSideways,
  shoot,
  startDashboardBrowser,
} from '../test-support/dashboard-browser.js';
import { createTestLink, redeemHostedForCode, type TestServer } from '../test-support/test-server.js';

describe.runIf(browserAvailable)('the Users screens in headless Chromium', () => {
  let dash: DashboardBrowser;
  let server: TestServer;
  let base = '';
  const tag = Math.random().toString(36).slice(2, 8);
  const email = `grace.${tag}@example.com`;
  let userId = '';

  beforeAll(async () => {
    dash = await startDashboardBrowser();
    ({ server, base } = dash);
    // Grace signed in twice (two sessions); a few others exist so the list has rows.
    for (let i = 0; i < 2; i++) {
      const link = await createTestLink(server, { email });
      userId = link.user_id;
      await redeemHostedForCode(server, link.token);
    }
    const patched = await server.api('PATCH', `/v1/users/${userId}`, {
      phone: '+14155550142',
      external_id: `crm-${tag}`,
    });
    if (patched.statusCode !== 200) throw new Error(patched.body);
    for (const name of ['alan', 'ada']) await createTestLink(server, { email: `${name}.${tag}@example.com` });
  }, 60_000);

  afterAll(async () => {
    await dash?.close();
  });

  it('finds a user, revokes one of their sessions and sends them a sign-in link', async () => {
    const { page, problems, close } = await dash.openPage();
    try {
      await dash.signIn(page, 'operator');
      await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Users' }).click();
      await page.getByRole('heading', { name: 'Users' }).waitFor();
      await page.locator('tbody tr').first().waitFor();
      await shoot(page, 'users-list-1280-light');
      expect(await axeBothThemes(page)).toEqual([]);

      // An address that is no address is said next to the field.
      await page.getByLabel('Email address', { exact: true }).fill('not an address');
      await page.getByRole('button', { name: 'Find' }).click();
      const field = page.getByLabel('Email address', { exact: true });
      await expect.poll(() => field.getAttribute('aria-invalid')).toBe('true');

      await page.getByLabel('Find by').selectOption('external_id');
      await page.getByLabel('External id').fill(`crm-${tag}`);
      await page.getByRole('button', { name: 'Find' }).click();
      await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
      await page.getByLabel('Find by').selectOption('email');
      await page.getByLabel('Email address', { exact: true }).fill(email.toUpperCase());
      await page.getByRole('button', { name: 'Find' }).click();
      await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
      await page.getByRole('link', { name: email }).click();

      await page.getByRole('heading', { name: email, level: 1 }).waitFor();
      const sessions = page.getByRole('region', { name: 'Sessions' });
      const active = sessions.getByText('active', { exact: true });
      await expect.poll(() => active.count()).toBe(2);
      await page.getByRole('region', { name: 'Links' }).locator('tbody tr').nth(1).waitFor();
      await page.getByRole('region', { name: 'Events' }).getByText('magic_link.redeemed').first().waitFor();
      expect(await axeBothThemes(page)).toEqual([]);
      await shoot(page, 'users-detail-1280-light');

      await sessions.getByRole('button', { name: 'Revoke' }).first().click();
      await page
        .getByRole('dialog', { name: 'Revoke this session?' })
        .getByRole('button', { name: 'Revoke' })
        .click();
      await expect.poll(() => active.count()).toBe(1);
      await sessions.getByText('revoked', { exact: true }).waitFor();
      const listed = (await server.api('GET', `/v1/sessions?user_id=${userId}`)).json().data as Array<{
        status: string;
      }>;
      expect(listed.map((s) => s.status).sort()).toEqual(['active', 'revoked']);

      const before = dash.smtp.messages.length;
      const send = page.getByRole('region', { name: 'Send a sign-in link' });
      expect(await send.getByLabel('Send by').locator('option').allTextContents()).toEqual([
        `Email to ${email}`,
        'SMS to +14155550142',
      ]);
      await send.getByRole('button', { name: 'Send sign-in link' }).click();
      await send.getByRole('status').getByText(`Sent to ${email}`).waitFor();
      await expect.poll(() => dash.smtp.messages.slice(before).some((m) => m.to.includes(email))).toBe(true);
      await expect
        .poll(() => page.getByRole('region', { name: 'Links' }).locator('tbody tr').count())
        .toBe(3);
      await send.getByRole('link', { name: 'Follow the link' }).click();
      await page.getByRole('heading', { name: `Link to ${email}` }).waitFor();
      // And back to the user from the link's page.
      await page.getByRole('link', { name: email }).click();
      await page.getByRole('heading', { name: email, level: 1 }).waitFor();
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it.each(['light', 'dark'] as const)('fits 390 px: the list and a user, %s', async (colorScheme) => {
    const { page, problems, close } = await dash.openPage({ width: 390, colorScheme });
    try {
      await dash.signIn(page, 'viewer');
      await page.goto(`${base}/dashboard/users`);
      await page.locator('tbody tr').first().waitFor();
      expect(await overflowsSideways(page)).toBe(false);
      await shoot(page, `users-list-390-${colorScheme}`);
      await page.goto(`${base}/dashboard/users/${userId}`);
      await page.getByRole('heading', { name: email, level: 1 }).waitFor();
      await page.getByRole('region', { name: 'Events' }).locator('tbody tr').first().waitFor();
      // A viewer reads: nothing here changes anything.
      expect(await page.getByRole('button', { name: 'Send sign-in link' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
      expect(await overflowsSideways(page)).toBe(false);
      await shoot(page, `users-detail-390-${colorScheme}`);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});
