import type { FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import { hashSecret } from '../crypto/tokens.js';
import { ApiError } from '../errors/api-error.js';
import { apiKeyRuleOf, enforceRateLimit } from '../rate-limit/enforce.js';

export interface Principal {
  keyId: string;
  kind: 'app' | 'admin';
  /** The app an app key belongs to; null for admin keys. */
  appId: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const KEY_SHAPE = /^lk_(sk|admin)_[A-Za-z0-9_-]{20,100}$/;
/** `last_used_at` is written at most this often per key, so reads do not turn every request into a write. */
const TOUCH_INTERVAL_MS = 60_000;

/** Resolves the Bearer key of a request; every failure is the same `unauthorized` so keys cannot be probed. */
export async function authenticate(ctx: Context, request: FastifyRequest): Promise<Principal> {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match) {
    throw new ApiError('unauthorized', 'Send your API key as `Authorization: Bearer lk_sk_…`.');
  }
  const key = match[1]!;
  const row = KEY_SHAPE.test(key) ? await ctx.store.findApiKeyByHash(hashSecret(key)) : undefined;
  if (!row || row.revoked_at !== null) {
    throw new ApiError(
      'unauthorized',
      'The API key is unknown or revoked. Create a key with `POST /v1/api-keys` or `latchkey init`.',
    );
  }
  if (row.kind === 'app') {
    // Admin keys are not limited: they belong to the operator, and an operator locked out of their own
    // installation by a limit they set is worse than the abuse the limit prevents.
    await enforceRateLimit(ctx, {
      appId: row.app_id,
      scope: 'api_key',
      bucket: 'api',
      key: row.id,
      rule: await apiKeyRuleOf(ctx, row.app_id!),
    });
  }
  const now = ctx.clock();
  if (row.last_used_at === null || now - row.last_used_at > TOUCH_INTERVAL_MS) {
    await ctx.store.touchApiKey(row.id, now);
  }
  const principal: Principal = { keyId: row.id, kind: row.kind, appId: row.app_id };
  request.principal = principal;
  return principal;
}

/**
 * Which app a request acts on. An app key acts on its own app only; an admin key names the app in the path
 * (`/v1/apps/{app_id}/…`) or in the `Latchkey-App` header.
 */
export async function resolveApp(ctx: Context, request: FastifyRequest, pathAppId?: string): Promise<string> {
  const principal = request.principal ?? (await authenticate(ctx, request));
  if (principal.kind === 'app') {
    if (pathAppId !== undefined && pathAppId !== principal.appId) {
      throw new ApiError(
        'forbidden',
        'This API key belongs to another app; it cannot read or change this one.',
      );
    }
    return principal.appId!;
  }
  const header = request.headers['latchkey-app'];
  const appId = pathAppId ?? (typeof header === 'string' ? header : undefined);
  if (appId === undefined) {
    throw new ApiError(
      'validation_failed',
      'An admin key must name the app: use /v1/apps/{app_id}/… or the Latchkey-App header.',
      {
        param: 'Latchkey-App',
      },
    );
  }
  if (!(await ctx.store.getApp(appId))) throw new ApiError('not_found', `No app with id ${appId}.`);
  return appId;
}

export async function requireAdmin(ctx: Context, request: FastifyRequest): Promise<Principal> {
  const principal = request.principal ?? (await authenticate(ctx, request));
  if (principal.kind !== 'admin') {
    throw new ApiError(
      'forbidden',
      'Only an admin key (printed by `latchkey init`) may create or list apps.',
    );
  }
  return principal;
}
