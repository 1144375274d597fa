import { readSettings } from './app-settings.js';
import type { AppContext } from './app-store.js';
import { defaultAppId } from './default-app.js';

/**
 * Apps with a `public_url` of their own (a custom domain), by host, so a request can be matched to its app. Built
 * from the apps table and kept for 30 s; this process drops it whenever an app is created or changed, so other
 * nodes see a new domain within 30 s and this one at once.
 */
const indexes = new WeakMap<AppContext, { builtAt: number; hosts: Map<string, string> }>();
const INDEX_TTL_MS = 30_000;

export async function appForHost(ctx: AppContext, host: string | undefined): Promise<string | undefined> {
  if (host === undefined) return undefined;
  const now = Date.now();
  let index = indexes.get(ctx);
  if (!index || now - index.builtAt > INDEX_TTL_MS) {
    const hosts = new Map<string, string>();
    for (const app of await ctx.store.listApps({ limit: 10_000 })) {
      const publicUrl = readSettings(app.settings).public_url;
      if (publicUrl !== null) hosts.set(new URL(publicUrl).host.toLowerCase(), app.id);
    }
    index = { builtAt: now, hosts };
    indexes.set(ctx, index);
  }
  return index.hosts.get(host.toLowerCase());
}

export function forgetAppHosts(ctx: AppContext): void {
  indexes.delete(ctx);
}

/**
 * The app a public page or link is for when the request does not name one: the app whose own domain the request
 * came to, else the default app (undefined before the first start created it).
 */
export async function appIdForHost(ctx: AppContext, host: string | undefined): Promise<string | undefined> {
  return (await appForHost(ctx, host)) ?? (await defaultAppId(ctx));
}
