import { publicHostOf, readSettings, requestHostOf } from './app-settings.js';
import type { AppContext } from './app-store.js';
import { defaultAppId } from './default-app.js';

/**
 * Apps with a `public_url` of their own (a custom domain), by host, so a request can be matched to its app. Built
 * from `apps.public_host`, which is unique, so the index can never give one host to two apps. It is kept for 30 s;
 * this process drops it whenever an app is created or changed, and an entry whose app no longer has that host is
 * never used (the index is rebuilt instead), so a host taken from an app stops pointing to it at once on every
 * node, and a host newly set is found at once here and within 30 s elsewhere.
 */
const indexes = new WeakMap<AppContext, { builtAt: number; hosts: Map<string, string> }>();
const INDEX_TTL_MS = 30_000;

/** The app whose own `public_url` has this host; never one for the installation's own host. */
export async function appForHost(ctx: AppContext, host: string | undefined): Promise<string | undefined> {
  const key = host === undefined ? undefined : requestHostOf(host);
  // The shared host belongs to the installation, whatever an app's settings say (see docs/configuration.md).
  if (key === undefined || key === publicHostOf(ctx.config.publicUrl)) return undefined;
  const appId = (await hostIndex(ctx, false)).get(key);
  if (appId === undefined || (await stillHolds(ctx, appId, key))) return appId;
  // Another node moved the host since this index was built: read it again rather than serve the old owner.
  return (await hostIndex(ctx, true)).get(key);
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

async function hostIndex(ctx: AppContext, rebuild: boolean): Promise<Map<string, string>> {
  const now = Date.now();
  const index = indexes.get(ctx);
  if (index && !rebuild && now - index.builtAt <= INDEX_TTL_MS) return index.hosts;
  const hosts = new Map((await ctx.store.listAppHosts()).map(({ id, host }) => [host, id]));
  indexes.set(ctx, { builtAt: now, hosts });
  return hosts;
}

/** Whether the app's current settings still claim `host` (the column follows them on every write). */
async function stillHolds(ctx: AppContext, appId: string, host: string): Promise<boolean> {
  const app = await ctx.store.getApp(appId);
  return app !== undefined && publicHostOf(readSettings(app.settings).public_url) === host;
}
