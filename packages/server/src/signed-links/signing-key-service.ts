import { newId, randomSecret } from '../crypto/tokens.js';
import { ApiError } from '../errors/api-error.js';
import { makeEvent } from '../events/event-factory.js';
import type { Principal } from '../http/auth.js';
import type { Page, SigningKeyRow } from '../storage/rows.js';
import type { SignedLinkContext } from './signed-link-store.js';

export const KID_SHAPE = /^sk_[0-9a-z]{26}$/;

export interface CreatedSigningKey {
  row: SigningKeyRow;
  /** The HS256 secret: the UTF-8 bytes of this string are the HMAC key, as JWT libraries take string keys. */
  secret: string;
}

/** A new signing key for `appId`, not yet stored. */
export function newSigningKey(ctx: SignedLinkContext, appId: string, label: string): CreatedSigningKey {
  const now = ctx.clock();
  const kid = newId('sk', now, ctx.random);
  const secret = `lk_hs_${randomSecret(ctx.random)}`;
  return {
    secret,
    row: {
      kid,
      app_id: appId,
      label,
      algorithm: 'HS256',
      secret: ctx.secretBox.seal(secret, kid),
      secret_hint: `${secret.slice(0, 10)}…`,
      created_at: now,
      last_used_at: null,
      revoked_at: null,
    },
  };
}

export async function createSigningKey(
  ctx: SignedLinkContext,
  appId: string,
  label: string,
  actor: Principal | null,
): Promise<CreatedSigningKey> {
  const key = newSigningKey(ctx, appId, label);
  await ctx.store.insertSigningKey(key.row, [
    makeEvent(ctx, appId, 'signing_key.created', key.row.kid, {
      kid: key.row.kid,
      label,
      actor_key_id: actor?.keyId ?? null,
    }),
  ]);
  return key;
}

export function listSigningKeys(ctx: SignedLinkContext, appId: string, page: Page): Promise<SigningKeyRow[]> {
  return ctx.store.listSigningKeys(appId, page);
}

export async function revokeSigningKey(
  ctx: SignedLinkContext,
  appId: string,
  kid: string,
  actor: Principal,
): Promise<SigningKeyRow> {
  const row = await ctx.store.revokeSigningKey(appId, kid, ctx.clock(), [
    makeEvent(ctx, appId, 'signing_key.revoked', kid, { kid, actor_key_id: actor.keyId }),
  ]);
  if (!row) throw new ApiError('not_found', `No active signing key ${kid} for this app.`);
  return row;
}

/**
 * Opened secrets, by kid. A secret never changes once made, so caching it saves an AES-GCM open per click; whether
 * the key is still active is read from the database every time, so a revocation takes effect at once everywhere.
 */
const opened = new Map<string, string>();

export function openSecret(ctx: SignedLinkContext, row: SigningKeyRow): string {
  let secret = opened.get(row.kid);
  if (secret === undefined) {
    secret = ctx.secretBox.open(row.secret, row.kid);
    opened.set(row.kid, secret);
  }
  return secret;
}
