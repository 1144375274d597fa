/**
 * The Campaigns screen in headless Chromium against a listening Latchkey (test-support/dashboard-browser.ts): a file
 * of 200 rows with three bad ones is uploaded, its columns mapped, checked by a dry run that shows exactly those three
 * rows and creates nothing, then run with a progress bar to a campaign of 197 links whose CSV downloads; pasted rows
 * at 390 px, and revoking a campaign. axe in light and dark, no sideways scrolling, screenshots of each state.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeBothThemes,
  browserAvailable,
  type DashboardBrowser,
  overflowsSideways,
  shoot,
  startDashboardBrowser,
} from '../test-support/dashboard-browser.js';
import { TEST_REDIRECT, type TestServer } from '../test-support/test-server.js';

const BAD_ROWS = { 17: 'invalid email', 80: 'no identifier', 150: 'foreign redirect' } as const;

/** 200 rows separated by semicolons with CRLF line ends, as a European spreadsheet saves them. */
function invitesCsv(): string {
  const lines = ['E-Mail;Redirect;Language;Name'];
  for (let row = 1; row <= 200; row++) {
    const email = row === 17 ? 'not-an-address' : row === 80 ? '' : `invitee${row}@example.com`;
    const redirect = row === 150 ? 'https://evil.example/steal' : TEST_REDIRECT;
    // A quoted name with the delimiter in it, so the parser's quoting is part of the run.
    lines.push([email, redirect, row % 2 ? 'de' : 'en', `"Invitee; number ${row}"`].join(';'));
  }
  return `${lines.join('\r\n')}\r\n`;
}

describe.runIf(browserAvailable)('the Campaigns screen', () => {
  let dash: DashboardBrowser;
  let server: TestServer;
  let base = '';

  beforeAll(async () => {
    dash = await startDashboardBrowser();
    ({ server, base } = dash);
  }, 60_000);

  afterAll(async () => {
    await dash?.close();
  });

  const linkCount = async (query = '') =>
    ((await server.api('GET', `/v1/magic-links?limit=100${query}`)).json() as { data: unknown[] }).data
      .length;

  async function openCampaigns(page: Page) {
    await page.goto(`${base}/dashboard/campaigns`);
    await page.getByRole('heading', { name: 'Campaigns', exact: true }).waitFor();
  }

  it('checks an uploaded file of 200 rows by a dry run, creates its 197 good links with progress, and exports them', async () => {
    const { page, problems, close } = await dash.openPage();
    try {
      await dash.signIn(page);
      await openCampaigns(page);
      await page.getByText('No campaigns yet.').waitFor();
      expect(await axeBothThemes(page)).toEqual([]);
      await shoot(page, 'campaigns-empty-1280-light');

      await page.getByRole('link', { name: 'New campaign' }).first().click();
      await page.getByRole('heading', { name: 'New campaign' }).waitFor();
      await page.getByLabel('Campaign name').fill('Spring invites');
      await page.getByLabel('CSV file').setInputFiles({
        name: 'invites.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(invitesCsv()),
      });
      await page.getByText('200 rows, 4 columns separated by semicolons').waitFor();
      // Guessed from the names; the name column is left out.
      expect(await page.getByLabel('Link field of the column E-Mail').inputValue()).toBe('email');
      expect(await page.getByLabel('Link field of the column Redirect').inputValue()).toBe('redirect_url');
      expect(await page.getByLabel('Link field of the column Language').inputValue()).toBe('language');
      expect(await page.getByLabel('Link field of the column Name').inputValue()).toBe('');
      await shoot(page, 'campaigns-new-mapping-1280-light');

      await page.getByRole('button', { name: 'Check every row' }).click();
      await page.getByText('197 rows would make a link; 3 rows have errors').waitFor();
      const errors = page.getByRole('table', { name: /Rows with errors/ });
      const rows = errors.locator('tbody tr');
      expect(await rows.count()).toBe(3);
      expect(await errors.locator('tbody th').allTextContents()).toEqual(Object.keys(BAD_ROWS).map(String));
      expect(await rows.nth(0).textContent()).toMatch(/email address/);
      expect(await rows.nth(2).textContent()).toMatch(/redirect URL/);
      // A dry run makes nothing: no link, no campaign.
      expect(await linkCount()).toBe(0);
      expect(((await server.api('GET', '/v1/campaigns')).json() as { data: unknown[] }).data).toEqual([]);
      expect(await axeBothThemes(page)).toEqual([]);
      await shoot(page, 'campaigns-new-errors-1280-light');

      await page.getByRole('button', { name: 'Create 197 links' }).click();
      await page.getByText('Done:').waitFor({ timeout: 30_000 });
      const progress = page.locator('#campaign-progress');
      expect(await progress.getAttribute('value')).toBe('200');
      expect(await progress.getAttribute('max')).toBe('200');
      await page.getByText('200 of 200 rows').waitFor();
      expect(await page.getByRole('table', { name: 'Rows that failed' }).locator('tbody tr').count()).toBe(3);
      await shoot(page, 'campaigns-new-done-1280-light');

      await page.getByRole('link', { name: 'Open the campaign' }).click();
      await page.getByRole('heading', { name: 'Spring invites' }).waitFor();
      const created = page.locator('.card').filter({ has: page.getByText('Links created', { exact: true }) });
      expect(await created.locator('.card-value').textContent()).toBe('197');
      await page.getByRole('figure', { name: 'From created to redeemed' }).waitFor();
      await page
        .getByRole('figure', { name: /Each step on the day/ })
        .locator('canvas')
        .first()
        .waitFor();
      await page.getByRole('table').filter({ hasText: 'invitee200@example.com' }).waitFor();
      const campaigns = (await server.api('GET', '/v1/campaigns')).json() as {
        data: Array<{ id: string; rows_created: number; rows_failed: number }>;
      };
      expect(campaigns.data).toHaveLength(1);
      expect(campaigns.data[0]).toMatchObject({ rows_created: 197, rows_failed: 3 });
      expect(await linkCount(`&campaign_id=${campaigns.data[0]!.id}`)).toBe(100);
      expect(await axeBothThemes(page)).toEqual([]);
      await shoot(page, 'campaigns-detail-1280-light');
      await page.getByLabel('Theme').last().selectOption('dark');
      await shoot(page, 'campaigns-detail-1280-dark');
      await page.getByLabel('Theme').last().selectOption('system');

      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Download the links (CSV)' }).click();
      const file = await download;
      expect(file.suggestedFilename()).toMatch(/^Spring-invites-cmp_.+\.csv$/);
      const csv = await readFile((await file.path()) as string, 'utf8');
      const lines = csv.trimEnd().split(/\r?\n/);
      expect(lines[0]).toBe(
        'id,user_id,identifier,type,status,created_at,sent_at,delivered_at,opened_at,redeemed_at,revoked_at,expires_at',
      );
      expect(lines).toHaveLength(198);
      expect(csv).toContain('invitee200@example.com');
      expect(csv).not.toContain('not-an-address');

      await page.getByRole('link', { name: 'All campaigns' }).click();
      await page.getByRole('link', { name: 'Spring invites' }).waitFor();
      expect(await page.getByRole('row', { name: /Spring invites/ }).textContent()).toMatch(/197 of 200/);
      expect(await axeBothThemes(page)).toEqual([]);
      await shoot(page, 'campaigns-list-1280-light');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  }, 90_000);

  it('fits 390 px: pasted rows, a dry run with an error, the links sent, the campaign, and revoking it', async () => {
    const { page, problems, close } = await dash.openPage({ width: 390 });
    try {
      await dash.signIn(page);
      await page.goto(`${base}/dashboard/campaigns/new`);
      await page.getByRole('heading', { name: 'New campaign' }).waitFor();
      await page.getByLabel('Campaign name').fill('Tab pasted');
      const pasted = [
        'email\tredirect_url',
        ...[1, 2, 3].map((n) => `pasted${n}@example.com\t${TEST_REDIRECT}`),
      ];
      pasted.push(`pasted4@example.com\tnot a url`);
      await page.getByLabel('Or paste the rows').fill(pasted.join('\n'));
      await page.getByText('4 rows, 2 columns separated by tabs').waitFor();
      expect(await overflowsSideways(page)).toBe(false);
      await page.getByRole('button', { name: 'Check every row' }).click();
      await page.getByText('3 rows would make a link; 1 row has an error').waitFor();
      expect(await overflowsSideways(page)).toBe(false);
      await shoot(page, 'campaigns-new-errors-390-light');

      // Sent this time, through the loopback SMTP server: the dry run is of the rows with `send`, so it runs again.
      await page.getByLabel('Send each link now').check();
      expect(await page.getByRole('button', { name: 'Create and send 3 links' }).count()).toBe(0);
      await page.getByRole('button', { name: 'Check every row' }).click();
      const before = dash.smtp.messages.length;
      await page.getByRole('button', { name: 'Create and send 3 links' }).click();
      await page.getByRole('link', { name: 'Open the campaign' }).click();
      await page.getByRole('heading', { name: 'Tab pasted' }).waitFor();
      await page.getByText('sent by Latchkey').waitFor();
      await dash.smtp.waitFor(before + 3);
      expect(
        dash.smtp.messages
          .slice(before)
          .flatMap((m) => m.to)
          .sort(),
      ).toEqual(['pasted1@example.com', 'pasted2@example.com', 'pasted3@example.com']);
      await page.getByRole('table').filter({ hasText: 'pasted1@example.com' }).waitFor();
      await page.locator('.time-series canvas').first().waitFor();
      expect(await overflowsSideways(page)).toBe(false);
      await shoot(page, 'campaigns-detail-390-light');

      await page.getByRole('button', { name: 'Revoke the campaign' }).click();
      const dialog = page.getByRole('dialog', { name: 'Revoke “Tab pasted”?' });
      await dialog.getByRole('button', { name: 'Revoke the campaign' }).click();
      await page.getByText('3 outstanding links revoked.').waitFor();
      await page.locator('.campaign-facts .badge', { hasText: 'revoked' }).waitFor();
      expect(await page.getByRole('button', { name: 'Revoke the campaign' }).isDisabled()).toBe(true);

      await page.getByRole('link', { name: 'All campaigns' }).click();
      await page.getByRole('link', { name: 'Tab pasted' }).waitFor();
      expect(await overflowsSideways(page)).toBe(false);
      await shoot(page, 'campaigns-list-390-light');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  }, 60_000);
});
