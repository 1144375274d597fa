import type { Context } from '../context.js';
import type { RateLimitRule } from './rate-limiter.js';

/**
 * The API-key rule of each app, kept for 5 s: the key check runs on every API request, and reading the app's
 * settings each time was about a third of its cost. This process forgets them whenever an app changes; other
 * processes apply a new limit within 5 s. (Its own module so that the app service can clear it without an
 * import cycle.)
 */
const rules = new WeakMap<Context, Map<string, { at: number; rule: RateLimitRule }>>();
const RULE_TTL_MS = 5_000;

export function cachedRule(ctx: Context, appId: string): RateLimitRule | undefined {
  const entry = rules.get(ctx)?.get(appId);
  return entry && Date.now() - entry.at < RULE_TTL_MS ? entry.rule : undefined;
}

export function cacheRule(ctx: Context, appId: string, rule: RateLimitRule): void {
  let byApp = rules.get(ctx);
  if (!byApp) {
    byApp = new Map();
    rules.set(ctx, byApp);
  }
  byApp.set(appId, { at: Date.now(), rule });
}

export function forgetRateLimitRules(ctx: Context): void {
  rules.delete(ctx);
}
