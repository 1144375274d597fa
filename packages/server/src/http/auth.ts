/**
 * Authentication as a property of where a route is registered, not a call each handler must remember. Routes that
 * take an API key live in an encapsulated scope whose `onRequest` hook authenticates (and rate-limits) before the
 * body is read or validated; admin-only routes live in their own scope; everything else is public and listed as
 * such (server.test.ts walks the route table and fails on a route that is in no scope and on no list).
 *
 * How a key is checked and how a request is counted are injected: this module knows neither the store nor the
 * rate limiter.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error.js';
import { redactUrl } from './logger.js';
import { withErrorResponses } from './openapi.js';
import type { Routes } from './routes.js';

export interface Principal {
  /** The API key's id, or the operator's (`op_…`) for a dashboard session. */
  keyId: string;
  /** An app key, an admin key, or a person signed in to the dashboard (whose role the dashboard scope checks). */
  kind: 'app' | 'admin' | 'operator';
  /** The app an app key belongs to; null for admin keys and operators. */
  appId: string | null;
}

/** Who is calling, and which app the request acts on (null: an admin key that named none). */
export interface RequestAuth {
  principal: Principal;
  appId: string | null;
  /** For a request of the dashboard: its session, as the dashboard's sign-in code found it. */
  session?: OperatorSession | undefined;
}

export type RouteAccess = 'public' | 'api_key' | 'admin' | 'operator';

declare module 'fastify' {
  interface FastifyRequest {
    auth: RequestAuth | null;
  }
  interface FastifyContextConfig {
    /** Set by the scope a route is registered in. */
    access?: RouteAccess;
  }
}

export interface Authenticator {
  /** The principal of a presented key (already shaped like one), or undefined when it is unknown or revoked. */
  principalOf(key: string): Promise<Principal | undefined>;
  /** Counts a request against the key's limit; throws `rate_limited`. */
  limit(principal: Principal): Promise<void>;
  appExists(appId: string): Promise<boolean>;
}

const KEY_SHAPE = /^lk_(sk|admin)_[A-Za-z0-9_-]{20,100}$/;
const APP_ID_SHAPE = /^app_[0-9a-z]{26}$/;

/** Routes that take an app key, or an admin key naming the app in the path or the `Latchkey-App` header. */
export function apiKeyScope(auth: Authenticator, groups: Routes[]): FastifyPluginAsync {
  return scope('api_key', groups, async (request) => {
    const principal = await authenticate(auth, request);
    request.auth = { principal, appId: await actingAppOf(auth, request, principal) };
  });
}

/** Routes only an admin key may call. */
export function adminScope(auth: Authenticator, groups: Routes[]): FastifyPluginAsync {
  return scope('admin', groups, async (request) => {
    const principal = await authenticate(auth, request);
    if (principal.kind !== 'admin') {
      throw new ApiError('forbidden', 'Only an admin key (printed by `latchkey init`) may call this route.');
    }
    request.auth = { principal, appId: null };
  });
}

/** Public routes, tagged so the route inventory can tell them from routes registered in no scope at all. */
export function publicScope(groups: Routes[]): FastifyPluginAsync {
  return scope('public', groups, undefined);
}

function scope(
  access: RouteAccess,
  groups: Routes[],
  hook: ((request: FastifyRequest) => Promise<void>) | undefined,
): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    app.addHook('onRoute', (route) => {
      route.config = { ...route.config, access };
      route.schema = withErrorResponses(route.schema, {
        method: route.method,
        withKey: access !== 'public',
        namesApp: access === 'api_key',
      });
    });
    if (hook) app.addHook('onRequest', hook);
    for (const routes of groups) await app.register(routes);
  };
}

/** Every failure is the same `unauthorized`, so keys cannot be probed. */
async function authenticate(auth: Authenticator, request: FastifyRequest): Promise<Principal> {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match) throw new ApiError('unauthorized', 'Send your API key as `Authorization: Bearer lk_sk_…`.');
  const key = match[1]!;
  const principal = KEY_SHAPE.test(key) ? await auth.principalOf(key) : undefined;
  if (!principal) {
    throw new ApiError(
      'unauthorized',
      'The API key is unknown or revoked. Create a key with `POST /v1/api-keys` or `latchkey init`.',
    );
  }
  // Admin keys are not limited: they belong to the operator, and an operator locked out of their own installation
  // by a limit they set is worse than the abuse the limit prevents.
  if (principal.kind === 'app') await auth.limit(principal);
  return principal;
}

/**
 * Which app a request acts on. An app key acts on its own app only; an admin key names the app in the path
 * (`/v1/apps/{app_id}/…`) or in the `Latchkey-App` header, or none (routes that act on the installation).
 */
async function actingAppOf(
  auth: Pick<Authenticator, 'appExists'>,
  request: FastifyRequest,
  principal: Principal,
): Promise<string | null> {
  const pathAppId = (request.params as Record<string, string | undefined> | undefined)?.app_id;
  if (principal.kind === 'app') {
    if (pathAppId !== undefined && pathAppId !== principal.appId) {
      throw new ApiError(
        'forbidden',
        'This API key belongs to another app; it cannot read or change this one.',
      );
    }
    return principal.appId;
  }
  // Admin keys and operators name the app.
  const header = request.headers['latchkey-app'];
  const named = pathAppId ?? (typeof header === 'string' ? header : undefined);
  // A path id of the wrong shape is left to the route's schema, which says what is wrong with it.
  if (named === undefined || (pathAppId !== undefined && !APP_ID_SHAPE.test(pathAppId))) return null;
  if (!(await auth.appExists(named))) throw new ApiError('not_found', `No app with id ${named}.`);
  return named;
}

/** The caller of a route registered in an authenticated scope. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.auth) throw new Error('principalOf: the route is not in an authenticated scope');
  return request.auth.principal;
}

/** The app a request acts on; an admin key that named none is told how to. */
export function actingApp(request: FastifyRequest): string {
  const appId = request.auth?.appId;
  if (appId === undefined) throw new Error('actingApp: the route is not in an authenticated scope');
  if (appId === null) {
    throw new ApiError(
      'validation_failed',
      'An admin key must name the app: use /v1/apps/{app_id}/… or the Latchkey-App header.',
      { param: 'Latchkey-App' },
    );
  }
  return appId;
}

/** Whether the caller is an admin key (or an operator) that named no app: it then acts on the installation. */
export function actsOnInstallation(request: FastifyRequest): boolean {
  return principalOf(request).kind !== 'app' && request.auth?.appId === null;
}

/** For routes that take either kind of key but do some things for admin keys only. */
export function requireAdmin(request: FastifyRequest, what: string): Principal {
  const principal = principalOf(request);
  // An operator got here past the dashboard scope's role check, which already holds such routes to the owner.
  if (principal.kind === 'app') throw new ApiError('forbidden', `Only an admin key may ${what}.`);
  return principal;
}

/** A dashboard session, as the dashboard's sign-in code finds it from the cookie's secret. */
export interface OperatorSession {
  principal: Principal;
  /** What the page must send back in `X-CSRF-Token` with every change. */
  csrfToken: string;
}

export interface OperatorAuthenticator {
  /** The live session a cookie secret opens, or undefined (unknown, signed out, idle too long, or past 8 hours). */
  sessionOf(cookieSecret: string): Promise<OperatorSession | undefined>;
  /**
   * Throws `forbidden` or `reauth_required` unless the operator may call this route now (`query`: the raw query
   * string); answers whether the call goes in the audit log.
   */
  authorize(
    session: OperatorSession,
    method: string,
    route: string,
    query: string,
  ): Promise<{ audited: boolean }>;
  appExists(appId: string): Promise<boolean>;
  /** Records a change made through the dashboard, with what the resource looked like before and after. */
  audit(change: DashboardChange): Promise<void>;
}

/** One change made through the dashboard: who, on which app, which route, and the resource before and after. */
export interface DashboardChange {
  principal: Principal;
  appId: string | null;
  method: string;
  route: string;
  /** The path as requested, secrets already redacted. */
  path: string;
  status: number;
  /** The resource's JSON as a GET of it answered before the change, when it has such a GET. */
  before: string | undefined;
  /** The change's JSON answer. */
  after: string | undefined;
}

/** The dashboard's session cookie; `__Host-` prefixed wherever the browser keeps a Secure cookie (HTTPS, localhost). */
export const OPERATOR_COOKIES = ['__Host-lk_dashboard', 'lk_dashboard'] as const;

/**
 * Routes the dashboard calls with its session cookie. The hook checks, before the body is read: the session, then,
 * for a change, that the request comes from the dashboard itself (its Origin, and the CSRF token only the dashboard
 * could read), then the operator's role and how fresh their last code is (`authorize`), then the app it acts on.
 */
export function operatorScope(
  auth: OperatorAuthenticator,
  groups: Routes[],
  options: { prefix: string; publicOrigin: string },
): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRoute', (route) => {
      route.config = { ...route.config, access: 'operator' };
      // The API reference documents the API keys call; the dashboard's copy of each route stays out of it.
      route.schema = { ...route.schema, hide: true };
    });
    app.addHook('onRequest', async (request) => {
      const session = await operatorSessionOf(auth, request);
      if (!SAFE_METHODS.has(request.method)) refuseForeignChange(request, session, options.publicOrigin);
      const rawQuery = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
      const { audited } = await auth.authorize(
        session,
        request.method,
        request.routeOptions.url ?? request.url,
        rawQuery,
      );
      request.audited = audited;
      request.auth = {
        principal: session.principal,
        appId: await actingAppOf(auth, request, session.principal),
        session,
      };
    });
    auditChanges(app, auth);
    for (const routes of groups) await app.register(routes, { prefix: options.prefix });
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The last path segment of an action on a resource (`…/{id}/revoke`): its "before" is the resource's GET. */
const ACTION_SUFFIX = /\/(revoke|rotate-secret|redeliver|rotate|retry)$/;

declare module 'fastify' {
  interface FastifyRequest {
    /** Whether the operator's call goes in the audit log (changes do; reads, reads by POST and dry runs do not). */
    audited?: boolean;
    auditBefore?: string | undefined;
    auditAfter?: string | undefined;
  }
}

/**
 * Every change made through the dashboard becomes an audit record. Before the change, the resource is read through
 * its own GET (same session, same app), when it has one; after, the change's answer is kept; once the answer has
 * gone out with a success status, both are handed to `audit`.
 */
function auditChanges(app: FastifyInstance, auth: OperatorAuthenticator): void {
  app.addHook('preHandler', async (request) => {
    if (!request.audited) return;
    const route = request.routeOptions.url ?? '';
    const target = [route, route.replace(ACTION_SUFFIX, '')].find((url) =>
      request.server.hasRoute({ method: 'GET', url }),
    );
    if (target === undefined) return;
    const requested = request.url.split('?')[0] ?? '';
    const path = target === route ? requested : requested.replace(ACTION_SUFFIX, '');
    const headers: Record<string, string> = { cookie: request.headers.cookie ?? '' };
    const appHeader = request.headers['latchkey-app'];
    if (typeof appHeader === 'string') headers['latchkey-app'] = appHeader;
    const read = await request.server.inject({ method: 'GET', url: path, headers });
    if (read.statusCode === 200) request.auditBefore = read.body;
  });
  app.addHook('onSend', async (request, _reply, payload) => {
    if (request.audited && typeof payload === 'string') request.auditAfter = payload;
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    if (!request.audited || reply.statusCode >= 400 || !request.auth) return;
    try {
      await auth.audit({
        principal: request.auth.principal,
        appId: request.auth.appId,
        method: request.method,
        route: request.routeOptions.url ?? '',
        path: redactUrl(request.url),
        status: reply.statusCode,
        before: request.auditBefore,
        after: request.auditAfter,
      });
    } catch (error) {
      request.log.error({ err: error }, 'a dashboard change could not be recorded in the audit log');
    }
  });
}

async function operatorSessionOf(
  auth: OperatorAuthenticator,
  request: FastifyRequest,
): Promise<OperatorSession> {
  const secret = cookieValue(request, OPERATOR_COOKIES);
  const session = secret === undefined ? undefined : await auth.sessionOf(secret);
  if (!session) {
    throw new ApiError(
      'unauthorized',
      'Sign in to the dashboard first: your session has ended or never began.',
    );
  }
  return session;
}

/**
 * A change must come from the dashboard's own pages: the browser's Origin is the server's, and the request carries
 * the CSRF token that only a script of that origin could have read. Either alone would do against most attacks;
 * both cost nothing.
 */
function refuseForeignChange(request: FastifyRequest, session: OperatorSession, publicOrigin: string): void {
  const origin = request.headers.origin;
  const own = `${request.protocol}://${request.host}`;
  if (typeof origin !== 'string' || (origin !== publicOrigin && origin !== own)) {
    throw new ApiError(
      'forbidden',
      'This change did not come from the dashboard (its Origin is missing or foreign).',
    );
  }
  const token = request.headers['x-csrf-token'];
  if (typeof token !== 'string' || !sameText(token, session.csrfToken)) {
    throw new ApiError(
      'forbidden',
      "The request is missing the dashboard's CSRF token. Reload the page and try again.",
    );
  }
}

function sameText(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The value of the first of `names` the request carries as a cookie. */
export function cookieValue(request: FastifyRequest, names: readonly string[]): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  const found = new Map<string, string>();
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name !== undefined && !found.has(name)) found.set(name, value.join('='));
  }
  for (const name of names) {
    const value = found.get(name);
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}
