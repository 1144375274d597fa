/**
 * The pages people reach from a link or the hosted sign-in (`/l/{token}`, `/login…`, `/login/{token}`,
 * `/apps/{app_id}/login/{token}`) answer every failure with a page that carries the stable code in the
 * `Latchkey-Error-Code` header: link problems, rate limits, requests the route's schema refuses before any handler
 * runs, and a database outage. A client that does not ask for HTML gets the JSON error of the API, with the same
 * header.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, isErrorCode } from '../errors/error-codes.js';
import { signToken } from '../signed-links/signed-token.js';
import { TEST_POSTGRES_URL } from '../test-support/databases.js';
import { newBrowser, remember } from '../test-support/login-flow.js';
import { startTcpProxy, type TcpProxy } from '../test-support/tcp-proxy.js';
import {
  createTestLink,
  redeemHostedForCode,
  startTestServer,
  type TestServer,
} from '../test-support/test-server.js';

/** What Chromium sends on a navigation or a form post. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8';
const FORM = 'application/x-www-form-urlencoded';
const UNKNOWN_APP = 'app_01jzzzzzzzzzzzzzzzzzzzzzzz';
const MADE_UP = 'Q'.repeat(43);

type Method = 'GET' | 'HEAD' | 'POST';

function visit(
  server: TestServer,
  method: Method,
  url: string,
  options: { accept?: string | null; form?: string; headers?: Record<string, string>; ip?: string } = {},
): Promise<LightMyRequestResponse> {
  const accept = options.accept === undefined ? BROWSER_ACCEPT : options.accept;
  return server.app.inject({
    method,
    url,
    ...(options.ip ? { remoteAddress: options.ip } : {}),
    headers: {
      ...(accept === null ? {} : { accept }),
      ...(options.form === undefined ? {} : { 'content-type': FORM }),
      ...options.headers,
    },
    ...(options.form === undefined ? {} : { payload: options.form }),
  });
}

/** An error page: its status, HTML with the page headers, and the code in `Latchkey-Error-Code`. */
function expectErrorPage(res: LightMyRequestResponse, status: number, code: string): void {
  const what = `${res.statusCode} ${res.headers['latchkey-error-code']} ${res.body.slice(0, 300)}`;
  expect(res.statusCode, what).toBe(status);
  expect(res.headers['latchkey-error-code'], what).toBe(code);
  expect(isErrorCode(code), `${code} is not in the registry`).toBe(true);
  if (isErrorCode(code)) expect(errorCodes[code].status, code).toBe(status);
  expect(res.headers['content-type'], what).toMatch(/^text\/html/);
  expect(String(res.headers['content-security-policy'])).toMatch(/default-src 'none'/);
  expect(res.headers['cache-control']).toMatch(/no-store/);
  if (res.raw.req.method === 'HEAD') expect(res.body).toBe('');
  else expect(res.body).toMatch(/^<!doctype html>/);
}

/** The JSON error of the API, with the same header. */
function expectJsonError(res: LightMyRequestResponse, status: number, code: string): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.headers['latchkey-error-code']).toBe(code);
  expect(res.json().error.code).toBe(code);
}

describe('error pages of the hosted routes', () => {
  let server: TestServer;
  let signingKey: { kid: string; secret: string };

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    signingKey = (await server.api('POST', '/v1/signing-keys', { label: 'pages' })).json();
  });
  afterAll(async () => server?.close());

  const jwt = (claims: Record<string, unknown>) =>
    signToken(
      { sub: 'cus_pages', iss: 'billing', exp: Math.floor(Date.now() / 1000) + 600, ...claims },
      signingKey.secret,
      signingKey.kid,
    );

  describe('/l/{token}', () => {
    it.each<Method>(['GET', 'HEAD', 'POST'])('%s of an unknown token: 404 link_invalid', async (method) => {
      expectErrorPage(await visit(server, method, `/l/${MADE_UP}`), 404, 'link_invalid');
    });

    it.each<Method>(['GET', 'HEAD', 'POST'])('%s of a revoked link: 410 link_revoked', async (method) => {
      const link = await createTestLink(server);
      expect((await server.api('POST', `/v1/magic-links/${link.id}/revoke`)).statusCode).toBe(200);
      expectErrorPage(await visit(server, method, link.path), 410, 'link_revoked');
    });

    it.each<Method>(['GET', 'HEAD', 'POST'])('%s of a used link: 410 link_used', async (method) => {
      const link = await createTestLink(server);
      await redeemHostedForCode(server, link.token);
      expectErrorPage(await visit(server, method, link.path), 410, 'link_used');
    });

    it.each<Method>(['GET', 'HEAD', 'POST'])(
      '%s of a token longer than the route takes: 400 validation_failed, as a page',
      async (method) => {
        expectErrorPage(await visit(server, method, `/l/${'x'.repeat(600)}`), 400, 'validation_failed');
      },
    );

    it('answers a client that does not ask for HTML with the JSON error and the same header', async () => {
      expectJsonError(
        await visit(server, 'GET', `/l/${'x'.repeat(600)}`, { accept: null }),
        400,
        'validation_failed',
      );
      expectJsonError(
        await visit(server, 'GET', `/l/${'x'.repeat(600)}`, { accept: 'application/json' }),
        400,
        'validation_failed',
      );
    });

    it('answers a body the page does not read with a page', async () => {
      const link = await createTestLink(server);
      const res = await server.app.inject({
        method: 'POST',
        url: link.path,
        headers: { accept: BROWSER_ACCEPT, 'content-type': 'application/xml' },
        payload: '<continue/>',
      });
      expectErrorPage(res, 415, 'unsupported_media_type');
    });

    it('answers the rate limit with a page, Retry-After and the code', async () => {
      const ip = '198.51.100.77';
      await limitPublicRequests(server, 1);
      try {
        expectErrorPage(await visit(server, 'POST', `/l/${MADE_UP}`, { ip }), 404, 'link_invalid');
        const refused = await visit(server, 'POST', `/l/${MADE_UP}`, { ip });
        expectErrorPage(refused, 429, 'rate_limited');
        expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      } finally {
        await limitPublicRequests(server, 0);
      }
    });
  });

  describe('/login and its steps', () => {
    it('an unknown app: 404 not_found', async () => {
      expectErrorPage(await visit(server, 'GET', `/login?app=${UNKNOWN_APP}`), 404, 'not_found');
      expectErrorPage(await visit(server, 'GET', `/login/check?app=${UNKNOWN_APP}`), 404, 'not_found');
    });

    it('a query the route refuses: 400 validation_failed, as a page', async () => {
      expectErrorPage(await visit(server, 'GET', `/login?app=${'a'.repeat(100)}`), 400, 'validation_failed');
      expectErrorPage(await visit(server, 'GET', '/login?channel=pigeon'), 400, 'validation_failed');
    });

    it('a form the route refuses: 400 validation_failed, as a page', async () => {
      expectErrorPage(
        await visit(server, 'POST', '/login', { form: 'email=a%40b.c' }),
        400,
        'validation_failed',
      );
      expectErrorPage(
        await visit(server, 'POST', '/login/code', { form: 'code=1' }),
        400,
        'validation_failed',
      );
    });

    it('a form from another site: 403 forbidden, as a page', async () => {
      const res = await visit(server, 'POST', '/login', {
        form: `app=${server.appId}&email=x%40example.com`,
        headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      });
      expectErrorPage(res, 403, 'forbidden');
    });

    it('an identifier that is not an email: 400 invalid_email on the form', async () => {
      const res = await visit(server, 'POST', '/login', { form: `app=${server.appId}&email=not-an-email` });
      expectErrorPage(res, 400, 'invalid_email');
      expect(res.body).toContain('<form');
    });

    it('a second message too soon: 429 rate_limited on the form, and a wrong code: 400 code_invalid', async () => {
      const browser = newBrowser();
      const form = `app=${server.appId}&email=pages%40example.com`;
      const first = await visit(server, 'POST', '/login', { form });
      expect(first.statusCode, first.body).toBe(303);
      remember(browser, first);
      const again = await visit(server, 'POST', '/login', { form });
      expectErrorPage(again, 429, 'rate_limited');
      expect(Number(again.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      const wrong = await visit(server, 'POST', '/login/code', {
        form: `app=${server.appId}&code=ZZZZ-ZZZZ`,
        headers: { cookie: `lk_browser=${browser.cookie}` },
      });
      expectErrorPage(wrong, 400, 'code_invalid');
    });

    it.each<Method>(['GET', 'HEAD', 'POST'])(
      '%s /login/link of an unknown token: 404 link_invalid',
      async (method) => {
        expectErrorPage(await visit(server, method, `/login/link/${MADE_UP}`), 404, 'link_invalid');
      },
    );

    it.each<Method>(['GET', 'HEAD', 'POST'])(
      '%s /login/link of a token longer than the route takes: 400 validation_failed, as a page',
      async (method) => {
        expectErrorPage(
          await visit(server, method, `/login/link/${'x'.repeat(600)}`),
          400,
          'validation_failed',
        );
      },
    );
  });

  describe('/login/{token} and /apps/{app_id}/login/{token}', () => {
    it.each<Method>(['GET', 'HEAD', 'POST'])(
      '%s of a malformed token: 400 token_malformed',
      async (method) => {
        expectErrorPage(await visit(server, method, '/login/not-a-token'), 400, 'token_malformed');
      },
    );

    it.each<Method>(['GET', 'HEAD', 'POST'])('%s of an expired token: 410 token_expired', async (method) => {
      const token = jwt({
        exp: Math.floor(Date.now() / 1000) - 60,
        iat: Math.floor(Date.now() / 1000) - 120,
      });
      expectErrorPage(await visit(server, method, `/login/${token}`), 410, 'token_expired');
    });

    it.each<Method>(['GET', 'HEAD', 'POST'])(
      '%s with an app id the route refuses: 400 validation_failed, as a page',
      async (method) => {
        expectErrorPage(
          await visit(server, method, `/apps/not-an-app/login/${jwt({})}`),
          400,
          'validation_failed',
        );
      },
    );

    it('a redirect_to the route refuses: 400 validation_failed, as a page', async () => {
      expectErrorPage(
        await visit(server, 'GET', `/login/${jwt({})}?redirect_to=${'x'.repeat(300)}`),
        400,
        'validation_failed',
      );
    });
  });
});

describe('error pages of the hosted routes while the database is down', () => {
  let proxy: TcpProxy;
  let server: TestServer;
  let linkPath: string;
  let signed: string;

  beforeAll(async () => {
    const postgres = new URL(TEST_POSTGRES_URL);
    proxy = await startTcpProxy(postgres.hostname, Number(postgres.port || 5432));
    server = await startTestServer('postgres', {
      databaseUrl: (url) => {
        const routed = new URL(proxy.route(url));
        routed.searchParams.set('connect_timeout', '2');
        return routed.toString();
      },
    });
    linkPath = (await createTestLink(server)).path;
    const key = (await server.api('POST', '/v1/signing-keys', { label: 'outage' })).json();
    signed = signToken(
      { sub: 'cus_outage', iss: 'billing', exp: Math.floor(Date.now() / 1000) + 600 },
      key.secret,
      key.kid,
    );
    await proxy.refuse();
    proxy.dropConnections();
  });
  afterAll(async () => {
    await proxy?.listen('forward');
    await server?.close();
    await proxy?.close();
  });

  const pages: Array<[Method, string, () => string]> = [
    ['GET', 'a magic link', () => linkPath],
    ['HEAD', 'a magic link', () => linkPath],
    ['POST', 'a magic link', () => linkPath],
    ['GET', 'a signed link', () => `/login/${signed}`],
    ['POST', 'a signed link', () => `/login/${signed}`],
    ['GET', 'the login page', () => `/login?app=${server.appId}`],
    ['GET', 'a sign-in link', () => `/login/link/${MADE_UP}`],
    ['POST', 'a sign-in link', () => `/login/link/${MADE_UP}`],
  ];

  it.each(pages)(
    '%s %s: 503 storage_unavailable as a page, with Retry-After',
    async (method, _what, path) => {
      const res = await visit(server, method, path());
      expectErrorPage(res, 503, 'storage_unavailable');
      expect(res.headers['retry-after']).toBe('5');
    },
  );

  it('answers a client that does not ask for HTML with the JSON error and the same header', async () => {
    const res = await visit(server, 'POST', linkPath, { accept: null });
    expectJsonError(res, 503, 'storage_unavailable');
    expect(res.headers['retry-after']).toBe('5');
  });
});

async function limitPublicRequests(server: TestServer, limit: number): Promise<void> {
  const res = await server.api('PATCH', `/v1/apps/${server.appId}`, {
    rate_limits: { public_requests_per_ip: { limit, window_seconds: 60 } },
  });
  expect(res.statusCode, res.body).toBe(200);
}
