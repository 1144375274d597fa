/**
 * The Operators screen in Chromium against a listening Latchkey: inviting, changing a role, removing, the last
 * owner kept, a read-only view for the other roles, and the audit log's before → after of a change made elsewhere.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeBothThemes,
  browserAvailable,
  type DashboardBrowser,
  goToScreen,
  overflowsSideways,
  shoot,
  startDashboardBrowser,
} from '../test-support/dashboard-browser.js';
import { fetchInPage } from '../test-support/page-fetch.js';
import { uniqueEmail } from '../test-support/test-server.js';

describe.runIf(browserAvailable)('the Operators screen', () => {
  let dash: DashboardBrowser;

  beforeAll(async () => {
    dash = await startDashboardBrowser();
  }, 60_000);

  afterAll(async () => {
    await dash?.close();
  });

  async function openOperators(page: Page, tab: 'People' | 'Audit log' = 'People') {
    await goToScreen(page, 'Operators');
    if (tab === 'Audit log') await page.getByRole('link', { name: 'Audit log' }).click();
  }

  // First, while the installation has exactly one owner: the one this test signs in.
  it('refuses to demote or remove the last owner, with the server’s words', async () => {
    const { page, problems, close } = await dash.openPage();
    try {
      const email = await dash.signIn(page, 'owner');
      await openOperators(page);
      const row = page.getByRole('row').filter({ hasText: email });
      await row.getByRole('button', { name: `Change role of ${email}` }).click();
      const dialog = page.getByRole('dialog', { name: `Role of ${email}` });
      await dialog.getByLabel('Role').selectOption('viewer');
      await dialog.getByRole('button', { name: 'Save role' }).click();
      const refusal = dialog.getByText('This is the last owner.');
      await refusal.waitFor();
      // Said next to the role it is about.
      expect(await dialog.getByLabel('Role').getAttribute('aria-invalid')).toBe('true');
      await shoot(page, 'operators-last-owner-1280-light');
      await dialog.getByRole('button', { name: 'Cancel' }).click();

      await row.getByRole('button', { name: 'Remove' }).click();
      const confirm = page.getByRole('dialog', { name: `Remove ${email}?` });
      await confirm.getByRole('button', { name: 'Remove' }).click();
      await confirm.getByText('This is the last owner.').waitFor();
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      expect(await row.getByRole('cell').first().textContent()).toBe('Owner');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('invites an operator, changes their role and removes them', async () => {
    const { page, problems, close } = await dash.openPage();
    try {
      await dash.signIn(page, 'owner');
      await openOperators(page);
      const invitee = `new-${uniqueEmail()}`;

      // An address that is not one is said next to the field.
      await page.getByLabel('Email address').fill('not an address');
      await page.getByRole('button', { name: 'Invite' }).click();
      await page.locator('.field-error, .form-error').first().waitFor();

      await page.getByLabel('Email address').fill(invitee);
      await page.getByLabel('Role', { exact: true }).selectOption('operator');
      await page.getByRole('button', { name: 'Invite' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: `${invitee} is an operator now` })
        .waitFor();
      const row = page.getByRole('row').filter({ hasText: invitee });
      await row.waitFor();
      expect(await row.getByRole('cell').allTextContents()).toEqual(
        expect.arrayContaining(['Operator', 'never']),
      );
      expect(await axeBothThemes(page)).toEqual([]);
      await shoot(page, 'operators-1280-light');
      await page.getByLabel('Theme').last().selectOption('dark');
      await shoot(page, 'operators-1280-dark');
      await page.getByLabel('Theme').last().selectOption('system');

      // The invitee signs in through the ordinary sign-in.
      const other = await dash.openPage();
      try {
        const before = dash.smtp.messages.length;
        await other.page.goto(`${dash.base}/dashboard/`);
        await other.page.getByLabel('Email address').fill(invitee);
        await other.page.getByRole('button', { name: 'Send me a sign-in code' }).click();
        await other.page.getByLabel('Code').fill(await dash.codeSentTo(invitee, before));
        await other.page.getByRole('button', { name: 'Sign in' }).click();
        await other.page.getByRole('heading', { name: 'Overview' }).waitFor();
      } finally {
        await other.close();
      }
      await page.reload();
      await row.getByRole('cell').nth(2).locator('time').waitFor();

      await row.getByRole('button', { name: `Change role of ${invitee}` }).click();
      const dialog = page.getByRole('dialog', { name: `Role of ${invitee}` });
      await dialog.getByLabel('Role').selectOption('admin');
      await dialog.getByRole('button', { name: 'Save role' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await row.getByRole('cell', { name: 'Admin', exact: true }).waitFor();

      await row.getByRole('button', { name: 'Remove' }).click();
      const confirm = page.getByRole('dialog', { name: `Remove ${invitee}?` });
      await confirm.getByText('signed out everywhere').waitFor();
      await confirm.getByRole('button', { name: 'Remove' }).click();
      await row.waitFor({ state: 'detached' });

      // All three are in the audit log, with the role before and after.
      await page.getByRole('link', { name: 'Audit log' }).click();
      const entries = page.locator('.audit-entry');
      await entries.filter({ hasText: `removed ${invitee}` }).waitFor();
      const roleChange = entries.filter({ hasText: 'changed the role of' }).first();
      expect(await roleChange.locator('.audit-before').allTextContents()).toEqual(['operator']);
      expect(await roleChange.locator('.audit-after').allTextContents()).toEqual(['admin']);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('shows in the audit log the before and after of an app setting changed by an operator', async () => {
    const { page, problems, close } = await dash.openPage();
    try {
      const email = await dash.signIn(page, 'admin');
      await page.getByLabel('App').selectOption(dash.server.appId);
      // A change made elsewhere than this screen: the app's settings, through the dashboard's copy of the API.
      const changed = await fetchInPage(page, 'PATCH', `/dashboard/api/v1/apps/${dash.server.appId}`, {
        app: dash.server.appId,
        body: { name: 'Acme customer portal', access_token_minutes: 7 },
      });
      expect(changed.status).toBe(200);

      await openOperators(page, 'Audit log');
      await page.getByLabel('Made by').selectOption({ label: email });
      const entry = page.locator('.audit-entry').filter({ hasText: 'changed app' }).first();
      await entry.waitFor();
      expect(await entry.locator('.audit-head').textContent()).toBe(`${email} changed app`);
      expect(await entry.textContent()).toContain('PATCH /dashboard/api/v1/apps/');
      const nameRow = entry.getByRole('row').filter({ hasText: 'name' }).first();
      expect(await nameRow.locator('.audit-before').textContent()).toBe('Default app');
      expect(await nameRow.locator('.audit-after').textContent()).toBe('Acme customer portal');
      expect(await entry.locator('time').getAttribute('title')).toMatch(/UTC$/);
      expect(await axeBothThemes(page)).toEqual([]);
      await shoot(page, 'operators-audit-1280-light');
      await page.getByLabel('Theme').last().selectOption('dark');
      await shoot(page, 'operators-audit-1280-dark');
      await page.getByLabel('Theme').last().selectOption('system');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('is read-only for a viewer, and the server refuses what the page does not offer', async () => {
    const { page, problems, close } = await dash.openPage({ width: 390 });
    try {
      await dash.signIn(page, 'viewer');
      await openOperators(page);
      await page.getByText('only an owner can invite, change or remove operators').waitFor();
      expect(await page.getByRole('button', { name: 'Invite' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: /Change role|Remove/ }).count()).toBe(0);
      expect(await overflowsSideways(page)).toBe(false);
      await shoot(page, 'operators-viewer-390-light');
      const forced = await fetchInPage(page, 'POST', '/dashboard/api/operators', {
        body: { email: uniqueEmail(), role: 'owner' },
      });
      expect(forced.status).toBe(403);
      expect(forced.body.error?.code).toBe('forbidden');

      await page.getByRole('link', { name: 'Audit log' }).click();
      await page.locator('.audit-entry').first().waitFor();
      expect(await overflowsSideways(page)).toBe(false);
      await shoot(page, 'operators-audit-390-light');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('fits 390 px for an owner', async () => {
    const { page, problems, close } = await dash.openPage({ width: 390, colorScheme: 'dark' });
    try {
      await dash.signIn(page, 'owner');
      await openOperators(page);
      await page.getByRole('button', { name: 'Invite' }).waitFor();
      expect(await overflowsSideways(page)).toBe(false);
      await shoot(page, 'operators-390-dark');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});
