/**
 * Helpers for tests of the dashboard: make an operator, sign them in through the real flow (the message is read
 * from the development outbox), and call the dashboard's API as their browser would (cookie, Origin, CSRF token).
 */
import { randomBytes } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { createOperator } from '../dashboard/operator-service.js';
import type { OperatorRole } from '../storage/schema.js';
import { deliveredTo, headersOf, newBrowser, remember } from './login-flow.js';
import type { TestServer } from './test-server.js';

export const ORIGIN = 'https://auth.example.com';

export interface SignedInOperator {
  id: string;
  email: string;
  role: OperatorRole;
  /** The `cookie` header the browser sends: its dashboard session and its `lk_browser`. */
  cookie: string;
  csrf: string;
}

export function operatorEmail(): string {
  return `op-${randomBytes(5).toString('hex')}@example.com`;
}

/** The dashboard session cookie a response set (name=value), if any. */
export function sessionCookieOf(res: LightMyRequestResponse): string | undefined {
  const header = res.headers['set-cookie'];
  const lines = Array.isArray(header) ? header : header ? [header] : [];
  return lines
    .map((line) => /^((?:__Host-)?lk_dashboard=[^;]+)/.exec(line)?.[1])
    .find((v) => v !== undefined);
}

/** Makes an operator with `role` and signs them in with the code of their message. */
export async function signInOperator(
  server: TestServer,
  role: OperatorRole = 'owner',
): Promise<SignedInOperator> {
  const operator = await createOperator(server.ctx, { email: operatorEmail(), role, invitedBy: 'test' });
  const browser = newBrowser();
  const started = await server.app.inject({
    method: 'POST',
    url: '/dashboard/api/auth/start',
    headers: { ...headersOf(browser), 'content-type': 'application/json' },
    payload: { email: operator.email },
  });
  if (started.statusCode !== 202)
    throw new Error(`sign-in start failed: ${started.statusCode} ${started.body}`);
  remember(browser, started);
  const message = await deliveredTo(server, operator.email);
  const verified = await server.app.inject({
    method: 'POST',
    url: '/dashboard/api/auth/verify',
    headers: { ...headersOf(browser), 'content-type': 'application/json' },
    payload: { email: operator.email, code: message.code },
  });
  const session = sessionCookieOf(verified);
  if (verified.statusCode !== 200 || !session)
    throw new Error(`sign-in failed: ${verified.statusCode} ${verified.body}`);
  const cookie = `${session}; lk_browser=${browser.cookie}`;
  const read = await server.app.inject({ method: 'GET', url: '/dashboard/api/session', headers: { cookie } });
  return { id: operator.id, email: operator.email, role, cookie, csrf: read.json().csrf_token };
}

/** A call of the dashboard's API as the operator's browser makes it, on `appId` (the default app by default). */
export function asOperator(
  server: TestServer,
  operator: SignedInOperator,
  method: InjectOptions['method'],
  url: string,
  body?: unknown,
  appId: string | null = server.appId,
): Promise<LightMyRequestResponse> {
  return server.app.inject({
    method,
    url,
    headers: {
      cookie: operator.cookie,
      origin: ORIGIN,
      'x-csrf-token': operator.csrf,
      ...(appId === null ? {} : { 'latchkey-app': appId }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}
