/**
 * The dashboard in a real headless Chromium (Debian's `chromium`, driven by playwright-core) against a listening
 * Latchkey on 127.0.0.1, for the browser tests of every screen. Everything is real: operators sign in through the
 * real email flow (an SMTP server on loopback receives the message, and the code is read from it), and every
 * screen calls the server's own /dashboard/api.
 *
 * Screenshots land in packages/dashboard/screenshots/ (docs/dashboard.md lists them); CI keeps the folder.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createOperator } from '../dashboard/operator-service.js';
import { startDelivery } from '../runtime.js';
import type { OperatorRole } from '../storage/schema.js';
import { parseMessage } from './login-flow.js';
import { type SmtpSink, type SmtpSinkOptions, startSmtpSink } from './smtp-sink.js';
import { startTestServer, type TestServer, type TestServerOptions, uniqueEmail } from './test-server.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// CI installs Chromium and sets this, so a missing browser fails there instead of skipping.
const required = process.env.LATCHKEY_REQUIRE_BROWSER === '1';
/** Whether the browser tests can run here; `describe.runIf(browserAvailable)`. */
export const browserAvailable = existsSync(CHROMIUM);
if (!browserAvailable && required)
  throw new Error(`Chromium not found at ${CHROMIUM}; install Debian's chromium package.`);

export const SCREENSHOTS = fileURLToPath(new URL('../../../dashboard/screenshots/', import.meta.url));
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface OpenedPage {
  page: Page;
  /** Script errors, CSP refusals and requests that left this server, as readable lines; a test expects none. */
  problems: string[];
  close(): Promise<void>;
}

export interface PageOptions {
  width?: number;
  colorScheme?: 'light' | 'dark';
}

export interface DashboardBrowser {
  server: TestServer;
  smtp: SmtpSink;
  browser: Browser;
  /** `http://127.0.0.1:{port}`, the server's public URL. */
  base: string;
  openPage(options?: PageOptions): Promise<OpenedPage>;
  /**
   * Makes a new operator with `role` and signs them in through the screens with the code of the real message; a
   * new operator each time, since one address may ask for a code only so often. Ends on the Overview.
   */
  signIn(page: Page, role?: OperatorRole): Promise<string>;
  /** The code of the newest sign-in message to `to` among those after the first `after` received. */
  codeSentTo(to: string, after: number): Promise<string>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** A listening server with an SMTP sink and a delivering outbox, and a Chromium to look at its dashboard. */
export async function startDashboardBrowser(
  options: {
    env?: Record<string, string>;
    server?: Omit<TestServerOptions, 'env'>;
    /** How the SMTP sink answers (refusing some recipients, say); it accepts everything by default. */
    smtp?: SmtpSinkOptions;
  } = {},
): Promise<DashboardBrowser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const smtp = await startSmtpSink(options.smtp);
  const server = await startTestServer('sqlite', {
    ...options.server,
    env: { LATCHKEY_PUBLIC_URL: base, LATCHKEY_SMTP_URL: smtp.url, ...options.env },
  });
  await server.app.listen({ port, host: '127.0.0.1' });
  const stopDelivery = startDelivery(server.ctx, { pollMs: 100 });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });

  async function openPage(pageOptions: PageOptions = {}): Promise<OpenedPage> {
    const context = await browser.newContext({
      viewport: { width: pageOptions.width ?? 1280, height: 800 },
      colorScheme: pageOptions.colorScheme ?? 'light',
      timezoneId: 'Europe/Berlin',
      locale: 'en-GB',
    });
    const page = await context.newPage();
    // Shorter than a test's own limit, so a step that never happens fails with its locator named.
    page.setDefaultTimeout(10_000);
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
    });
    page.on('request', (request) => {
      if (!request.url().startsWith(base)) problems.push(`request off the machine: ${request.url()}`);
    });
    return { page, problems, close: () => context.close() };
  }

  async function codeSentTo(to: string, after: number): Promise<string> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const mail = smtp.messages
        .slice(after)
        .reverse()
        .find((m) => m.to.includes(to));
      if (mail) return parseMessage(to, mail.text).code;
      if (Date.now() > deadline) throw new Error(`no sign-in message to ${to} within 20 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function signIn(page: Page, role: OperatorRole = 'owner'): Promise<string> {
    const email = `${role}-${uniqueEmail()}`;
    await createOperator(server.ctx, { email, role, invitedBy: 'test' });
    const before = smtp.messages.length;
    await page.goto(`${base}/dashboard/`);
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Send me a sign-in code' }).click();
    await page.getByLabel('Code').fill(await codeSentTo(email, before));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    return email;
  }

  return {
    server,
    smtp,
    browser,
    base,
    openPage,
    signIn,
    codeSentTo,
    async close() {
      await browser.close();
      await stopDelivery();
      await server.close();
      await smtp.close();
    },
  };
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** axe's serious and critical findings on the page as it is now, as readable lines. */
export async function axeProblems(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern (an injected <script> would be).
  await page.evaluate(AXE_SOURCE);
  // Expressions as text: this file is type-checked for Node, without the DOM's names.
  const violations = (await page.evaluate('axe.run().then((result) => result.violations)')) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * axe on the page in light and then in dark (switched with the header's theme menu, the way an operator does),
 * back to following the system after; the findings of both, each line saying which theme.
 */
export async function axeBothThemes(page: Page): Promise<string[]> {
  const theme = page.getByLabel('Theme').last();
  const found: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await theme.selectOption(scheme);
    found.push(...(await axeProblems(page)).map((line) => `${scheme}: ${line}`));
  }
  await theme.selectOption('system');
  return found;
}

/** Whether the page scrolls sideways: at 360 px nothing should. */
export function overflowsSideways(page: Page): Promise<boolean> {
  return page.evaluate('document.documentElement.scrollWidth > window.innerWidth') as Promise<boolean>;
}

/** A screenshot named `{screen}-{width}-{theme}` or the like; the whole page unless a dialog covers the viewport. */
export async function shoot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage });
}

/**
 * Opens a screen from the navigation, as a person does (through the Menu button below 640 px), and waits for its
 * heading.
 */
export async function goToScreen(page: Page, name: string): Promise<void> {
  const menu = page.getByRole('button', { name: 'Menu' });
  if (await menu.isVisible()) await menu.click();
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { name, level: 1, exact: true }).waitFor();
}
