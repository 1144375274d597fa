/**
 * The Links screens in headless Chromium against a listening Latchkey: a new link made from the keyboard alone,
 * a link made here and redeemed in another browser showing on its timeline and in the Overview's funnel, the
 * list's filters and revoking chosen links, and axe, width and screenshots of each screen.
 */
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
import { TEST_REDIRECT, type TestServer, uniqueEmail } from '../test-support/test-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../test-support/webhook-receiver.js';
import { createOperator } from './operator-service.js';

/** The label of the focused control, to follow the keyboard through a form. */
function focusedLabel(page: Page): Promise<string> {
  return page.evaluate(
    `(() => { const el = document.activeElement; return (el && el.labels && el.labels[0] ? el.labels[0].textContent : el ? (el.textContent || el.getAttribute('aria-label') || '') : '').trim(); })()`,
  ) as Promise<string>;
}

async function tabTo(page: Page, label: string, most = 40): Promise<void> {
  for (let i = 0; i < most; i++) {
    await page.keyboard.press('Tab');
    if ((await focusedLabel(page)) === label) return;
  }
  throw new Error(`Tab never reached "${label}"`);
}

describe.runIf(browserAvailable)('the Links screens in headless Chromium', () => {
  let dash: DashboardBrowser;
  let server: TestServer;
  let base = '';
  let receiver: WebhookReceiver;
  const tag = Math.random().toString(36).slice(2, 8);

  beforeAll(async () => {
    // A webhook endpoint on loopback hears of every redemption, so the timeline has a webhook to show.
    dash = await startDashboardBrowser({ env: { LATCHKEY_WEBHOOK_ALLOW_PRIVATE: 'true' } });
    ({ server, base } = dash);
    receiver = await startWebhookReceiver();
    const endpoint = await server.api('POST', '/v1/webhook-endpoints', {
      url: `${receiver.url}/hook`,
      event_types: ['magic_link.redeemed'],
    });
    if (endpoint.statusCode !== 201) throw new Error(endpoint.body);
    // A few links to list and filter: two for "ada", one for "bob", one of them redeemed.
    for (const [email, send] of [
      [`ada.${tag}@example.com`, true],
      [`ada.${tag}@example.org`, false],
      [`bob.${tag}@example.com`, true],
    ] as const) {
      const res = await server.api('POST', '/v1/magic-links', { email, redirect_url: TEST_REDIRECT, send });
      if (res.statusCode !== 201) throw new Error(res.body);
    }
  }, 60_000);

  afterAll(async () => {
    await dash?.close();
    await receiver?.close();
  });

  it('makes a link from the keyboard alone and shows its URL and QR code', async () => {
    const { page, problems, close } = await dash.openPage();
    try {
      // Signing in, too, from the keyboard: the address, Enter, the code from the message, Enter.
      const email = `keys-${uniqueEmail()}`;
      await createOperator(server.ctx, { email, role: 'operator', invitedBy: 'test' });
      const before = dash.smtp.messages.length;
      await page.goto(`${base}/dashboard/`);
      await page.getByRole('heading', { name: 'Sign in to the dashboard' }).waitFor();
      await tabTo(page, 'Email address');
      await page.keyboard.type(email);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Check your email' }).waitFor();
      await page.keyboard.type(await dash.codeSentTo(email, before));
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Overview' }).waitFor();

      // To Links and its New link through the navigation, with Tab and Enter.
      await tabTo(page, 'Links');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Links', level: 1 }).waitFor();
      await tabTo(page, 'New link');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'New link' }).waitFor();
      await page.getByLabel('Email address or phone number').waitFor();

      await tabTo(page, 'Email address or phone number');
      await page.keyboard.type(`keys.${tag}@example.com`);
      await page.keyboard.press('Tab');
      expect(await focusedLabel(page)).toBe('Channel');
      await page.keyboard.press('Tab');
      expect(await focusedLabel(page)).toBe('Type');
      await page.keyboard.press('Tab');
      expect(await focusedLabel(page)).toBe('Language');
      await page.keyboard.press('Tab');
      expect(await focusedLabel(page)).toBe('After sign-in, go to');
      await page.keyboard.press('Tab');
      expect(await focusedLabel(page)).toBe('Expires after');
      // One step down the list: the shortest length offered, 15 minutes.
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Tab');
      expect(await focusedLabel(page)).toBe('Send it now');
      await page.keyboard.press('Tab');
      expect(await focusedLabel(page)).toBe('Create and send');
      await page.keyboard.press('Enter');

      const heading = page.getByRole('heading', { name: `Link created and sent to keys.${tag}@example.com` });
      await heading.waitFor();
      // The focus moved to the answer.
      expect(await heading.evaluate((h) => h.matches(':focus'))).toBe(true);
      const url = await page.getByLabel('The link', { exact: true }).inputValue();
      expect(url).toMatch(new RegExp(`^${base}/l/[A-Za-z0-9_-]{43,}$`));
      await page
        .getByRole('img', { name: /QR code of the link/ })
        .locator('path')
        .nth(1)
        .waitFor();
      await page.getByRole('heading', { name: 'The message it was sent in' }).waitFor();
      await page.getByText('Subject:').waitFor();

      const created = (await server.api('GET', `/v1/magic-links?identifier=keys.${tag}`)).json().data;
      expect(created).toHaveLength(1);
      expect(created[0]).toMatchObject({ ttl: 15, channel: 'email', language: 'en' });
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('follows a link made here and redeemed in another browser: visits, redeemed, and the funnel', async () => {
    const { page, problems, close } = await dash.openPage();
    try {
      await dash.signIn(page, 'operator');
      const funnelRedeemed = page.locator('.funnel li', { hasText: 'Redeemed' }).locator('.funnel-value');
      const before = Number(await funnelRedeemed.textContent());

      await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Links' }).click();
      await page.getByRole('link', { name: 'New link' }).click();
      const identifier = page.getByLabel('Email address or phone number');
      await identifier.waitFor();
      expect(await axeBothThemes(page)).toEqual([]);
      await shoot(page, 'links-new-1280-light');
      // The server's refusal shows next to the field it names.
      await identifier.fill('not an address');
      await page.getByLabel('Send it now').uncheck();
      await page.getByRole('button', { name: 'Create link' }).click();
      await expect.poll(() => identifier.getAttribute('aria-invalid')).toBe('true');
      expect(await axeBothThemes(page)).toEqual([]);
      await shoot(page, 'links-new-error-1280-light');
      await identifier.fill(`redeem.${tag}@example.com`);
      await page.getByRole('button', { name: 'Create link' }).click();
      await page.getByRole('heading', { name: `Link created for redeem.${tag}@example.com` }).waitFor();
      const url = await page.getByLabel('The link', { exact: true }).inputValue();
      await page
        .getByRole('img', { name: /QR code/ })
        .locator('path')
        .nth(1)
        .waitFor();
      await shoot(page, 'links-new-result-1280-light');
      expect(await axeBothThemes(page)).toEqual([]);

      // The person, in a browser of their own: opens the link, then confirms on the hosted page.
      // A person's browser says so: headless Chromium's own user agent is, rightly, taken for a scanner.
      const other = await dash.browser.newContext({
        locale: 'en-GB',
        userAgent:
          'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      });
      try {
        const person = await other.newPage();
        await person.goto(url);
        const confirmed = person.waitForResponse(
          (response) => response.request().method() === 'POST' && response.url() === url,
        );
        await person.getByRole('button', { name: 'Sign in' }).click({ noWaitAfter: true });
        expect((await confirmed).status()).toBe(303);
      } finally {
        await other.close();
      }

      // The app's webhook hears of it before the operator looks.
      await expect
        .poll(() => receiver.received.some((hook) => hook.body.includes('magic_link.redeemed')), {
          timeout: 10_000,
        })
        .toBe(true);
      await page.getByRole('link', { name: 'Follow this link' }).click();
      await page.getByRole('heading', { name: `Link to redeem.${tag}@example.com` }).waitFor();
      const timeline = page.locator('ol.timeline');
      await timeline.getByText('Redeemed', { exact: true }).waitFor();
      expect(await timeline.locator('li strong').allTextContents()).toEqual([
        'Created',
        'Opened',
        'Visited by a person (2 requests)',
        'Redeemed',
        'Webhook magic_link.redeemed delivered',
      ]);
      await timeline.getByText(/To endpoint whe_\w+, attempt 1: HTTP 200/).waitFor();
      await timeline.getByText(/GET: opened in a browser; POST: confirmed/).waitFor();
      await timeline.getByText(/Opened session ses_/).waitFor();
      await page.getByRole('heading', { name: 'Visits' }).waitFor();
      expect(await page.getByRole('button', { name: 'Resend' }).count()).toBe(0);
      expect(await axeBothThemes(page)).toEqual([]);
      await shoot(page, 'links-detail-1280-light');

      // The Overview read afresh (it keeps its figures for a minute while the operator moves between screens).
      await page.goto(`${base}/dashboard/`);
      await expect.poll(async () => Number(await funnelRedeemed.textContent())).toBe(before + 1);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('narrows the list with the filters and revokes the chosen links', async () => {
    const { page, problems, close } = await dash.openPage();
    try {
      await dash.signIn(page, 'operator');
      await page.goto(`${base}/dashboard/links`);
      const rows = page.locator('tbody tr');
      await rows.first().waitFor();
      await shoot(page, 'links-list-1280-light');
      expect(await axeBothThemes(page)).toEqual([]);

      await page.getByLabel('Email or phone contains').fill(`ADA.${tag}`);
      await expect.poll(() => rows.count()).toBe(2);
      expect((await rows.locator('th').allTextContents()).sort()).toEqual([
        `ada.${tag}@example.com`,
        `ada.${tag}@example.org`,
      ]);
      await page.getByLabel('Channel').selectOption('email');
      // The .org one was never sent: still `created`.
      await page.getByLabel('Status').selectOption('created');
      await expect.poll(() => rows.count()).toBe(1);
      expect(await rows.locator('th').textContent()).toBe(`ada.${tag}@example.org`);
      await page.getByLabel('Status').selectOption('');
      await expect.poll(() => rows.count()).toBe(2);

      await page.getByRole('checkbox', { name: /Choose every link on this page/ }).check();
      await page.getByRole('button', { name: 'Revoke selected (2)' }).click();
      const dialog = page.getByRole('dialog', { name: 'Revoke these 2 links?' });
      await dialog.getByRole('button', { name: 'Revoke selected (2)' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByLabel('Status').selectOption('revoked');
      await expect.poll(() => rows.count()).toBe(2);
      await page.getByLabel('Status').selectOption('created');
      await page.getByText('No link matches these filters').waitFor();
      await page.getByRole('button', { name: 'Clear filters' }).click();
      await rows.first().waitFor();

      const statuses = (await server.api('GET', `/v1/magic-links?identifier=ada.${tag}`)).json()
        .data as Array<{
        status: string;
      }>;
      expect(statuses.map((link) => link.status)).toEqual(['revoked', 'revoked']);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('resends a link that was not used: a new one is sent and the old one revoked', async () => {
    const { page, problems, close } = await dash.openPage();
    try {
      await dash.signIn(page, 'operator');
      const made = await server.api('POST', '/v1/magic-links', {
        email: `resend.${tag}@example.com`,
        send: true,
      });
      const oldId = made.json().magic_link.id as string;
      await page.goto(`${base}/dashboard/links/${oldId}`);
      await page.getByRole('heading', { name: `Link to resend.${tag}@example.com` }).waitFor();
      await page.locator('ol.timeline').getByText('Sent', { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Resend' }).click();
      await page
        .getByRole('dialog', { name: 'Send this link again?' })
        .getByRole('button', { name: 'Resend' })
        .click();
      await page.waitForURL((url) => !url.pathname.endsWith(oldId));
      await page.getByRole('heading', { name: `Link to resend.${tag}@example.com` }).waitFor();
      expect((await server.api('GET', `/v1/magic-links/${oldId}`)).json().status).toBe('revoked');
      // Audited as a change, without the new link's token.
      const audits = (await server.api('GET', '/v1/events?type=dashboard.change&limit=50')).json()
        .data as Array<{
        data: { route: string; after: { magic_link?: { secret: string } } };
      }>;
      const resent = audits.find((event) => event.data.route.endsWith('/resend'));
      expect(resent?.data.after.magic_link?.secret).toBe('[redacted]');
      expect(JSON.stringify(resent)).not.toMatch(/\/l\/[A-Za-z0-9_-]{20,}/);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it.each(['light', 'dark'] as const)(
    'fits 390 px: the list, a new link and a link’s page, %s',
    async (colorScheme) => {
      const { page, problems, close } = await dash.openPage({ width: 390, colorScheme });
      try {
        await dash.signIn(page, 'operator');
        await page.goto(`${base}/dashboard/links`);
        await page.locator('tbody tr').first().waitFor();
        expect(await overflowsSideways(page)).toBe(false);
        await shoot(page, `links-list-390-${colorScheme}`);

        await page.goto(`${base}/dashboard/links/new`);
        await page
          .getByLabel('Email address or phone number')
          .fill(`narrow.${colorScheme}.${tag}@example.com`);
        expect(await overflowsSideways(page)).toBe(false);
        await shoot(page, `links-new-390-${colorScheme}`);
        await page.getByRole('button', { name: 'Create and send' }).click();
        await page
          .getByRole('img', { name: /QR code/ })
          .locator('path')
          .nth(1)
          .waitFor();
        await page.getByText('Subject:').waitFor();
        expect(await overflowsSideways(page)).toBe(false);
        await shoot(page, `links-new-result-390-${colorScheme}`);

        await page.getByRole('link', { name: 'Follow this link' }).click();
        await page.locator('ol.timeline').getByText('Sent', { exact: true }).waitFor();
        expect(await overflowsSideways(page)).toBe(false);
        await shoot(page, `links-detail-390-${colorScheme}`);
        expect(problems).toEqual([]);
      } finally {
        await close();
      }
    },
  );
});
