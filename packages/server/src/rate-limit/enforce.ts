import { isIPv4, isIPv6 } from 'node:net';
import {
  defaultSettings,
  type RateLimitSetting,
  type RateLimitSettings,
  readSettings,
} from '../apps/app-settings.js';
import { defaultAppId } from '../apps/default-app.js';
import { cachedSettings } from '../apps/settings-cache.js';
import { ApiError } from '../errors/api-error.js';
import { makeEvent } from '../events/event-factory.js';
import { storageOutage } from '../storage/storage-errors.js';
import type { RateLimitContext } from './rate-limit-store.js';
import type { RateLimitRule } from './rate-limiter.js';

export type RateLimitScope = 'identifier' | 'ip' | 'api_key';

/** What a refused caller is told; the same whatever was asked for, so a 429 says nothing about any account. */
const MESSAGES: Record<RateLimitScope, string> = {
  identifier: 'Too many attempts for this email address or phone number.',
  ip: 'Too many requests from your network.',
  api_key: 'Too many requests with this API key.',
};

/** How long a caller refused because the rate-limit store is down is asked to wait. */
const UNAVAILABLE_RETRY_SECONDS = 5;

/**
 * Counts a hit; when over the limit writes `rate_limit.hit` (once per key and window) and throws
 * ApiError('rate_limited', message, { headers: { 'retry-after': String(seconds) } }). A rule with a limit of 0 is
 * off and counts nothing.
 *
 * When the store behind the limiter fails (Redis down): API-key limits fail open (the caller is the app's own
 * backend, already authenticated, and an optional Redis must not take the API down); limits on public endpoints
 * fail closed with `rate_limit_unavailable` (503), because they are what stands between the internet and sending
 * email or guessing codes. See docs/decisions.md.
 */
export async function enforceRateLimit(
  ctx: RateLimitContext,
  input: { appId: string | null; scope: RateLimitScope; bucket: string; key: string; rule: RateLimitRule },
): Promise<void> {
  const { rule } = input;
  if (rule.limit <= 0) return;
  const now = ctx.clock();
  let decision: Awaited<ReturnType<RateLimitContext['rateLimiter']['hit']>>;
  try {
    const key = `${input.bucket}\u0000${input.key}`;
    // The API-key limit guards load and may be approximate across processes; the public ones stay exact.
    decision = await (input.scope === 'api_key'
      ? ctx.rateLimiter.hitLoosely(key, rule, now)
      : ctx.rateLimiter.hit(key, rule, now));
  } catch (error) {
    if (input.scope === 'api_key') {
      ctx.logger.warn(
        { err: error, bucket: input.bucket },
        'rate limiter unavailable; letting the request through',
      );
      return;
    }
    // The database limiter shares the database: when that is down, say so (storage_unavailable) rather than blame
    // the limiter; the error handler logs the cause.
    if (storageOutage(error)) throw error;
    ctx.logger.error({ err: error, bucket: input.bucket }, 'rate limiter unavailable; refusing the request');
    throw new ApiError(
      'rate_limit_unavailable',
      'Requests to this endpoint cannot be counted right now, so they are refused. Try again shortly.',
      { headers: { 'retry-after': String(UNAVAILABLE_RETRY_SECONDS) } },
    );
  }
  if (decision.allowed) return;
  if (decision.firstRefusal) {
    const event = makeEvent(
      ctx,
      input.appId,
      'rate_limit.hit',
      input.scope === 'api_key' ? input.key : null,
      {
        scope: input.scope,
        bucket: input.bucket,
        limit: rule.limit,
        window_seconds: rule.windowSeconds,
      },
    );
    await ctx.store.insertEvents([event]).catch((error: unknown) => {
      ctx.logger.warn({ err: error }, 'could not record the rate_limit.hit event');
    });
  }
  const seconds = decision.retryAfterSeconds;
  throw new ApiError('rate_limited', `${MESSAGES[input.scope]} Try again in ${seconds} s.`, {
    headers: { 'retry-after': String(seconds) },
  });
}

/** A setting as a rule for `enforceRateLimit`. */
export function ruleOf(setting: RateLimitSetting): RateLimitRule {
  return { limit: setting.limit, windowSeconds: setting.window_seconds };
}

/**
 * The per-identifier rules of the hosted sign-in endpoints, for `enforceRateLimit` with scope `identifier` and the
 * normalised email or phone as the key. The resend cooldown is a rule of one send per `cooldown` seconds; being a
 * fixed window, two sends can be as close as a window boundary apart, never three within one cooldown.
 */
export function identifierRules(limits: RateLimitSettings): {
  sends: RateLimitRule;
  resendCooldown: RateLimitRule;
  codeAttempts: RateLimitRule;
} {
  const cooldown = limits.login_resend_cooldown_seconds;
  return {
    sends: ruleOf(limits.login_sends_per_identifier),
    resendCooldown: cooldown > 0 ? { limit: 1, windowSeconds: cooldown } : { limit: 0, windowSeconds: 1 },
    codeAttempts: ruleOf(limits.code_attempts_per_identifier),
  };
}

/**
 * The rate limits of `appId`, or of the default app when it is unknown or does not exist (so a made-up app id or
 * token is limited exactly like a real one), or the built-in defaults before any app exists.
 */
export async function rateLimitsOf(
  ctx: RateLimitContext,
  appId: string | null | undefined,
): Promise<{ appId: string | null; limits: RateLimitSettings }> {
  let row = appId ? await ctx.store.getApp(appId) : undefined;
  if (!row) {
    const defaultId = await defaultAppId(ctx);
    row = defaultId ? await ctx.store.getApp(defaultId) : undefined;
  }
  return row
    ? { appId: row.id, limits: readSettings(row.settings).rate_limits }
    : { appId: null, limits: defaultSettings().rate_limits };
}

/** The API-key rule of an app, from settings read at most every few seconds (apps/settings-cache.ts). */
export async function apiKeyRuleOf(ctx: RateLimitContext, appId: string): Promise<RateLimitRule> {
  const settings = await cachedSettings(ctx, appId);
  return ruleOf((settings ?? defaultSettings()).rate_limits.api_requests_per_key);
}

/** The per-IP limit of a public endpoint (`bucket` names the endpoint family), with the app's rule. */
export async function enforceIpRateLimit(
  ctx: RateLimitContext,
  input: { ip: string; bucket: string; appId: string | null | undefined },
): Promise<void> {
  const { appId, limits } = await rateLimitsOf(ctx, input.appId);
  await enforceRateLimit(ctx, {
    appId,
    scope: 'ip',
    bucket: input.bucket,
    key: ipRateLimitKey(input.ip),
    rule: ruleOf(limits.public_requests_per_ip),
  });
}

/** IPv4 as is (IPv4-mapped IPv6 unwrapped), IPv6 grouped by its /64 prefix, in one canonical spelling. */
export function ipRateLimitKey(ip: string): string {
  const address = ip.trim().replace(/%.*$/, '');
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return address.toLowerCase();
  const groups = expandIPv6(address);
  // ::ffff:a.b.c.d is an IPv4 client on a dual-stack socket: one address, not a /64 of them.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [high, low] = [groups[6]!, groups[7]!];
    return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a trailing dotted IPv4 part converted). */
function expandIPv6(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const first = parse(head);
  if (tail === undefined) return first;
  const last = parse(tail);
  return [...first, ...new Array<number>(8 - first.length - last.length).fill(0), ...last];
}

/** Counts one API request of an app key against its app's `api_requests_per_key`. */
export async function limitApiKey(
  ctx: RateLimitContext,
  key: { keyId: string; appId: string | null },
): Promise<void> {
  if (key.appId === null) return;
  await enforceRateLimit(ctx, {
    appId: key.appId,
    scope: 'api_key',
    bucket: 'api',
    key: key.keyId,
    rule: await apiKeyRuleOf(ctx, key.appId),
  });
}
