/**
 * The Delivery screen in Chromium: a message the mail server refused shows each attempt with the server's answer,
 * a retry queues it again (refused again, then accepted once the mail server takes it), filters narrow the list,
 * and "Test connection" runs the doctor's checks. axe in light and dark, 390 px without sideways scrolling.
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
import { TEST_REDIRECT, type TestServer, uniqueEmail } from '../test-support/test-server.js';

describe.runIf(browserAvailable)('the Delivery screen', () => {
  let dash: DashboardBrowser;
  let server: TestServer;
  // The mail server refuses these addresses for good until the test lets them through.
  let refusing = true;
  const bounced = `bounce-${uniqueEmail()}`;

  beforeAll(async () => {
    dash = await startDashboardBrowser({
      smtp: { reject: (rcpt) => (refusing && rcpt.startsWith('bounce-') ? 550 : undefined) },
    });
    server = dash.server;
    await sendLink(server, uniqueEmail());
    await sendLink(server, bounced);
    await waitFor(async () => {
      const failed = await server.api('GET', '/v1/outbox?status=failed');
      return failed.json().data.length === 1;
    });
  }, 60_000);

  afterAll(async () => {
    await dash?.close();
  });

  async function openDelivery(page: Page): Promise<void> {
    await dash.signIn(page);
    await page.getByLabel('App').selectOption(server.appId);
    await goToScreen(page, 'Delivery');
  }

  it('shows a refused message with its answers, retries it, filters, and tests the connection', async () => {
    const { page, problems, close } = await dash.openPage();
    try {
      await openDelivery(page);
      const row = page.getByRole('row').filter({ hasText: bounced });
      await row.getByText('failed').waitFor();
      // The provider's answer, in its own cell (the address itself may hold the digits 550).
      await row.locator('.answer-cell', { hasText: '550' }).waitFor();
      await page.getByRole('heading', { name: 'Transports' }).waitFor();
      await page.getByText('smtp host').waitFor();
      expect(await axeBothThemes(page)).toEqual([]);
      await shoot(page, 'delivery-1280-light');

      // Filters: failed only, then SMS only (none).
      await page.getByLabel('Status').selectOption('failed');
      await page.getByRole('row').filter({ hasText: bounced }).waitFor();
      expect(await page.getByRole('row').count()).toBe(2);
      await page.getByLabel('Channel').selectOption('phone');
      await page.getByText('No message matches these filters.').waitFor();
      await page.getByLabel('Channel').selectOption('');
      await page.getByLabel('Status').selectOption('');

      // The message's page: the attempt and the mail server's answer.
      await page.getByRole('link', { name: bounced }).click();
      await page.getByRole('heading', { name: 'Message' }).waitFor();
      const attempts = page.getByRole('list', { name: 'Attempts' });
      await attempts.getByText('Attempt 1').waitFor();
      expect(await attempts.locator('pre').first().textContent()).toMatch(/550/);
      await attempts.getByText('refused for good').waitFor();

      // Retry: refused again, so a second attempt with the same answer.
      await page.getByRole('button', { name: /^Retry the message/ }).click();
      await attempts.getByText('Attempt 2').waitFor({ timeout: 15_000 });
      await page.getByText('failed', { exact: true }).waitFor();
      expect(await axeBothThemes(page)).toEqual([]);
      await shoot(page, 'delivery-message-failed-1280-light');

      // The mail server takes it now: the third attempt is accepted and the message is sent.
      refusing = false;
      await page.getByRole('button', { name: /^Retry the message/ }).click();
      await attempts.getByText('Attempt 3').waitFor({ timeout: 15_000 });
      await attempts.getByText('accepted').waitFor();
      await page.getByText('sent', { exact: true }).first().waitFor();
      expect(await page.getByRole('button', { name: /^Retry the message/ }).count()).toBe(0);
      expect(dash.smtp.messages.some((m) => m.to.includes(bounced))).toBe(true);

      await page.getByRole('link', { name: '← All messages' }).click();
      await page.getByRole('button', { name: 'Test connection' }).click();
      const result = page.getByRole('status').filter({ hasText: /Every check passed|A check failed/ });
      await result.waitFor({ timeout: 15_000 });
      expect(await result.textContent()).toMatch(/smtp/i);
      await shoot(page, 'delivery-tested-1280-light');

      await page.getByLabel('Theme').last().selectOption('dark');
      await shoot(page, 'delivery-1280-dark');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  }, 90_000);

  it('fits 390 px, the list and a message', async () => {
    const { page, problems, close } = await dash.openPage({ width: 390 });
    try {
      await openDelivery(page);
      await page.getByRole('row').filter({ hasText: bounced }).waitFor();
      await shoot(page, 'delivery-390-light');
      expect(await wideElements(page)).toEqual([]);
      expect(await overflowsSideways(page)).toBe(false);
      await page.getByRole('link', { name: bounced }).click();
      await page.getByRole('list', { name: 'Attempts' }).getByText('Attempt 1').waitFor();
      await shoot(page, 'delivery-message-390-light');
      expect(await overflowsSideways(page)).toBe(false);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  }, 90_000);
});

async function sendLink(server: TestServer, email: string): Promise<void> {
  const res = await server.api('POST', '/v1/magic-links', { email, redirect_url: TEST_REDIRECT, send: true });
  if (res.statusCode !== 201) throw new Error(`link creation failed: ${res.statusCode} ${res.body}`);
}

async function waitFor(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('waited too long');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Elements that reach past the viewport's right edge, to say what overflows when something does. */
function wideElements(page: Page): Promise<string[]> {
  return page.evaluate(`[...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-wrap'))
    .map((e) => e.tagName + '.' + e.className)
    .slice(0, 10)`) as Promise<string[]>;
}
