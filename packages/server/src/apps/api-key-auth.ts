import { hashSecret } from '../crypto/tokens.js';
import type { Principal } from '../http/auth.js';
import type { AppContext } from './app-store.js';

/** `last_used_at` is written at most this often per key, so reads do not turn every request into a write. */
const TOUCH_INTERVAL_MS = 60_000;

/** Who a presented API key belongs to; undefined when it is unknown or revoked. */
export async function principalForKey(ctx: AppContext, key: string): Promise<Principal | undefined> {
  const row = await ctx.store.findApiKeyByHash(hashSecret(key));
  if (!row || row.revoked_at !== null) return undefined;
  const now = ctx.clock();
  if (row.last_used_at === null || now - row.last_used_at > TOUCH_INTERVAL_MS) {
    await ctx.store.touchApiKey(row.id, now);
  }
  return { keyId: row.id, kind: row.kind, appId: row.app_id };
}
