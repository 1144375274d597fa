/**
 * The API keys screen in headless Chromium against a listening Latchkey. As an owner: a key made through the fresh
 * code the server asks for (the code read from the real message), its secret shown once and never again, renamed,
 * then revoked, after which the API refuses it; a signing key and the session keys rotated. An admin sees the lists
 * and no action. axe in light and dark on the screen and its dialogs, 390 px without sideways scrolling, screenshots.
 */
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
import type { TestServer } from '../test-support/test-server.js';

interface Listed {
  id: string;
  kid: string;
  label: string;
  status?: string;
  revoked_at: string | null;
}

/** Past the five minutes a sign-in counts as fresh: the next key change asks for a code. */
const STALE_MS = 6 * 60_000;

describe.runIf(browserAvailable)('the API keys screen', () => {
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

  async function list(path: '/v1/api-keys' | '/v1/signing-keys'): Promise<Listed[]> {
    return ((await server.api('GET', `${path}?limit=500`)).json() as { data: Listed[] }).data;
  }

  const withKey = (key: string) =>
    server.app.inject({
      method: 'GET',
      url: `/v1/apps/${server.appId}`,
      headers: { authorization: `Bearer ${key}` },
    });

  async function openKeys(page: Page): Promise<void> {
    await goToScreen(page, 'API keys');
    await page.getByRole('table', { name: 'API keys of this app, newest first' }).waitFor();
  }

  it('makes a key through a fresh code, shows its secret once, renames and revokes it', async () => {
    const { page, problems, close } = await dash.openPage();
    try {
      const email = await dash.signIn(page, 'owner');
      await openKeys(page);
      expect(await axeBothThemes(page)).toEqual([]);
      await shoot(page, 'api-keys-1280-light');

      server.advance(STALE_MS);
      await page.getByRole('button', { name: 'New API key' }).click();
      const dialog = page.getByRole('dialog', { name: 'New API key' });
      await dialog.getByLabel('Label').fill('CI deploy');
      expect(await axeInSchemes(page)).toEqual([]);
      await shoot(page, 'api-keys-new-dialog-1280-light', false);
      const sent = dash.smtp.messages.length;
      await dialog.getByRole('button', { name: 'Make the key' }).click();

      // The server asks for a fresh code; the code from the message is entered, and the key is made.
      const reauth = page.getByRole('dialog', { name: 'Confirm it is you' });
      await reauth.getByLabel('Code').fill(await dash.codeSentTo(email, sent));
      await reauth.getByRole('button', { name: 'Confirm' }).click();
      const secretBox = dialog.locator('#new-secret-value');
      await secretBox.waitFor();
      const secret = (await secretBox.textContent()) ?? '';
      expect(secret).toMatch(/^lk_sk_[A-Za-z0-9_-]{20,}$/);
      await dialog.getByText('It will not be shown again').waitFor();
      await dialog.getByRole('button', { name: 'Copy the API key' }).waitFor();
      expect(await axeInSchemes(page)).toEqual([]);
      await shoot(page, 'api-keys-secret-dialog-1280-light', false);
      expect((await withKey(secret)).statusCode).toBe(200);

      // Closed, the secret is gone from the page for good: the list shows the first characters only.
      await dialog.getByRole('button', { name: 'I have copied it' }).click();
      const row = page.getByRole('row', { name: /CI deploy/ });
      await row.getByText(`${secret.slice(0, 10)}…`).waitFor();
      expect(await page.content()).not.toContain(secret);
      await page.reload();
      await page.getByRole('row', { name: /CI deploy/ }).waitFor();
      expect(await page.content()).not.toContain(secret);
      const made = (await list('/v1/api-keys')).find((key) => key.label === 'CI deploy');
      expect(made).toBeDefined();

      // Renamed: the API says so too.
      await page.getByRole('button', { name: 'Rename CI deploy' }).click();
      const rename = page.getByRole('dialog', { name: 'Rename CI deploy' });
      await rename.getByLabel('Label').fill('   ');
      await rename.getByRole('button', { name: 'Save the label' }).click();
      await rename.getByText(/^label /).waitFor();
      expect(await rename.getByLabel('Label').getAttribute('aria-invalid')).toBe('true');
      await rename.getByLabel('Label').fill('CI pipeline');
      await rename.getByRole('button', { name: 'Save the label' }).click();
      await page.getByRole('row', { name: /CI pipeline/ }).waitFor();
      expect((await list('/v1/api-keys')).find((key) => key.id === made?.id)?.label).toBe('CI pipeline');
      // Audited with the key before and after, read through GET /v1/api-keys/{key_id}.
      const audit = await server.ctx.store.listEvents(
        server.appId,
        { type: 'dashboard.change' },
        { limit: 50 },
      );
      const renaming = audit
        .map((row) => JSON.parse(row.data) as { method: string; path: string; before: Listed; after: Listed })
        .find((data) => data.method === 'PATCH' && data.path.endsWith(`/api-keys/${made?.id}`));
      expect(renaming).toMatchObject({ before: { label: 'CI deploy' }, after: { label: 'CI pipeline' } });

      // Revoked after a confirmation: the key is refused from then on.
      const renamed = page.getByRole('row', { name: /CI pipeline/ });
      await renamed.getByRole('button', { name: 'Revoke' }).click();
      const confirm = page.getByRole('dialog', { name: 'Revoke CI pipeline?' });
      expect(await axeInSchemes(page)).toEqual([]);
      await shoot(page, 'api-keys-revoke-dialog-1280-light', false);
      await confirm.getByRole('button', { name: 'Revoke' }).click();
      await renamed.getByText('revoked').waitFor();
      const refused = await withKey(secret);
      expect(refused.statusCode).toBe(401);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('rotates a signing key (a new one, the old one revoked after) and the session keys', async () => {
    const made = await server.api('POST', '/v1/signing-keys', { label: 'portal' });
    expect(made.statusCode).toBe(201);
    const old = made.json() as Listed;
    const { page, problems, close } = await dash.openPage();
    try {
      await dash.signIn(page, 'owner');
      await openKeys(page);
      const signing = page.getByRole('region', { name: 'Signing keys' });
      await signing.getByRole('button', { name: `Rotate portal (${old.kid})` }).click();
      const dialog = page.getByRole('dialog', { name: 'Rotate portal' });
      await dialog.getByText(`The old one (${old.kid}) keeps working`).waitFor();
      await dialog.getByRole('button', { name: 'Make the new key' }).click();
      const secret = (await dialog.locator('#new-secret-value').textContent()) ?? '';
      expect(secret.length).toBeGreaterThan(30);
      await dialog.getByText(`The old key ${old.kid} still works.`).waitFor();
      await dialog.getByRole('button', { name: 'I have copied it' }).click();

      const portal = (await list('/v1/signing-keys')).filter((key) => key.label === 'portal');
      expect(portal.map((key) => key.status)).toEqual(['active', 'active']);
      const fresh = portal.find((key) => key.kid !== old.kid);
      await signing.getByRole('row', { name: new RegExp(fresh?.kid ?? 'none') }).waitFor();

      await signing
        .getByRole('row', { name: new RegExp(old.kid) })
        .getByRole('button', { name: 'Revoke' })
        .click();
      await page
        .getByRole('dialog', { name: 'Revoke portal?' })
        .getByRole('button', { name: 'Revoke' })
        .click();
      await signing
        .getByRole('row', { name: new RegExp(old.kid) })
        .getByText('revoked')
        .waitFor();
      expect((await list('/v1/signing-keys')).find((key) => key.kid === old.kid)?.status).toBe('revoked');

      const sessions = page.getByRole('region', { name: 'Session keys' });
      const before = await sessions.getByRole('row').count();
      await sessions.getByRole('button', { name: 'Rotate session keys' }).click();
      const rotate = page.getByRole('dialog', { name: 'Rotate the session keys?' });
      await rotate.getByRole('button', { name: 'Rotate session keys' }).click();
      // Wait for the new row itself: a key retired by an earlier rotation may already say "retired".
      await expect.poll(() => sessions.getByRole('row').count(), { timeout: 10_000 }).toBe(before + 1);
      await sessions.getByText('retired').first().waitFor();
      expect(await axeBothThemes(page)).toEqual([]);
      await page.getByLabel('Theme').last().selectOption('dark');
      await shoot(page, 'api-keys-1280-dark');
      await page.getByLabel('Theme').last().selectOption('system');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('fits 390 px, light and dark', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page, problems, close } = await dash.openPage({ width: 390, colorScheme });
      try {
        await dash.signIn(page, 'owner');
        await openKeys(page);
        expect(await overflowsSideways(page)).toBe(false);
        expect(await axeInSchemes(page, colorScheme)).toEqual([]);
        await shoot(page, `api-keys-390-${colorScheme}`);
        await page.getByRole('button', { name: 'New API key' }).click();
        expect(await overflowsSideways(page)).toBe(false);
        await shoot(page, `api-keys-new-dialog-390-${colorScheme}`, false);
        expect(problems).toEqual([]);
      } finally {
        await close();
      }
    }
  });

  it('shows an admin the keys and no action on them', async () => {
    const { page, problems, close } = await dash.openPage();
    try {
      await dash.signIn(page, 'admin');
      await openKeys(page);
      await page
        .getByText('Keys are an owner’s to make, rename, rotate and revoke. Your role (admin)')
        .waitFor();
      for (const name of [
        'New API key',
        'New signing key',
        'Rotate session keys',
        'Revoke',
        'Rotate',
        'Rename',
      ])
        expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0);
      expect(await page.getByRole('button', { name: /^(Rename|Rotate) / }).count()).toBe(0);
      expect(await axeBothThemes(page)).toEqual([]);
      await shoot(page, 'api-keys-admin-1280-light');
      // The API refuses the admin anyway, in words the dashboard would show.
      const session = (await (await page.request.get(`${base}/dashboard/api/session`)).json()) as {
        csrf_token: string;
      };
      const refused = await page.request.post(`${base}/dashboard/api/v1/api-keys`, {
        headers: { 'x-csrf-token': session.csrf_token, 'latchkey-app': server.appId, origin: base },
        data: { label: 'sneaky' },
      });
      expect(refused.status()).toBe(403);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(
        'Your role (admin) may not do this',
      );
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});

/** axe in light and dark by the system's colour scheme: with a dialog open, the header's theme menu is out of reach. */
async function axeInSchemes(page: Page, back: 'light' | 'dark' = 'light'): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    found.push(...(await axeProblems(page)).map((line) => `${colorScheme}: ${line}`));
  }
  await page.emulateMedia({ colorScheme: back });
  return found;
}
