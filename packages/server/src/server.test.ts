/**
 * The route inventory: every route the server registers is either in an authenticated scope (API key or admin) or on
 * the explicit public list below. A route added outside a scope fails here before it can ship unprotected; a route
 * in a scope is called without a key, with a body that would fail validation, and must answer 401 first.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from './server.js';
import { createOtherApp, startTestServer, type TestServer } from './test-support/test-server.js';

/** Routes anyone may call, by method and path; HEAD twins of GET routes are implied. */
const PUBLIC_ROUTES = new Set([
  // Operations and the API reference.
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
  'GET /openapi.json',
  'GET /docs',
  'GET /docs/static/index.html',
  'GET /docs/static/swagger-initializer.js',
  'GET /docs/json',
  'GET /docs/yaml',
  'GET /docs/static/*',
  'GET /docs/static/theme/favicon.svg',
  // Public keys of session tokens.
  'GET /.well-known/jwks.json',
  'GET /v1/apps/:app_id/.well-known/jwks.json',
  // A new installation's signed-in page (it exchanges codes only for apps that send their sign-ins there).
  'GET /welcome/:app_id',
  // A link's pages: the token is the credential.
  'GET /l/:token',
  'HEAD /l/:token',
  'POST /l/:token',
  'GET /login/:token',
  'HEAD /login/:token',
  'POST /login/:token',
  'GET /apps/:app_id/login/:token',
  'HEAD /apps/:app_id/login/:token',
  'POST /apps/:app_id/login/:token',
  // Passage's activate call: the link is the proof, as it was on Passage.
  'PATCH /v1/apps/:app_id/magic-link/activate',
  // The hosted sign-in page and its API.
  'GET /login',
  'POST /login',
  'GET /login/check',
  'POST /login/code',
  'POST /login/finish',
  'GET /login/link/:token',
  'HEAD /login/link/:token',
  'POST /login/link/:token',
  'POST /v1/public/login/start',
  'POST /v1/public/login/verify-code',
  'GET /v1/public/login/status',
  'POST /v1/public/login/complete',
  // Signing in to the dashboard: the same flow as the hosted login page, for operators only.
  'POST /dashboard/api/auth/start',
  'POST /dashboard/api/auth/verify',
  'GET /dashboard/auth/callback',
  'GET /dashboard/auth/link/:token',
  'POST /dashboard/auth/link/:token',
  // The dashboard's files (its page and its hashed assets); what it does goes through /dashboard/api.
  'GET /dashboard',
  'GET /dashboard/*',
  'GET /dashboard/assets/*',
  // An empty page under its own CSP that the Templates editor previews an email's HTML in.
  'GET /dashboard/preview-frame',
]);

const AUTHENTICATED = new Set(['api_key', 'admin', 'operator']);

interface Route {
  method: string;
  url: string;
  access: string | undefined;
}

function methodsOf(route: RouteOptions): string[] {
  return Array.isArray(route.method) ? route.method : [route.method];
}

/** A path a request can be sent to: parameters filled with values of the right shape. */
function concretePath(url: string): string {
  return url
    .replace(':app_id', 'app_00000000000000000000000000')
    .replace(/:[a-z_]+/g, (name) => `${name.slice(1).replace(/_id$/, '')}_00000000000000000000000000`)
    .replace('*', 'x');
}

describe('the route inventory', () => {
  let server: TestServer;
  let app: FastifyInstance;
  const seen: RouteOptions[] = [];
  let routes: Route[] = [];

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    app = await buildServer(server.ctx, { onRoute: (route) => seen.push(route) });
    await app.ready();
    // Read once every hook has run: the scope a route is in tags its options after the root hook saw them.
    routes = seen.flatMap((route) =>
      methodsOf(route).map((method) => ({ method, url: route.url, access: route.config?.access })),
    );
  });
  afterAll(async () => {
    await app.close();
    await server.close();
  });

  it('finds the routes', () => {
    expect(routes.length).toBeGreaterThan(70);
  });

  it('has every route in an authenticated scope or on the public list', () => {
    const open = routes.filter((route) => {
      if (AUTHENTICATED.has(route.access ?? '')) return false;
      const name = `${route.method} ${route.url}`;
      const getTwin = route.method === 'HEAD' && PUBLIC_ROUTES.has(`GET ${route.url}`);
      return !(route.access === 'public' && (PUBLIC_ROUTES.has(name) || getTwin));
    });
    expect(open.map((route) => `${route.method} ${route.url} (${route.access ?? 'no scope'})`)).toEqual([]);
  });

  it('lists no public route that the server does not have', () => {
    const registered = new Set(routes.map((route) => `${route.method} ${route.url}`));
    expect([...PUBLIC_ROUTES].filter((name) => !registered.has(name))).toEqual([]);
  });

  it('answers 401 to every authenticated route called without a key, before reading a malformed body', async () => {
    const failures: string[] = [];
    for (const route of routes.filter((r) => AUTHENTICATED.has(r.access ?? ''))) {
      const res = await app.inject({
        method: route.method as 'GET',
        url: concretePath(route.url),
        ...(['GET', 'HEAD', 'DELETE'].includes(route.method)
          ? {}
          : {
              headers: { 'content-type': 'application/json' },
              payload: '{"not": ["what", "any", "route", "takes"',
            }),
      });
      const code =
        route.method === 'HEAD' ? undefined : (res.json() as { error?: { code?: string } }).error?.code;
      if (res.statusCode !== 401 || (route.method !== 'HEAD' && code !== 'unauthorized')) {
        failures.push(`${route.method} ${route.url}: ${res.statusCode} ${code}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it.each([
    '/v1/magic-links',
    '/v1/users',
    '/v1/sessions/exchange',
    '/v1/sessions/refresh',
    '/v1/magic-links/redeem',
    '/v1/webhook-endpoints',
    '/v1/apps',
    '/v1/templates/preview',
  ])('answers POST %s without a key with 401, not with the name of a missing field', async (url) => {
    const res = await app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toMatchObject({ code: 'unauthorized' });
    expect(res.json().error.param).toBeUndefined();
  });

  it('answers 401 to a wrong key whatever else is wrong with the request', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/magic-links',
      headers: {
        authorization: 'Bearer lk_sk_notarealkeynotarealkeynotarealkey',
        'content-type': 'application/json',
      },
      payload: { ttl: 'soon', bogus: true },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('unauthorized');
  });

  it('answers 403 to an app key on every admin route', async () => {
    const failures: string[] = [];
    for (const route of routes.filter((r) => r.access === 'admin' && r.method !== 'HEAD')) {
      const res = await app.inject({
        method: route.method as 'GET',
        url: concretePath(route.url),
        headers: { authorization: `Bearer ${server.apiKey}` },
      });
      if (res.statusCode !== 403) failures.push(`${route.method} ${route.url}: ${res.statusCode}`);
    }
    expect(failures).toEqual([]);
  });

  it("answers 403 to an app key that names another app's id in the path", async () => {
    const other = await createOtherApp(server);
    const res = await app.inject({
      method: 'GET',
      url: `/v1/apps/${other.appId}`,
      headers: { authorization: `Bearer ${server.apiKey}` },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('forbidden');
  });

  it('counts requests of every scope in the metrics, by route pattern', async () => {
    await app.inject({
      method: 'GET',
      url: '/v1/users',
      headers: { authorization: `Bearer ${server.apiKey}` },
    });
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(
      /latchkey_http_requests_total\{method="GET",route="\/v1\/users",status="200"\} 1/,
    );
  });
});
