/**
 * Every route of the dashboard's API, called as nobody and as each role: nobody gets 401 on every one, and each
 * role gets exactly what dashboard/roles.ts grants it — a route it may not call answers 403 `forbidden`, one it may
 * call answers anything but 401 and 403 (a made-up id is a 404, an empty body a 400: the route ran its own checks).
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../server.js';
import type { OperatorRole } from '../storage/schema.js';
import { ORIGIN, type SignedInOperator, signInOperator } from '../test-support/dashboard.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { mayDo, ruleFor } from './roles.js';

const ROLES: OperatorRole[] = ['viewer', 'operator', 'admin', 'owner'];

function concretePath(url: string): string {
  return url.replace(/:([a-z_]+)/g, (_, name: string) => {
    if (name === 'kid') return 'sk_00000000000000000000000000';
    if (name === 'type') return 'login';
    if (name === 'language') return 'en';
    return `${name.replace(/_id$/, '')}_00000000000000000000000000`;
  });
}

describe('the dashboard API, route by route, as each role and as nobody', () => {
  let server: TestServer;
  let app: FastifyInstance;
  const seen: RouteOptions[] = [];
  let routes: Array<{ method: string; url: string }> = [];
  const operators = new Map<OperatorRole, SignedInOperator>();

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    app = await buildServer(server.ctx, { onRoute: (route) => seen.push(route) });
    await app.ready();
    routes = seen
      .filter((route) => route.config?.access === 'operator')
      .flatMap((route) =>
        (Array.isArray(route.method) ? route.method : [route.method]).map((method) => ({
          method,
          url: route.url,
        })),
      )
      // Signing out would end the session the walk goes on with, and the live tail of events never ends by itself
      // (inject waits for the end): each has a test of its own.
      .filter(
        (route) =>
          route.method !== 'HEAD' &&
          route.url !== '/dashboard/api/auth/sign-out' &&
          route.url !== '/dashboard/api/v1/events/stream',
      );
    for (const role of ROLES) operators.set(role, await signInOperator(server, role));
  });
  afterAll(async () => {
    await app.close();
    await server.close();
  });

  it('finds the API routes and the dashboard’s own under /dashboard/api', () => {
    const urls = routes.map((route) => route.url);
    expect(urls).toContain('/dashboard/api/v1/magic-links');
    expect(urls).toContain('/dashboard/api/v1/apps');
    expect(urls).toContain('/dashboard/api/operators');
    expect(routes.length).toBeGreaterThan(50);
  });

  it('answers nobody 401 on every route', async () => {
    const failures: string[] = [];
    for (const route of routes) {
      const res = await app.inject({
        method: route.method as 'GET',
        url: concretePath(route.url),
        headers: { origin: ORIGIN, 'latchkey-app': server.appId, 'content-type': 'application/json' },
        ...(route.method === 'GET' ? {} : { payload: '{}' }),
      });
      if (res.statusCode !== 401) failures.push(`${route.method} ${route.url}: ${res.statusCode}`);
    }
    expect(failures).toEqual([]);
  });

  it.each(ROLES)('gives the %s role exactly what it grants', async (role) => {
    const operator = operators.get(role)!;
    const failures: string[] = [];
    for (const route of routes) {
      const rule = ruleFor(route.method, route.url);
      const allowed = rule.permission !== 'never' && mayDo(role, rule.permission);
      const res = await app.inject({
        method: route.method as 'GET',
        url: concretePath(route.url),
        headers: {
          cookie: operator.cookie,
          origin: ORIGIN,
          'x-csrf-token': operator.csrf,
          'latchkey-app': server.appId,
          'content-type': 'application/json',
        },
        ...(route.method === 'GET' ? {} : { payload: '{}' }),
      });
      const code =
        res.statusCode === 403 ? (res.json() as { error: { code: string } }).error.code : undefined;
      const refused = res.statusCode === 401 || code === 'forbidden';
      if (allowed === refused) {
        failures.push(
          `${route.method} ${route.url}: ${res.statusCode} ${code ?? ''} (${allowed ? 'allowed' : 'refused'} by the rules)`,
        );
      }
    }
    expect(failures).toEqual([]);
  });

  it('lets operators run and revoke campaigns, with a fresh code for a bulk run (a dry run too), and everyone read them', () => {
    const rule = (method: string, route: string) => ruleFor(method, `/dashboard/api${route}`);
    expect(rule('POST', '/v1/magic-links/bulk')).toEqual({
      permission: 'operate',
      reauth: true,
      audited: true,
    });
    expect(rule('POST', '/v1/campaigns/:campaign_id/revoke')).toEqual({
      permission: 'operate',
      reauth: false,
      audited: true,
    });
    for (const route of [
      '/v1/campaigns',
      '/v1/campaigns/:campaign_id',
      '/v1/campaigns/:campaign_id/links.csv',
    ]) {
      expect(rule('GET', route)).toEqual({ permission: 'read', reauth: false, audited: false });
    }
  });

  it('leaves a dry run out of the audit only in its plain form, so no real run can pass for one', () => {
    const bulk = (query: string) => ruleFor('POST', '/dashboard/api/v1/magic-links/bulk', query);
    expect(bulk('dry_run=true')).toEqual({ permission: 'operate', reauth: true, audited: false });
    expect(bulk('campaign=Spring&dry_run=true').audited).toBe(false);
    for (const query of ['', 'dry_run=false', 'dry_run=1', 'dry_run=true&dry_run=false', 'dry_run=TRUE']) {
      expect(bulk(query), query).toEqual({ permission: 'operate', reauth: true, audited: true });
    }
    // Only bulk has dry runs.
    expect(ruleFor('POST', '/dashboard/api/v1/magic-links', 'dry_run=true').audited).toBe(true);
  });

  it('lets whoever reads use the read-only POSTs and the live tail, and admins send tests', () => {
    for (const [method, url] of [
      ['GET', '/dashboard/api/v1/events/stream'],
      ['POST', '/dashboard/api/v1/redirect-check'],
      ['POST', '/dashboard/api/v1/apps/:app_id/redirect-check'],
      ['POST', '/dashboard/api/v1/qr'],
      ['POST', '/dashboard/api/v1/templates/preview'],
    ] as const) {
      expect(ruleFor(method, url), url).toEqual({ permission: 'read', reauth: false, audited: false });
    }
    for (const url of [
      '/dashboard/api/v1/templates/:type/:language/test',
      '/dashboard/api/v1/webhook-endpoints/:id/test',
      // The doctor's checks of the transports: they log in to the mail server, so they are an admin's to run.
      '/dashboard/api/v1/delivery/test',
    ]) {
      expect(ruleFor('POST', url), url).toEqual({ permission: 'configure', reauth: false, audited: true });
    }
  });

  it('keeps keys the owner’s: naming an API key is audited, and only a new key or a rotation asks for a code', () => {
    const rule = (method: string, route: string) => ruleFor(method, `/dashboard/api${route}`);
    expect(rule('PATCH', '/v1/api-keys/:key_id')).toEqual({
      permission: 'own',
      reauth: false,
      audited: true,
    });
    expect(rule('POST', '/v1/api-keys')).toEqual({ permission: 'own', reauth: true, audited: true });
    expect(rule('DELETE', '/v1/api-keys/:key_id')).toEqual({
      permission: 'own',
      reauth: true,
      audited: true,
    });
    expect(rule('POST', '/v1/signing-keys')).toEqual({ permission: 'own', reauth: true, audited: true });
    expect(rule('POST', '/v1/session-keys/rotate')).toEqual({
      permission: 'own',
      reauth: true,
      audited: true,
    });
    for (const route of ['/v1/api-keys', '/v1/signing-keys', '/v1/session-keys'])
      expect(rule('GET', route)).toEqual({ permission: 'read', reauth: false, audited: false });
  });

  it('never lets the dashboard spend a link or a code meant for a backend', () => {
    for (const [method, url] of [
      ['POST', '/dashboard/api/v1/magic-links/redeem'],
      ['POST', '/dashboard/api/v1/sessions/exchange'],
      ['POST', '/dashboard/api/v1/sessions/refresh'],
    ] as const) {
      expect(ruleFor(method, url).permission).toBe('never');
    }
  });
});
