import { makeEvent } from '../events/event-factory.js';
import type { Principal } from '../http/auth.js';
import type { SessionContext } from './session-context.js';
import type { KeyringEntry } from './session-keyring.js';

/** How stale the keys behind the JWKS may be before they are reloaded: a rotation on another node shows within it. */
const JWKS_REFRESH_MS = 30_000;

/** The session-token signing keys, as the database has them now (a rotation made on another node included). */
export async function listSessionKeys(ctx: SessionContext): Promise<readonly KeyringEntry[]> {
  await ctx.keyring.refresh(0);
  return ctx.keyring.list();
}

/** A new key signs from now on; the others are retired and stay published for a day. Answers the new kid. */
export async function rotateSessionKeys(ctx: SessionContext, actor: Principal): Promise<string> {
  return ctx.keyring.rotateNow((newKid) => [
    makeEvent(ctx, null, 'session_key.rotated', newKid, { kid: newKid, actor_key_id: actor.keyId }),
  ]);
}

/** The public keys of every app's session tokens (they differ by `aud`, which verifiers must check). */
export async function sessionJwks(ctx: SessionContext) {
  await ctx.keyring.refresh(JWKS_REFRESH_MS);
  return ctx.keyring.jwks();
}
