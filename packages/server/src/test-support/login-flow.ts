/**
 * Helpers for tests of the hosted sign-in: start a flow as a given browser, read the message it sent, exchange the
 * resulting `lk_code`. A "browser" is just its `lk_browser` cookie here.
 */

import type { LightMyRequestResponse } from 'fastify';
import { OutboxWorker } from '../delivery/outbox-worker.js';
import { deliveryChannels } from '../runtime.js';
import type { TestServer } from './test-server.js';

export const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

export interface Browser {
  cookie: string | undefined;
  userAgent: string;
}

export function newBrowser(userAgent = FIREFOX_LINUX): Browser {
  return { cookie: undefined, userAgent };
}

export function headersOf(browser: Browser): Record<string, string> {
  return {
    'user-agent': browser.userAgent,
    ...(browser.cookie === undefined ? {} : { cookie: `lk_browser=${browser.cookie}` }),
  };
}

/** Keeps the browser's cookie up to date from a response, as a browser would. */
export function remember(browser: Browser, res: LightMyRequestResponse): void {
  const header = res.headers['set-cookie'];
  const value = (Array.isArray(header) ? header : header ? [header] : [])
    .map((line) => /^lk_browser=([^;]*)/.exec(line)?.[1])
    .find((v) => v !== undefined);
  if (value !== undefined) browser.cookie = value;
}

export async function startFlow(
  server: TestServer,
  browser: Browser,
  body: Record<string, unknown>,
  appId = server.appId,
): Promise<LightMyRequestResponse> {
  const res = await server.app.inject({
    method: 'POST',
    url: '/v1/public/login/start',
    headers: { ...headersOf(browser), 'content-type': 'application/json' },
    payload: JSON.stringify({ app_id: appId, ...body }),
  });
  remember(browser, res);
  return res;
}

export interface SentMessage {
  to: string;
  text: string;
  /** The link's path on the server (`/login/link/…`). */
  path: string;
  token: string;
  code: string;
}

/** Drains the outbox and returns the newest message sent to `to`. */
export async function deliveredTo(server: TestServer, to: string): Promise<SentMessage> {
  const worker = new OutboxWorker(server.ctx, deliveryChannels(server.ctx));
  while ((await worker.runOnce()) > 0) {}
  const message = server.ctx.delivery.devOutbox.list().find((m) => m.to === to);
  if (!message) throw new Error(`no message to ${to}`);
  return parseMessage(message.to, message.text);
}

export function parseMessage(to: string, text: string): SentMessage {
  const url = /https?:\/\/\S+\/login\/link\/[A-Za-z0-9_-]{43}/.exec(text)?.[0];
  const code = /\b([2-9A-Z]{4}-[2-9A-Z]{4})\b/.exec(text)?.[1];
  if (!url || !code) throw new Error(`no link or code in: ${text}`);
  const path = new URL(url).pathname;
  return { to, text, path, token: path.split('/').pop()!, code };
}

export async function exchangeFor(server: TestServer, location: string, codeVerifier?: string) {
  const code = new URL(location).searchParams.get('lk_code');
  if (!code) throw new Error(`no lk_code in ${location}`);
  return server.api('POST', '/v1/sessions/exchange', {
    code,
    ...(codeVerifier === undefined ? {} : { code_verifier: codeVerifier }),
  });
}

/** The `amr` claim of a session JWT (read without verifying; the tests only look at what was issued). */
export function amrOf(jwt: string): string[] {
  const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
  return payload.amr as string[];
}
