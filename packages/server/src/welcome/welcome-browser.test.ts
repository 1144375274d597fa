/** The signed-in page of a new installation, as a browser shows it: no axe finding in light or dark, fits 390 px. */
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeProblems,
  browserAvailable,
  CHROMIUM,
  overflowsSideways,
  shoot,
} from '../test-support/dashboard-browser.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';

describe.runIf(browserAvailable)('the welcome page in headless Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    server = await startTestServer('sqlite', { asInstalled: true });
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = server.app.server.address() as { port: number };
    base = `http://127.0.0.1:${port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows who signed in, readable in both themes and at 390 px', async () => {
    for (const [width, colorScheme] of [
      [1280, 'light'],
      [390, 'dark'],
    ] as const) {
      const created = await server.api('POST', '/v1/magic-links', { email: `welcome-${width}@example.com` });
      const token = new URL(created.json().magic_link.url).pathname;
      const pressed = await server.app.inject({
        method: 'POST',
        url: token,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: '',
      });
      const target = new URL(pressed.headers.location as string);
      const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme });
      try {
        const page = await context.newPage();
        await page.goto(`${base}${target.pathname}${target.search}`);
        await page
          .getByRole('heading', { name: `Signed in as welcome-${width}@example.com`, level: 1 })
          .waitFor();
        expect(await axeProblems(page)).toEqual([]);
        expect(await overflowsSideways(page)).toBe(false);
        await shoot(page, `welcome-${width}-${colorScheme}`);
      } finally {
        await context.close();
      }
    }
  }, 60_000);
});
