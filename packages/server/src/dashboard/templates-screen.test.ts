/**
 * The Templates screen in headless Chromium against a listening Latchkey (test-support/dashboard-browser.ts): the
 * grid of link types and languages, the German sign-in template edited with the server's checks shown as the
 * operator types, previewed (the HTML in its own framed page), saved, sent as a test to the operator, marked in the
 * grid, and reset to the built-in one. axe in light and dark, no sideways scrolling, screenshots of each state.
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
import type { TestServer } from '../test-support/test-server.js';

interface TemplateView {
  subject: string;
  overridden: Record<'subject' | 'text' | 'html' | 'sms', boolean>;
}

describe.runIf(browserAvailable)('the Templates screen', () => {
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

  const germanLogin = async () => (await server.api('GET', '/v1/templates/login/de')).json() as TemplateView;
  const germanCell = (page: Page) =>
    page.getByRole('region', { name: 'Sign-in' }).getByRole('link', { name: /German/ });

  it('edits the German sign-in template with a live preview, saves it, tests it, and resets it', async () => {
    const { page, problems, close } = await dash.openPage();
    try {
      const operator = await dash.signIn(page);
      await page.goto(`${base}/dashboard/templates`);
      await page.getByRole('heading', { name: 'Templates', exact: true }).waitFor();
      await page.getByText('This app uses the built-in messages everywhere.').waitFor();
      expect(await page.locator('.template-cell').count()).toBe(24);
      expect(await germanCell(page).textContent()).toMatch(/built in/);
      expect(await axeBothThemes(page)).toEqual([]);
      await shoot(page, 'templates-grid-1280-light');

      await germanCell(page).click();
      await page.getByRole('heading', { name: 'Sign-in · German (Deutsch)' }).waitFor();
      // The built-in German text, rendered by the server: the subject, the HTML in its frame, the SMS.
      const subjectLine = page.locator('.preview-subject');
      await subjectLine.getByText('Bei Default app anmelden').waitFor();
      const frame = page.frameLocator('iframe[title="The email as HTML"]');
      await frame.getByText('Anmelden', { exact: true }).waitFor();
      // Styled by its own inline styles, which the frame's CSP allows and the dashboard's would not.
      const button = frame.getByRole('link', { name: 'Anmelden' });
      // White on the blue button: the inline styles applied (unstyled, a link is blue on white).
      const colour = await button.evaluate((a) => {
        // Typed here: this file is type-checked for Node, without the DOM's names.
        const view = globalThis as unknown as { getComputedStyle(e: unknown): { color: string } };
        return view.getComputedStyle(a).color;
      });
      expect(colour).toBe('rgb(255, 255, 255)');
      await page
        .locator('.sms-bubble')
        .getByText(/Anmelden mit http/)
        .waitFor();
      expect(await page.getByTestId('sms-segments').textContent()).toMatch(/^1 message \(GSM-7/);

      // The server's own check, shown under the field while typing.
      const subject = page.getByLabel('Subject', { exact: true });
      await subject.fill('Willkommen zurück bei {{app_nam}}');
      await page.getByText('The subject uses {{app_nam}}, which is not a template variable').waitFor();
      expect(await subject.getAttribute('aria-invalid')).toBe('true');
      await subject.fill('Willkommen zurück bei {{app_name}}');
      await subjectLine.getByText('Willkommen zurück bei Default app').waitFor();
      expect(await subject.getAttribute('aria-invalid')).toBeNull();
      const html = page.getByLabel('HTML', { exact: true });
      await html.fill((await html.inputValue()).replace('<h1 ', '<p>Frühlingsgrüße!</p><h1 '));
      await frame.getByText('Frühlingsgrüße!').waitFor();
      // An SMS in another alphabet is sent in parts of 67.
      const sms = page.getByLabel('SMS', { exact: true });
      await sms.fill(`${'Zaloguj się '.repeat(5)}{{link_url}}`);
      await page
        .getByTestId('sms-segments')
        .getByText(/^2 messages \(UCS-2/)
        .waitFor();
      await sms.fill('Anmelden: {{link_url}}');
      await page
        .getByTestId('sms-segments')
        .getByText(/^1 message \(GSM-7/)
        .waitFor();
      expect(await axeBothThemes(page)).toEqual([]);
      await shoot(page, 'templates-editor-1280-light');
      await page.getByLabel('Theme').last().selectOption('dark');
      await shoot(page, 'templates-editor-1280-dark');
      await page.getByLabel('Theme').last().selectOption('system');

      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Saved. New messages use it from now on.').waitFor();
      const saved = await germanLogin();
      expect(saved.subject).toBe('Willkommen zurück bei {{app_name}}');
      expect(saved.overridden).toEqual({ subject: true, text: false, html: true, sms: true });

      const before = dash.smtp.messages.length;
      await page.getByRole('button', { name: 'Send a test to me' }).click();
      await page.getByText(`Sent to ${operator}.`).waitFor();
      const test = dash.smtp.messages.slice(before).find((m) => m.to.includes(operator));
      expect(test?.subject).toBe('Willkommen zurück bei Default app');
      expect(test?.html).toContain('Frühlingsgrüße!');

      await page.getByRole('link', { name: 'All templates' }).click();
      await page.getByText('This app has its own text in 1 of 24 templates.').waitFor();
      expect(await germanCell(page).textContent()).toMatch(/overridden.*Subject, HTML, SMS/);
      await shoot(page, 'templates-grid-overridden-1280-light');

      await germanCell(page).click();
      await page.getByText('The app’s own: subject, html, sms').waitFor();
      await page.getByRole('button', { name: 'Reset to built-in' }).click();
      const dialog = page.getByRole('dialog', { name: 'Reset to the built-in template?' });
      await dialog.getByRole('button', { name: 'Reset to built-in' }).click();
      await page.getByText('Back to the built-in template.').waitFor();
      await page.getByText('Built in: nothing of this template is the app’s own yet.').waitFor();
      expect(await page.getByLabel('Subject', { exact: true }).inputValue()).toBe(
        'Bei {{app_name}} anmelden',
      );
      expect((await germanLogin()).overridden).toEqual({
        subject: false,
        text: false,
        html: false,
        sms: false,
      });

      await page.getByRole('link', { name: 'All templates' }).click();
      await page.getByText('This app uses the built-in messages everywhere.').waitFor();
      expect(await germanCell(page).textContent()).toMatch(/built in/);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  }, 90_000);

  it('fits 390 px: the grid and the editor with its preview, for a viewer who may read and preview only', async () => {
    const { page, problems, close } = await dash.openPage({ width: 390 });
    try {
      await dash.signIn(page, 'viewer');
      await page.goto(`${base}/dashboard/templates`);
      await germanCell(page).waitFor();
      expect(await overflowsSideways(page)).toBe(false);
      await shoot(page, 'templates-grid-390-light');

      await page.goto(`${base}/dashboard/templates/invite/zh`);
      await page.getByRole('heading', { name: 'Invitation · Chinese (中文)' }).waitFor();
      await page.frameLocator('iframe[title="The email as HTML"]').locator('h1').waitFor();
      await page.getByTestId('sms-segments').getByText(/UCS-2/).waitFor();
      await page.getByText('Your role (viewer) may read and preview templates').waitFor();
      expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);
      expect(await overflowsSideways(page)).toBe(false);
      await shoot(page, 'templates-editor-390-light');
      // Another language from the editor itself.
      await page.getByLabel('Language', { exact: true }).selectOption('de');
      await page.getByRole('heading', { name: 'Invitation · German (Deutsch)' }).waitFor();
      await page.locator('.preview-subject').getByText('Einladung zu Default app').waitFor();
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  }, 60_000);
});
