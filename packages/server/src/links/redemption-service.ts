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
import type { VisitMethod } from '../storage/schema.js';
import { userVerifiedEvent } from '../users/user-service.js';
import type { LinkContext, RedemptionWrites } from './link-store.js';
import { visitRow } from './link-visits.js';

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

/**
 * Where a link is redeemed, fixed when it is made: a link with a `magic_link_path` was delivered to the app's own
 * page, whose backend redeems it through the API (`embedded`); any other link points at Latchkey's page
 * (`hosted`). It is read from the stored row, never from whether a redirect exists: embedded links usually have
 * one too (their own `redirect_url`, or the app's default).
 */
export type LinkKind = 'hosted' | 'embedded';

export function kindOf(link: MagicLinkRow): LinkKind {
  return link.magic_link_path === null ? 'hosted' : 'embedded';
}

/**
 * The kinds each way of redeeming may spend. The hosted page is public and reached by URL (by people, previews and
 * scanners), so it spends only links made for it. The app's backend, through its API key or Passage's activate
 * call, may spend any link of its app: it holds hosted tokens too (`secret` in the create answer), and Passage's
 * activate took every link of the app. docs/decisions.md says why.
 */
const SPENDS: Record<'hosted_page' | 'app_backend', readonly LinkKind[]> = {
  hosted_page: ['hosted'],
  app_backend: ['hosted', 'embedded'],
};

/**
 * The hosted page knows only hosted links: an embedded one is "not valid here" whatever its state (unused, used,
 * expired), so the page never spends it, never records an open, and never tells a visitor how it was used.
 */
function notHostedHere(): ApiError {
  return new ApiError(
    'link_invalid',
    "This link is opened on the app's own page, not here. Use the link exactly as you received it.",
  );
}

/** Looks a token up without consuming it (GET and HEAD of the hosted page): embedded links are not valid there. */
export async function peekLink(
  ctx: LinkContext,
  token: string,
): Promise<{ link: MagicLinkRow | undefined; problem: LinkProblem | null }> {
  if (!LINK_TOKEN_SHAPE.test(token)) return { link: undefined, problem: 'link_invalid' };
  const link = await ctx.store.findLinkByTokenHash(secretLookupHash(token));
  return { link, problem: hostedProblem(link, ctx.clock()) };
}

/**
 * The hosted page's button (POST): the link with its user, read once for both the rate limit (whose rule the link
 * names) and the redemption, which makes its plan from this read instead of reading again.
 */
export async function peekLinkToRedeem(ctx: LinkContext, token: string): Promise<Peeked> {
  if (!LINK_TOKEN_SHAPE.test(token)) return { link: undefined, user: undefined, problem: 'link_invalid' };
  const read = await ctx.store.findLinkAndUserByTokenHash(secretLookupHash(token));
  return { link: read?.link, user: read?.user, problem: hostedProblem(read?.link, ctx.clock()) };
}

export interface Peeked {
  link: MagicLinkRow | undefined;
  user: UserRow | undefined;
  problem: LinkProblem | null;
}

function hostedProblem(link: MagicLinkRow | undefined, now: number): LinkProblem | null {
  if (link && kindOf(link) !== 'hosted') return 'link_invalid';
  return problemOf(link, now);
}

/**
 * Records a GET of a redeemable link's page: the visit, and the first time the page was opened. One INSERT once the
 * link has been opened; the first open writes its time and event in the same transaction.
 */
export async function recordOpened(
  ctx: LinkContext,
  link: MagicLinkRow,
  userAgent: string | undefined,
): Promise<void> {
  const now = ctx.clock();
  const visit = visitRow(ctx, link, 'GET', userAgent, now);
  if (link.opened_at !== null) return ctx.store.recordLinkVisit(visit);
  await ctx.store.markLinkOpened(
    link.id,
    now,
    makeEvent(ctx, link.app_id, 'magic_link.opened', link.id, { magic_link_id: link.id }, now),
    visit,
  );
}

/**
 * Records a visit of the hosted page for a link that is not redeemed by it (used, expired or revoked; or a HEAD):
 * what operators want to see is exactly the scanner that came back after the person. Nothing is written for a token
 * that names no link, or an embedded link, which the page treats as unknown.
 */
export async function recordVisit(
  ctx: LinkContext,
  link: MagicLinkRow | undefined,
  method: VisitMethod,
  userAgent: string | undefined,
): Promise<void> {
  if (!link || kindOf(link) !== 'hosted') return;
  await ctx.store.recordLinkVisit(visitRow(ctx, link, method, userAgent, ctx.clock()));
}

interface RedeemOptions {
  /** For embedded redemption: the app whose API key is calling; a link of another app is `link_invalid`. */
  appId?: string | undefined;
  codeVerifier?: string | undefined;
  ip?: string | undefined;
  userAgent?: string | undefined;
  /** The link and its user as the caller already read them by this token (the hosted page does, to pick its rate limit). */
  peeked?: Pick<Peeked, 'link' | 'user'> | undefined;
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
  let result: Awaited<ReturnType<typeof redeem>>;
  try {
    result = await redeem(ctx, token, options, SPENDS.hosted_page, (link, session, now) => {
      // Hosted links always have a landing place (creation refuses one without); this guards the `!` below.
      if (link.redirect_url === null) throw linkProblem('link_invalid');
      return {
        exchangeCode: buildExchangeCode(
          code,
          session,
          { redirectUrl: link.redirect_url, codeChallenge: link.code_challenge },
          now,
        ),
        visit: visitRow(ctx, link, 'POST', options.userAgent, now),
      };
    });
  } catch (error) {
    // A press of the button on a link that can no longer be used is a visit too (a second click, a late scanner).
    if (error instanceof ApiError && SPENT_OR_EXPIRED.has(error.code)) {
      await recordVisit(ctx, options.peeked?.link, 'POST', options.userAgent);
    }
    throw error;
  }
  return { link: result.link, location: withQueryParam(result.link.redirect_url!, 'lk_code', code) };
}

const SPENT_OR_EXPIRED = new Set<string>(['link_used', 'link_expired', 'link_revoked']);

/** Embedded redemption: the app's backend hands over the token and gets the session straight back. */
export async function redeemEmbedded(
  ctx: LinkContext,
  token: string,
  options: RedeemOptions,
): Promise<{ link: MagicLinkRow; user: UserRow; session: IssuedSession }> {
  let refresh = '';
  const result = await redeem(ctx, token, options, SPENDS.app_backend, (link, session, now) => {
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
) => Pick<RedemptionWrites, 'exchangeCode' | 'refreshToken' | 'visit'>;

async function redeem(
  ctx: LinkContext,
  token: string,
  options: RedeemOptions,
  kinds: readonly LinkKind[],
  extra: Extra,
) {
  if (!LINK_TOKEN_SHAPE.test(token)) throw linkProblem('link_invalid');
  const now = ctx.clock();
  const hash = secretLookupHash(token);
  // Settings are read before the transaction so the consuming transaction stays short. The guarded UPDATE below
  // is what decides; this read only answers early and finds the app.
  const read = options.peeked ?? (await ctx.store.findLinkAndUserByTokenHash(hash));
  const peeked = read?.link;
  // The kind comes first: a route that may not spend a link says so whatever state the link is in.
  if (peeked && !kinds.includes(kindOf(peeked))) throw notHostedHere();
  const early = problemOf(peeked, now);
  if (early || !peeked) throw linkProblem(early ?? 'link_invalid');
  if (options.appId !== undefined && peeked.app_id !== options.appId) throw linkProblem('link_invalid');
  const { settings } = await getAppOrThrow(ctx, peeked.app_id);

  let session: RedemptionWrites['session'] | undefined;
  const sessionId = newSessionId(ctx, now);
  const known = peeked && read?.user ? { link: peeked, user: read.user } : undefined;
  const result = await ctx.store.redeemLink(hash, now, sessionId, plan, known);
  if (!result.ok) throw linkProblem(problemOf(result.link, now) ?? 'link_invalid');
  return { link: result.link, user: result.user, session: session! };

  function plan(link: MagicLinkRow, user: UserRow): RedemptionWrites {
    // The kind never changes after creation, so this repeats the check above on the row the UPDATE returned;
    // throwing here rolls the consumption back.
    if (!kinds.includes(kindOf(link))) throw notHostedHere();
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
  }
}
