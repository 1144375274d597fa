/** The API reference at /docs as a browser shows it: Latchkey's name and mark in its top bar and tab, no one else's. */
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, CHROMIUM, shoot } from '../test-support/dashboard-browser.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';

describe.runIf(browserAvailable)('the API reference in headless Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = server.app.server.address() as { port: number };
    base = `http://127.0.0.1:${port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the operations under Latchkey’s own logo and favicon', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      await page.goto(`${base}/docs`);
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
      const favicon = await page.request.get(new URL(icon!, `${base}/docs/`).toString());
      expect(favicon.headers()['content-type']).toContain('image/svg+xml');
      await shoot(page, 'api-reference-1280', false);
    } finally {
      await context.close();
    }
  }, 60_000);
});
