/**
 * Authentication as a property of where a route is registered, not a call each handler must remember. Routes that
 * take an API key live in an encapsulated scope whose `onRequest` hook authenticates (and rate-limits) before the
 * body is read or validated; admin-only routes live in their own scope; everything else is public and listed as
 * such (server.test.ts walks the route table and fails on a route that is in no scope and on no list).
 *
 * How a key is checked and how a request is counted are injected: this module knows neither the store nor the
 * rate limiter.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error.js';
import type { Routes } from './routes.js';

export interface Principal {
  keyId: string;
  kind: 'app' | 'admin';
  /** The app an app key belongs to; null for admin keys. */
  appId: string | null;
}

/** Who is calling, and which app the request acts on (null: an admin key that named none). */
export interface RequestAuth {
  principal: Principal;
  appId: string | null;
}

export type RouteAccess = 'public' | 'api_key' | 'admin';

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
  auth: Authenticator,
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

/** Whether the caller is an admin key that named no app (it then acts on the installation: admin keys). */
export function actsOnInstallation(request: FastifyRequest): boolean {
  return principalOf(request).kind === 'admin' && request.auth?.appId === null;
}

/** For routes that take either kind of key but do some things for admin keys only. */
export function requireAdmin(request: FastifyRequest, what: string): Principal {
  const principal = principalOf(request);
  if (principal.kind !== 'admin') throw new ApiError('forbidden', `Only an admin key may ${what}.`);
  return principal;
}
