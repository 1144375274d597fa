import type { AppContext } from './app-store.js';

/** The `latchkey_meta` entry naming the default app: the first one, created by `init` or the first start. */
const DEFAULT_APP_KEY = 'default_app';

/** The default app's id, or undefined before the first start created it. */
export function defaultAppId(ctx: AppContext): Promise<string | undefined> {
  return ctx.store.getMeta(DEFAULT_APP_KEY);
}

/**
 * Makes `appId` the default app unless one already is; true when it did. Nodes starting together on an empty
 * database use it so that exactly one default app exists.
 */
export function claimDefaultApp(ctx: AppContext, appId: string): Promise<boolean> {
  return ctx.store.claimOnce(DEFAULT_APP_KEY, appId, ctx.clock());
}
