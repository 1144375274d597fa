/**
 * The Overview's health panel in Chromium: an app with a failing webhook endpoint and failed deliveries shows
 * "Needs a look" in words, one with an endpoint turned off for failing shows "Failing", and a quiet one "OK".
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '../events/event-factory.js';
import {
  axeBothThemes,
  browserAvailable,
  type DashboardBrowser,
  overflowsSideways,
  shoot,
  startDashboardBrowser,
} from '../test-support/dashboard-browser.js';
import { createOtherApp, type TestServer } from '../test-support/test-server.js';

describe.runIf(browserAvailable)('the Overview’s health panel', () => {
  let dash: DashboardBrowser;
  let quietAppId = '';
  let brokenAppId = '';

  beforeAll(async () => {
    dash = await startDashboardBrowser({ env: { LATCHKEY_WEBHOOK_ALLOW_PRIVATE: 'true' } });
    const { server } = dash;
    await failingEndpoint(server, server.appId, server.apiKey, false);
    const broken = await createOtherApp(server, { name: 'Broken app' });
    brokenAppId = broken.appId;
    await failingEndpoint(server, broken.appId, broken.key, true);
    quietAppId = (await createOtherApp(server, { name: 'Quiet app' })).appId;
  }, 60_000);

  afterAll(async () => {
    await dash?.close();
  });

  it('says in words how each part is, for every role', async () => {
    const { page, problems, close } = await dash.openPage();
    try {
      await dash.signIn(page, 'viewer');
      await page.getByLabel('App').selectOption(dash.server.appId);
      const panel = page.getByRole('region', { name: 'Health' });
      // Rows in their order: outbox, webhooks, failures.
      const webhooks = panel.locator('.health-row').nth(1);
      await webhooks.getByText('1 of 1 failing').waitFor();
      expect(await webhooks.locator('.badge').textContent()).toBe('Needs a look');
      expect(await webhooks.textContent()).toContain('http://127.0.0.1:9/hook');
      const failures = panel.locator('.health-row').nth(2);
      expect(await failures.textContent()).toContain('1 webhook delivery failed');
      expect(await panel.locator('.health-head .badge').textContent()).toBe('Needs a look');
      expect(await axeBothThemes(page)).toEqual([]);
      await shoot(page, 'overview-health-1280-light');
      await page.getByLabel('Theme').last().selectOption('dark');
      await shoot(page, 'overview-health-1280-dark');
      await page.getByLabel('Theme').last().selectOption('system');

      await page.getByLabel('App').selectOption(brokenAppId);
      await panel.getByText('turned off for failing').waitFor();
      expect(await panel.locator('.health-head .badge').textContent()).toBe('Failing');
      await shoot(page, 'overview-health-failing-1280-light');

      await page.getByLabel('App').selectOption(quietAppId);
      await panel.getByText('Nothing is waiting to be sent.').waitFor();
      expect(await panel.locator('.health-head .badge').textContent()).toBe('OK');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('fits 390 px', async () => {
    const { page, problems, close } = await dash.openPage({ width: 390 });
    try {
      await dash.signIn(page, 'operator');
      await page.getByLabel('App').selectOption(dash.server.appId);
      await page.getByRole('region', { name: 'Health' }).getByText('1 of 1 failing').waitFor();
      expect(await overflowsSideways(page)).toBe(false);
      await shoot(page, 'overview-health-390-light');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});

/** An endpoint with one failed delivery, as the webhook worker records it; `disable` turns it off for failing. */
async function failingEndpoint(
  server: TestServer,
  appId: string,
  key: string,
  disable: boolean,
): Promise<void> {
  const created = await server.api(
    'POST',
    '/v1/webhook-endpoints',
    { url: 'http://127.0.0.1:9/hook', event_types: ['magic_link.redeemed'] },
    key,
  );
  if (created.statusCode !== 201) throw new Error(`endpoint creation failed: ${created.body}`);
  const { id } = created.json() as { id: string };
  const now = server.ctx.clock();
  await server.ctx.store.recordWebhookAttempt(
    {
      id: `wha_${id}`,
      app_id: appId,
      endpoint_id: id,
      event_id: 'evt_health',
      message_id: 'msg_health',
      attempt: 1,
      ok: 0,
      status_code: null,
      latency_ms: 3,
      response_excerpt: null,
      error: 'connection refused',
      created_at: now,
    },
    disable ? now + 1 : 0,
    (endpoint) =>
      makeEvent(server.ctx, appId, 'webhook_endpoint.disabled', endpoint.id, {
        webhook_endpoint_id: endpoint.id,
        reason: 'failing',
      }),
  );
}
