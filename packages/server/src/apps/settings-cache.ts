import { type AppSettings, readSettings } from './app-settings.js';
import type { AppContext } from './app-store.js';

/**
 * The settings of each app, kept for 5 s: the API-key check reads the app's rate limit on every API request, and
 * reading the app each time was about a third of its cost. This process forgets them whenever an app changes;
 * other processes apply a change within 5 s.
 */
const caches = new WeakMap<object, Map<string, { at: number; settings: AppSettings | undefined }>>();
const SETTINGS_TTL_MS = 5_000;

/** The app's settings, or undefined when there is no such app. */
export async function cachedSettings(ctx: AppContext, appId: string): Promise<AppSettings | undefined> {
  let byApp = caches.get(ctx);
  if (!byApp) {
    byApp = new Map();
    caches.set(ctx, byApp);
  }
  const entry = byApp.get(appId);
  if (entry && Date.now() - entry.at < SETTINGS_TTL_MS) return entry.settings;
  const row = await ctx.store.getApp(appId);
  const settings = row ? readSettings(row.settings) : undefined;
  byApp.set(appId, { at: Date.now(), settings });
  return settings;
}

export function forgetCachedSettings(ctx: AppContext): void {
  caches.delete(ctx);
}
