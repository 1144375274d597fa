import { getAppOrThrow } from '../apps/app-service.js';
import { withQueryParam } from '../apps/redirect-policy.js';
import { LINK_TOKEN_SHAPE, orderedSecret, secretLookupHash } from '../crypto/tokens.js';
import { ApiError } from '../errors/api-error.js';
import { makeEvent } from '../events/event-factory.js';
import {
  buildExchangeCode,
  buildRefreshToken,
  buildSession,
  checkPkce,
  type IssuedSession,
  issueTokens,
  newSessionId,
  sessionCreatedEvent,
} from '../sessions/session-service.js';
import type { EventRow, MagicLinkRow, UserRow } from '../storage/rows.js';
import { userVerifiedEvent } from '../users/user-service.js';
import type { LinkContext, RedemptionWrites } from './link-store.js';

export type LinkProblem = 'link_expired' | 'link_used' | 'link_revoked' | 'link_invalid';

const PROBLEM_MESSAGES: Record<LinkProblem, string> = {
  link_expired: 'This link has expired. Ask for a new one.',
  link_used: 'This link was already used; each link signs in once. Ask for a new one.',
  link_revoked: 'This link was revoked. Ask for a new one.',
  link_invalid: 'This link is not valid. Check that it was copied whole, or ask for a new one.',
};

export function linkProblem(problem: LinkProblem): ApiError {
  return new ApiError(problem, PROBLEM_MESSAGES[problem]);
}

/** Why a link cannot be redeemed now, or null if it can. Reading only: never changes the link. */
export function problemOf(link: MagicLinkRow | undefined, now: number): LinkProblem | null {
  if (!link) return 'link_invalid';
  if (link.status === 'redeemed') return 'link_used';
  if (link.status === 'revoked') return 'link_revoked';
  if (link.expires_at <= now) return 'link_expired';
  return null;
}

/** Looks a token up without consuming it (GET and HEAD of the hosted page). */
export async function peekLink(
  ctx: LinkContext,
  token: string,
): Promise<{ link: MagicLinkRow | undefined; problem: LinkProblem | null }> {
  if (!LINK_TOKEN_SHAPE.test(token)) return { link: undefined, problem: 'link_invalid' };
  const link = await ctx.store.findLinkByTokenHash(secretLookupHash(token));
  return { link, problem: problemOf(link, ctx.clock()) };
}

/** Records the first time a link's page was opened. */
export async function recordOpened(ctx: LinkContext, link: MagicLinkRow): Promise<void> {
  if (link.opened_at !== null) return;
  await ctx.store.markLinkOpened(
    link.id,
    ctx.clock(),
    makeEvent(ctx, link.app_id, 'magic_link.opened', link.id, { magic_link_id: link.id }),
  );
}

interface RedeemOptions {
  /** For embedded redemption: the app whose API key is calling; a link of another app is `link_invalid`. */
  appId?: string | undefined;
  codeVerifier?: string | undefined;
  ip?: string | undefined;
  userAgent?: string | undefined;
  /** The link as the caller already read it by this token (the hosted page does, to pick its rate limit). */
  peeked?: { link: MagicLinkRow | undefined } | undefined;
}

/**
 * Hosted redemption (POST /l/{token}): consumes the link, opens a session and returns where to send the
 * browser, with a one-minute single-use `lk_code` the app's backend exchanges for the session tokens.
 */
export async function redeemHosted(
  ctx: LinkContext,
  token: string,
  options: RedeemOptions,
): Promise<{ location: string; link: MagicLinkRow }> {
  const code = orderedSecret(ctx.clock(), ctx.random);
  const result = await redeem(ctx, token, options, (link, session, now) => {
    // A link meant for the app's own page has no hosted landing place; refusing keeps it for the app.
    if (link.redirect_url === null) throw linkProblem('link_invalid');
    return {
      exchangeCode: buildExchangeCode(
        code,
        session,
        { redirectUrl: link.redirect_url, codeChallenge: link.code_challenge },
        now,
      ),
    };
  });
  return { link: result.link, location: withQueryParam(result.link.redirect_url!, 'lk_code', code) };
}

/** Embedded redemption: the app's backend hands over the token and gets the session straight back. */
export async function redeemEmbedded(
  ctx: LinkContext,
  token: string,
  options: RedeemOptions,
): Promise<{ link: MagicLinkRow; user: UserRow; session: IssuedSession }> {
  let refresh = '';
  const result = await redeem(ctx, token, options, (link, session, now) => {
    checkPkce(link.code_challenge, options.codeVerifier);
    const issued = buildRefreshToken(ctx, session, now);
    refresh = issued.token;
    return { refreshToken: issued.row };
  });
  return { link: result.link, user: result.user, session: await issueTokens(ctx, result.session, refresh) };
}

type Extra = (
  link: MagicLinkRow,
  session: RedemptionWrites['session'],
  now: number,
) => Pick<RedemptionWrites, 'exchangeCode' | 'refreshToken'>;

async function redeem(ctx: LinkContext, token: string, options: RedeemOptions, extra: Extra) {
  if (!LINK_TOKEN_SHAPE.test(token)) throw linkProblem('link_invalid');
  const now = ctx.clock();
  const hash = secretLookupHash(token);
  // Settings are read before the transaction so the consuming transaction stays short. The guarded UPDATE below
  // is what decides; this read only answers early and finds the app.
  const peeked = options.peeked ? options.peeked.link : await ctx.store.findLinkByTokenHash(hash);
  const early = problemOf(peeked, now);
  if (early || !peeked) throw linkProblem(early ?? 'link_invalid');
  if (options.appId !== undefined && peeked.app_id !== options.appId) throw linkProblem('link_invalid');
  const { settings } = await getAppOrThrow(ctx, peeked.app_id);

  let session: RedemptionWrites['session'] | undefined;
  const sessionId = newSessionId(ctx, now);
  const result = await ctx.store.redeemLink(hash, now, sessionId, (link, user) => {
    if (options.appId !== undefined && link.app_id !== options.appId) throw linkProblem('link_invalid');
    session = buildSession(
      ctx,
      {
        id: sessionId,
        appId: link.app_id,
        userId: user.id,
        amr: 'magic_link',
        linkId: link.id,
        durationMinutes: settings.session_duration_minutes,
        ip: options.ip ?? null,
        userAgent: options.userAgent ?? null,
      },
      now,
    );
    const events: EventRow[] = [
      makeEvent(
        ctx,
        link.app_id,
        'magic_link.redeemed',
        link.id,
        { magic_link_id: link.id, user_id: user.id, session_id: session.id },
        now,
      ),
      sessionCreatedEvent(ctx, session, now),
    ];
    const verifiedFlag = link.identifier_kind === 'email' ? user.email_verified : user.phone_verified;
    const sameIdentifier = (link.identifier_kind === 'email' ? user.email : user.phone) === link.identifier;
    if (verifiedFlag === 0 && sameIdentifier) {
      events.push(userVerifiedEvent(ctx, link.app_id, user.id, link.identifier_kind, now));
    }
    return {
      session,
      verified: sameIdentifier ? link.identifier_kind : null,
      events,
      ...extra(link, session, now),
    };
  });
  if (!result.ok) throw linkProblem(problemOf(result.link, now) ?? 'link_invalid');
  return { link: result.link, user: result.user, session: session! };
}
