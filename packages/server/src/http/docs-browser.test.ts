/** The API reference at /docs as a browser shows it: Latchkey's name and mark in its top bar and tab, no one else's. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserAvailable,
  type DashboardBrowser,
  shoot,
  startDashboardBrowser,
} from '../test-support/dashboard-browser.js';

describe.runIf(browserAvailable)('the API reference in headless Chromium', () => {
  let b: DashboardBrowser;
  beforeAll(async () => {
    b = await startDashboardBrowser();
  }, 60_000);
  afterAll(async () => {
    await b?.close();
  });

  it('shows the operations under Latchkey’s own logo and favicon', async () => {
    const { page, problems, close } = await b.openPage();
    try {
      await page.goto(`${b.base}/docs`);
      // Swagger UI draws the operations from /docs/json once its scripts have run.
      await page.locator('.opblock').first().waitFor();
      expect(await page.title()).toBe('Latchkey API reference');
      const logo = page.locator('.topbar img').first();
      const src = (await logo.getAttribute('src')) ?? '';
      expect(src.startsWith('data:image/svg+xml;base64,')).toBe(true);
      const svg = Buffer.from(src.split(',')[1]!, 'base64').toString('utf8');
      expect(svg).toContain('Latchkey');
      expect(svg.toLowerCase()).not.toContain('fastify');
      // The logo drew (an image that failed to decode has no natural width).
      expect(await logo.evaluate((img) => (img as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
      const icon = await page.locator('link[rel="icon"]').first().getAttribute('href');
      expect(icon).toContain('favicon.svg');
      const favicon = await page.request.get(new URL(icon!, `${b.base}/docs/`).toString());
      expect(favicon.headers()['content-type']).toContain('image/svg+xml');
      expect(problems).toEqual([]);
      await shoot(page, 'api-reference-1280', false);
    } finally {
      await close();
    }
  }, 60_000);
});
