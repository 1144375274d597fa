/**
 * The Webhooks screen in Chromium against a real receiver on 127.0.0.1: an endpoint made in the dashboard shows its
 * secret once; an event the receiver refuses (500) shows as a failed delivery with the answer's excerpt; once the
 * receiver works, Redeliver sends the event again and the receiver gets it, signed with that secret. Then the
 * endpoint's events, disabling, a test event and rotation. axe in light and dark (dialogs too), 390 px.
 */
import { verifyWebhook } from '@latchkey/sdk';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeBothThemes,
  axeProblems,
  browserAvailable,
  type DashboardBrowser,
  goToScreen,
  overflowsSideways,
  shoot,
  startDashboardBrowser,
} from '../test-support/dashboard-browser.js';
import { createTestLink, type TestServer } from '../test-support/test-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../test-support/webhook-receiver.js';

describe.runIf(browserAvailable)('the Webhooks screen', () => {
  let dash: DashboardBrowser;
  let server: TestServer;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    // The receiver is on loopback, which endpoints may only reach with this development switch.
    dash = await startDashboardBrowser({ env: { LATCHKEY_WEBHOOK_ALLOW_PRIVATE: 'true' } });
    server = dash.server;
    receiver = await startWebhookReceiver();
    receiver.respond = () => ({ status: 500, body: 'receiver broke' });
  }, 60_000);

  afterAll(async () => {
    await receiver?.close();
    await dash?.close();
  });

  async function openWebhooks(page: Page): Promise<void> {
    await dash.signIn(page);
    await page.getByLabel('App').selectOption(server.appId);
    await goToScreen(page, 'Webhooks');
  }

  it('redelivers a failed event to a receiver, which gets it signed with the secret shown once', async () => {
    const { page, problems, close } = await dash.openPage();
    try {
      await openWebhooks(page);
      await page.getByText('No webhook endpoint yet.').waitFor();
      expect(await axeBothThemes(page)).toEqual([]);
      await shoot(page, 'webhooks-empty-1280-light');

      await page.getByRole('button', { name: 'Add endpoint' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add a webhook endpoint' });
      // A URL the server refuses is said under the URL field.
      const url = dialog.getByLabel('URL');
      await url.fill('http://user:secret@127.0.0.1/hooks');
      await dialog.getByRole('button', { name: 'Add endpoint' }).click();
      await dialog.locator('.field-error').first().waitFor();
      expect(await url.getAttribute('aria-invalid')).toBe('true');
      await url.fill(`${receiver.url}/hooks`);
      await dialog.getByLabel('Description (optional)').fill('CRM sync');
      await dialog.getByLabel('All event types, including ones added later').uncheck();
      await dialog.getByLabel('magic_link.created').check();
      expect(await axeProblems(page)).toEqual([]);
      await shoot(page, 'webhooks-create-dialog-1280-light', false);
      await dialog.getByRole('button', { name: 'Add endpoint' }).click();

      const shown = page.getByRole('dialog', { name: 'Endpoint added' });
      const secret = (await shown.locator('.secret code').textContent()) ?? '';
      expect(secret).toMatch(/^whsec_/);
      expect(await axeProblems(page)).toEqual([]);
      await shoot(page, 'webhooks-secret-1280-light', false);
      await shown.getByRole('button', { name: 'I stored it' }).click();
      await page.getByRole('heading', { name: 'Webhook endpoint' }).waitFor();
      // Shown once: the endpoint's page has only its hint.
      expect(await page.content()).not.toContain(secret);

      // An event the receiver refuses: the failed delivery with its status and the answer's start.
      await createTestLink(server);
      const deliveries = page.getByRole('table', { name: 'Deliveries' });
      const failed = deliveries.getByRole('row').filter({ hasText: '500' });
      await failed.getByText('receiver broke').waitFor({ timeout: 15_000 });
      const eventId = ((await failed.first().locator('th code').textContent()) ?? '').trim();
      expect(eventId).toMatch(/^evt_/);

      receiver.respond = () => ({ status: 204 });
      const before = receiver.received.length;
      await failed
        .first()
        .getByRole('button', { name: `Redeliver event ${eventId}` })
        .click();
      await page.getByText('is queued for this endpoint again').waitFor();
      // The redelivery is a message of its own, so its first attempt (the failed one was the original's first);
      // the original's automatic retry may land beside it.
      await deliveries
        .getByRole('row')
        .filter({ hasText: eventId })
        .filter({ hasText: 'attempt 1' })
        .filter({ hasText: '204' })
        .waitFor({ timeout: 15_000 });
      const redelivered = receiver.received.slice(before).find((r) => r.headers['webhook-id'] === eventId);
      expect(redelivered).toBeDefined();
      const event = verifyWebhook<{ type: string; data: Record<string, unknown> }>(
        redelivered!.body,
        redelivered!.headers as Record<string, string>,
        secret,
      );
      expect(event.type).toBe('magic_link.created');
      expect(await axeBothThemes(page)).toEqual([]);
      await shoot(page, 'webhooks-endpoint-1280-light');

      // A test event, answered at once.
      await page.getByRole('button', { name: 'Send test event' }).click();
      await page.getByText('The test event was accepted (204').waitFor();

      // The events it receives.
      await page.getByRole('button', { name: 'Edit events' }).click();
      const edit = page.getByRole('dialog', { name: 'Events to send' });
      await edit.getByLabel('magic_link.redeemed').check();
      expect(await axeProblems(page)).toEqual([]);
      await edit.getByRole('button', { name: 'Save' }).click();
      await page.getByText('magic_link.created, magic_link.redeemed').waitFor();

      // Disable and enable.
      await page.getByRole('button', { name: 'Disable' }).click();
      await page.locator('.facts').getByText('disabled', { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Enable' }).click();
      await page.locator('.facts').getByText('enabled', { exact: true }).waitFor();

      // Rotation: the new secret, once, and the old one still signs for a day.
      await page.getByRole('button', { name: 'Rotate secret' }).click();
      const confirm = page.getByRole('dialog', { name: 'Rotate the signing secret?' });
      expect(await axeProblems(page)).toEqual([]);
      await confirm.getByRole('button', { name: 'Rotate secret' }).click();
      const rotated = page.getByRole('dialog', { name: 'New signing secret' });
      const fresh = (await rotated.locator('.secret code').textContent()) ?? '';
      expect(fresh).toMatch(/^whsec_/);
      expect(fresh).not.toBe(secret);
      await shoot(page, 'webhooks-rotated-1280-light', false);
      await rotated.getByRole('button', { name: 'I stored it' }).click();
      await page.getByText('the previous one signs too until').waitFor();

      await page.getByLabel('Theme').last().selectOption('dark');
      await shoot(page, 'webhooks-endpoint-1280-dark');
      await page.getByRole('link', { name: '← All endpoints' }).click();
      await page.getByRole('link', { name: `${receiver.url}/hooks` }).waitFor();
      await shoot(page, 'webhooks-1280-dark');
      await page.getByLabel('Theme').last().selectOption('system');
      expect(await axeBothThemes(page)).toEqual([]);
      await shoot(page, 'webhooks-1280-light');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  }, 90_000);

  it('lets a viewer read the endpoints and their deliveries, and change nothing', async () => {
    const { page, problems, close } = await dash.openPage();
    try {
      await dash.signIn(page, 'viewer');
      await page.getByLabel('App').selectOption(server.appId);
      await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Webhooks' }).click();
      await page.getByRole('link', { name: `${receiver.url}/hooks` }).click();
      await page.getByRole('table', { name: 'Deliveries' }).waitFor();
      for (const name of [
        'Edit events',
        'Disable',
        'Rotate secret',
        'Send test event',
        'Delete',
        /^Redeliver/,
      ]) {
        expect(await page.getByRole('button', { name }).count(), String(name)).toBe(0);
      }
      await page.getByRole('link', { name: '← All endpoints' }).click();
      await page.getByRole('heading', { name: 'Webhooks', exact: true }).waitFor();
      expect(await page.getByRole('button', { name: 'Add endpoint' }).count()).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  }, 90_000);

  it('fits 390 px: the list, an endpoint and the form', async () => {
    const { page, problems, close } = await dash.openPage({ width: 390 });
    try {
      await openWebhooks(page);
      const link = page.getByRole('link', { name: `${receiver.url}/hooks` });
      await link.waitFor();
      await shoot(page, 'webhooks-390-light');
      expect(await overflowsSideways(page)).toBe(false);
      await link.click();
      await page.getByRole('table', { name: 'Deliveries' }).waitFor();
      await shoot(page, 'webhooks-endpoint-390-light');
      expect(await overflowsSideways(page)).toBe(false);
      await page.getByRole('link', { name: '← All endpoints' }).click();
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      await page.getByRole('dialog', { name: 'Add a webhook endpoint' }).getByLabel('URL').waitFor();
      await shoot(page, 'webhooks-create-dialog-390-light', false);
      expect(await overflowsSideways(page)).toBe(false);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  }, 90_000);
});
