/**
 * The Events screen in Chromium: the log filtered by type (a wrong type said next to its field), and the live
 * tail: a new event appears without a reload; when the server drops every connection while the browser is offline,
 * the tail says it is reconnecting, comes back once the network does, and shows what happened meanwhile, once.
 * Pause holds new events until resume. axe in light and dark, 390 px.
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
import { createTestLink, type TestServer, uniqueEmail } from '../test-support/test-server.js';

describe.runIf(browserAvailable)('the Events screen', () => {
  let dash: DashboardBrowser;
  let server: TestServer;

  beforeAll(async () => {
    dash = await startDashboardBrowser();
    server = dash.server;
    for (let i = 0; i < 3; i++) {
      await createUser(server);
      await createTestLink(server, { email: uniqueEmail() });
    }
  }, 60_000);

  afterAll(async () => {
    await dash?.close();
  });

  async function openEvents(page: Page): Promise<void> {
    await dash.signIn(page);
    await page.getByLabel('App').selectOption(server.appId);
    await goToScreen(page, 'Events');
  }

  it('filters the log by type, and says a wrong type next to its field', async () => {
    const { page, problems, close } = await dash.openPage();
    try {
      await openEvents(page);
      const table = page.getByRole('table', { name: 'Events' });
      await table.getByText('magic_link.created').first().waitFor();
      await page.getByLabel('Type').fill('user.created');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForFunction(
        `[...document.querySelectorAll('table tbody th')].every((cell) => cell.textContent === 'user.created')`,
      );
      expect(await table.locator('tbody tr').count()).toBeGreaterThanOrEqual(3);
      await table.locator('summary').first().click();
      await table.locator('pre').first().getByText('user_id').waitFor();
      expect(await axeBothThemes(page)).toEqual([]);
      await shoot(page, 'events-1280-light');

      await page.getByLabel('Type').fill('Not a type');
      await page.getByRole('button', { name: 'Search' }).click();
      const type = page.getByLabel('Type');
      await page.locator('.field-error').first().waitFor();
      expect(await type.getAttribute('aria-invalid')).toBe('true');
      await shoot(page, 'events-type-error-1280-light');

      // The server's refusal names its field too: a range that ends before it starts.
      await page.getByLabel('Type').fill('');
      await page.getByLabel(/^From/).fill('2026-01-02T00:00');
      await page.getByLabel(/^Until/).fill('2026-01-01T00:00');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByText('until must be later than since.').waitFor();
      expect(await page.getByLabel(/^Until/).getAttribute('aria-invalid')).toBe('true');
      await page.getByRole('button', { name: 'Clear' }).click();
      await table.getByText('magic_link.created').first().waitFor();

      // The id an event is about narrows the list to that id's events.
      const link = await table.locator('tbody tr').filter({ hasText: 'magic_link.created' }).first();
      const linkId = ((await link.locator('td button code').textContent()) ?? '').trim();
      expect(linkId).toMatch(/^ml_/);
      await link.getByRole('button', { name: linkId }).click();
      expect(await page.getByLabel('About (id)').inputValue()).toBe(linkId);
      await page.waitForFunction(
        `[...document.querySelectorAll('table tbody td button code')].every((cell) => cell.textContent === '${linkId}')`,
      );
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  }, 90_000);

  it('tails new events live, through a dropped connection, and holds them while paused', async () => {
    const { page, problems, close } = await dash.openPage();
    try {
      await openEvents(page);
      await page.getByRole('link', { name: 'Live tail' }).click();
      const status = page.locator('.tail-status [role="status"]');
      await status.getByText('connected').waitFor();
      await page.getByText('Waiting for events.').waitFor();

      const first = await createUser(server);
      const live = page.getByRole('table', { name: 'Live events' });
      await live.getByText(first, { exact: true }).waitFor({ timeout: 10_000 });

      // The network drops and the server closes every connection: the tail cannot get back until it returns.
      await page.context().setOffline(true);
      server.app.server.closeAllConnections();
      await status.getByText('reconnecting').waitFor();
      const meanwhile = await createUser(server);
      await page.context().setOffline(false);
      await live.getByText(meanwhile, { exact: true }).waitFor({ timeout: 15_000 });
      await status.getByText('connected').waitFor();
      await status.getByText('back after 1 break').waitFor();
      // Resumed after the last event seen: nothing twice.
      expect(await live.getByText(first, { exact: true }).count()).toBe(1);
      expect(await axeBothThemes(page)).toEqual([]);
      await shoot(page, 'events-live-1280-light');

      await page.getByRole('button', { name: 'Pause' }).click();
      await status.getByText('paused').waitFor();
      const paused = await createUser(server);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(await live.getByText(paused, { exact: true }).count()).toBe(0);
      await page.getByRole('button', { name: 'Resume' }).click();
      await live.getByText(paused, { exact: true }).waitFor({ timeout: 10_000 });

      await page.getByLabel('Theme').last().selectOption('dark');
      await shoot(page, 'events-live-1280-dark');
      await page.getByLabel('Theme').last().selectOption('system');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  }, 90_000);

  it('fits 390 px, the log and the live tail', async () => {
    const { page, problems, close } = await dash.openPage({ width: 390 });
    try {
      await openEvents(page);
      await page.getByRole('table', { name: 'Events' }).waitFor();
      await shoot(page, 'events-390-light');
      expect(await overflowsSideways(page)).toBe(false);
      await page.getByRole('link', { name: 'Live tail' }).click();
      await page.locator('.tail-status').getByText('connected').waitFor();
      await createUser(server);
      await page.getByRole('table', { name: 'Live events' }).waitFor({ timeout: 10_000 });
      await shoot(page, 'events-live-390-light');
      expect(await overflowsSideways(page)).toBe(false);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  }, 90_000);
});

/** A user made through the API; its id, which its user.created event carries. */
async function createUser(server: TestServer): Promise<string> {
  const res = await server.api('POST', '/v1/users', { email: uniqueEmail() });
  if (res.statusCode !== 201) throw new Error(`user creation failed: ${res.statusCode} ${res.body}`);
  return (res.json() as { id: string }).id;
}
