/**
 * Sending a link again. Tokens are stored only as their hash, so the message that carried a link cannot be made
 * again: a resend issues a new link with the old one's user, type, target, language, channel and length, sends it,
 * and revokes the old one (reason `resent`), so only one of them can ever sign the person in.
 */
import { ApiError } from '../errors/api-error.js';
import { makeEvent } from '../events/event-factory.js';
import type { MagicLinkRow } from '../storage/rows.js';
import type { CreatedLink } from './link-service.js';
import { getLinkOrThrow, planLink } from './link-service.js';
import type { LinkContext } from './link-store.js';

export interface ResentLink extends CreatedLink {
  /** The link it replaces, as it is now (revoked). */
  replaced: MagicLinkRow;
}

export async function resendLink(ctx: LinkContext, appId: string, linkId: string): Promise<ResentLink> {
  const old = await getLinkOrThrow(ctx, appId, linkId);
  ensureOutstanding(old, ctx.clock());
  // Everything is checked before anything is written: the app's allowlist may have changed since, the user may have
  // lost the address, the server may no longer send on the channel. A refusal leaves the old link as it was.
  const planned = await planLink(
    ctx,
    appId,
    {
      user_id: old.user_id,
      channel: old.channel ?? old.identifier_kind,
      send: true,
      type: old.type,
      ...(old.redirect_url === null ? {} : { redirect_url: old.redirect_url }),
      ...(old.magic_link_path === null ? {} : { magic_link_path: old.magic_link_path }),
      // The original length: the person gets the whole window the app meant them to have, not what was left.
      ttl: old.ttl_minutes,
      ...(old.language === null ? {} : { language: old.language }),
      // The backend that made a PKCE link holds the verifier; the new link keeps its challenge so that still works.
      ...(old.code_challenge === null ? {} : { code_challenge: old.code_challenge }),
      metadata: JSON.parse(old.metadata) as Record<string, unknown>,
    },
    { campaignId: old.campaign_id ?? undefined },
  );
  // The old link is revoked first, by the guarded update every revocation uses: if the person redeemed it a moment
  // ago, the resend stops here and nothing new is sent.
  const result = await ctx.store.revokeLink(appId, old.id, ctx.clock(), (link) =>
    makeEvent(ctx, appId, 'magic_link.revoked', link.id, {
      magic_link_id: link.id,
      user_id: link.user_id,
      reason: 'resent',
      ...(link.campaign_id ? { campaign_id: link.campaign_id } : {}),
    }),
  );
  if (!result) throw new ApiError('not_found', `No magic link ${linkId} in this app.`);
  if (!result.revoked) ensureOutstanding(result.link, ctx.clock());
  await ctx.store.createLink(planned.link, planned.newUser, planned.events, planned.message);
  ctx.delivery.wake();
  return { link: planned.link, url: planned.url, token: planned.token, replaced: result.link };
}

/** A used, revoked or expired link is not sent again: each says why, and what to do instead. */
function ensureOutstanding(link: MagicLinkRow, now: number): void {
  if (link.status === 'redeemed')
    throw new ApiError(
      'link_used',
      `Link ${link.id} was already used, so it is not sent again. Create a new link if the person needs one.`,
    );
  if (link.status === 'revoked')
    throw new ApiError(
      'link_revoked',
      `Link ${link.id} was revoked, so it is not sent again. Create a new link if the person needs one.`,
    );
  if (link.expires_at <= now)
    throw new ApiError(
      'link_expired',
      `Link ${link.id} has expired, so it is not sent again. Create a new link if the person needs one.`,
    );
}
