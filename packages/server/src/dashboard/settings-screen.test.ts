/**
 * The Settings screen in headless Chromium against a listening Latchkey: a change saved and read back through the
 * API, an invalid value refused with the API's message next to its field (and nothing stored), the redirect tester's
 * answers, and a viewer's read-only form; axe in light and dark, 390 px without sideways scrolling, screenshots.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANGUAGES } from '../pages/languages.js';
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
import type { TestServer } from '../test-support/test-server.js';

interface Settings {
  name: string;
  allowed_redirects: string[];
  page_shortcuts: Record<string, string>;
  ttl_minutes: { login: number };
  sender: { name: string | null; email: string | null };
  updated_at: string;
}

describe.runIf(browserAvailable)('the Settings screen', () => {
  let dash: DashboardBrowser;
  let server: TestServer;

  beforeAll(async () => {
    dash = await startDashboardBrowser();
    ({ server } = dash);
  }, 60_000);
  afterAll(async () => {
    await dash?.close();
  });

  async function stored(): Promise<Settings> {
    return (await server.api('GET', `/v1/apps/${server.appId}`)).json() as Settings;
  }

  async function openSettings(page: Page): Promise<void> {
    await goToScreen(page, 'Settings');
    await page.getByRole('heading', { name: 'General' }).waitFor();
  }

  const section = (page: Page, name: string) => page.getByRole('region', { name });

  it('saves a change, shows a refused value next to its field without storing it, and answers the tester', async () => {
    const { page, problems, close } = await dash.openPage();
    try {
      await dash.signIn(page, 'admin');
      await openSettings(page);
      expect(await axeBothThemes(page)).toEqual([]);
      await shoot(page, 'settings-1280-light');

      // A change, saved and read back through the API.
      const sender = section(page, 'Sender and language');
      await sender.getByLabel('From name').fill('Acme Support');
      await sender.getByLabel('Default language').selectOption('de');
      await sender.getByRole('button', { name: 'Save sender and language' }).click();
      await sender.getByText('Saved.').waitFor();
      expect(await stored()).toMatchObject({ sender: { name: 'Acme Support' }, default_language: 'de' });
      // The phone region: typed in lower case, stored as the code; one the API does not know, refused at the field.
      const region = sender.getByLabel('Default phone region');
      await region.fill('gb');
      await sender.getByRole('button', { name: 'Save sender and language' }).click();
      await sender.getByText('Saved.').waitFor();
      expect(await stored()).toMatchObject({ default_phone_region: 'GB' });
      await region.fill('XX');
      await sender.getByRole('button', { name: 'Save sender and language' }).click();
      await sender.getByText(/^default_phone_region must be a two-letter region code/).waitFor();
      expect(await region.getAttribute('aria-invalid')).toBe('true');
      expect(await stored()).toMatchObject({ default_phone_region: 'GB' });
      await region.fill('');
      await sender.getByRole('button', { name: 'Save sender and language' }).click();
      await sender.getByText('Saved.').waitFor();
      expect(await stored()).toMatchObject({ default_phone_region: null });
      // The dashboard's list of languages is the server's.
      expect(
        await sender
          .getByLabel('Default language')
          .locator('option')
          .evaluateAll((options) => options.map((option) => (option as unknown as { value: string }).value)),
      ).toEqual([...LANGUAGES]);

      // A value the API refuses: its message next to the field, the field marked, nothing stored.
      const before = await stored();
      await sender.getByLabel('From name').fill('Someone else');
      const email = sender.getByLabel('From address');
      await email.fill('not-an-address');
      await sender.getByRole('button', { name: 'Save sender and language' }).click();
      const message = sender.getByText('sender.email must be an email address such as login@example.com.');
      await message.waitFor();
      expect(await email.getAttribute('aria-invalid')).toBe('true');
      expect(await email.getAttribute('aria-describedby')).toContain(await message.getAttribute('id'));
      expect(await email.evaluate((input) => input.matches(':focus'))).toBe(true);
      expect(await stored()).toEqual(before);
      expect(await axeBothThemes(page)).toEqual([]);
      await sender.screenshot({ path: `${await screenshotsDir()}settings-field-error-1280-light.png` });

      // A number out of range, refused by the API's schema, next to that field.
      const links = section(page, 'Links and sessions');
      await links.getByLabel('Sign-in links (minutes)').fill('99999');
      await links.getByRole('button', { name: 'Save links and sessions' }).click();
      await links.getByText(/^ttl_minutes\.login /).waitFor();
      expect(await links.getByLabel('Sign-in links (minutes)').getAttribute('aria-invalid')).toBe('true');
      expect((await stored()).ttl_minutes.login).toBe(before.ttl_minutes.login);
      await links.getByLabel('Sign-in links (minutes)').fill('20');
      await links.getByRole('button', { name: 'Save links and sessions' }).click();
      await links.getByText('Saved.').waitFor();
      expect((await stored()).ttl_minutes.login).toBe(20);

      // The allowlist: an entry added and saved, then a page shortcut on it.
      const redirects = section(page, 'Redirects');
      await redirects.getByLabel('Add a target').fill('https://portal.example.com/invoices');
      await redirects.getByRole('button', { name: 'Add', exact: true }).click();
      await redirects.getByRole('button', { name: 'Save redirects' }).click();
      await redirects.getByText('Saved.').waitFor();
      expect((await stored()).allowed_redirects).toContain('https://portal.example.com/invoices');

      const shortcuts = section(page, 'Page shortcuts');
      await shortcuts.getByRole('button', { name: 'Add a shortcut' }).click();
      await shortcuts.getByLabel('Name').fill('invoices');
      await shortcuts.getByLabel('Target').fill('https://elsewhere.example.com/');
      await shortcuts.getByRole('button', { name: 'Save page shortcuts' }).click();
      await shortcuts
        .getByText('page_shortcuts.invoices must be an http(s) URL on allowed_redirects.')
        .waitFor();
      expect(await shortcuts.getByLabel('Target').getAttribute('aria-invalid')).toBe('true');
      await shortcuts.getByLabel('Target').fill('https://portal.example.com/invoices');
      await shortcuts.getByRole('button', { name: 'Save page shortcuts' }).click();
      await shortcuts.getByText('Saved.').waitFor();
      expect((await stored()).page_shortcuts).toEqual({ invoices: 'https://portal.example.com/invoices' });

      // The tester: allowed with the entry that matched, refused with the reason, and a shortcut by name.
      const tester = page.getByRole('form', { name: 'Test a redirect' });
      const target = tester.getByLabel('A URL or a page shortcut name');
      await target.fill('https://portal.example.com/invoices/7');
      await tester.getByRole('button', { name: 'Test' }).click();
      await tester.getByText('Allowed: it matches https://portal.example.com/invoices').waitFor();
      await tester.getByText('allowed', { exact: true }).waitFor();
      await target.fill('https://portal.example.com/admin');
      await tester.getByRole('button', { name: 'Test' }).click();
      await tester.getByText('is on the list, but only for the path /invoices and below it').waitFor();
      await tester.getByText('refused', { exact: true }).waitFor();
      expect(await axeBothThemes(page)).toEqual([]);
      await redirects.screenshot({
        path: `${await screenshotsDir()}settings-redirect-tester-1280-light.png`,
      });
      await target.fill('invoices');
      await tester.getByRole('button', { name: 'Test' }).click();
      await tester
        .getByText('The shortcut "invoices" points at https://portal.example.com/invoices')
        .waitFor();

      await page.getByLabel('Theme').last().selectOption('dark');
      await shoot(page, 'settings-1280-dark');
      await page.getByLabel('Theme').last().selectOption('system');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('shows a viewer every setting read-only, with the tester still at hand', async () => {
    const { page, problems, close } = await dash.openPage({ width: 390 });
    try {
      await dash.signIn(page, 'viewer');
      await openSettings(page);
      await page.getByText('Your role (viewer) may read these settings').waitFor();
      expect(await page.getByRole('button', { name: /^Save / }).count()).toBe(0);
      const fields = page.locator('.settings-fields input, .settings-fields select');
      expect(await fields.count()).toBeGreaterThan(10);
      for (const field of await fields.all()) expect(await field.isDisabled()).toBe(true);
      expect(await section(page, 'General').getByLabel('Name').inputValue()).toBe((await stored()).name);

      const tester = page.getByRole('form', { name: 'Test a redirect' });
      await tester.getByLabel('A URL or a page shortcut name').fill('http://app.example.com/auth/callback');
      await tester.getByRole('button', { name: 'Test' }).click();
      await tester.getByText('is on the list, but for https only, and this URL is http.').waitFor();

      expect(await overflowsSideways(page)).toBe(false);
      // At 390 px the theme menu is folded away with the navigation: the system's scheme is switched instead.
      expect(await axeInSchemes(page)).toEqual([]);
      await shoot(page, 'settings-read-only-390-light');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('fits 390 px for an owner, in dark', async () => {
    const { page, problems, close } = await dash.openPage({ width: 390, colorScheme: 'dark' });
    try {
      await dash.signIn(page, 'owner');
      await openSettings(page);
      expect(await overflowsSideways(page)).toBe(false);
      await shoot(page, 'settings-390-dark');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});

/** axe in light and dark by the system's colour scheme, which the dashboard follows unless told otherwise. */
async function axeInSchemes(page: Page, back: 'light' | 'dark' = 'light'): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    found.push(...(await axeProblems(page)).map((line) => `${colorScheme}: ${line}`));
  }
  await page.emulateMedia({ colorScheme: back });
  return found;
}

async function screenshotsDir(): Promise<string> {
  return (await import('../test-support/dashboard-browser.js')).SCREENSHOTS;
}
