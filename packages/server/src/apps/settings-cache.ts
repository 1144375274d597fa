import { type AppSettings, readSettings } from './app-settings.js';
import type { AppContext } from './app-store.js';

/**
 * The settings of each app row, parsed once: the API-key check reads the app's rate limit on every API request, and
 * parsing them each time was about a third of its cost. Kept per row object, so they live exactly as long as the
 * store's cache of apps keeps that row (storage/config-cache.ts): a change made by this process or any other is
 * seen as soon as the app is, within a second on either database, with no expiry of its own.
 */
const parsed = new WeakMap<object, AppSettings>();

/** The app's settings, or undefined when there is no such app. */
export async function cachedSettings(ctx: AppContext, appId: string): Promise<AppSettings | undefined> {
  const row = await ctx.store.getApp(appId);
  if (!row) return undefined;
  let settings = parsed.get(row);
  if (!settings) {
    settings = readSettings(row.settings);
    parsed.set(row, settings);
  }
  return settings;
}
