import { appIdForHost } from '../apps/app-hosts.js';
import { type AppSettings, readSettings } from '../apps/app-settings.js';
import { checkRedirect, withQueryParam } from '../apps/redirect-policy.js';
import { hashSecret, newId, orderedSecret } from '../crypto/tokens.js';
import { ApiError } from '../errors/api-error.js';
import { makeEvent } from '../events/event-factory.js';
import { buildExchangeCode, buildSession, sessionCreatedEvent } from '../sessions/session-service.js';
import type { AppRow, SigningKeyRow, UserRow } from '../storage/rows.js';
import { normalizeEmail } from '../users/normalize.js';
import type { SignedLinkContext } from './signed-link-store.js';
import { checkAlgorithm, parseToken, signatureMatches, type TokenClaims } from './signed-token.js';
import { KID_SHAPE, openSecret } from './signing-key-service.js';

/** `nbf` and `iat` may be this far ahead of our clock: the signer's clock may run a little fast. */
const CLOCK_LEEWAY_MS = 30_000;
/** Without a `kid` every key of the app is tried; apps keep a handful, and one HMAC costs about a microsecond. */
const KEYS_TRIED_WITHOUT_KID = 100;

export interface VerifiedToken {
  app: AppRow;
  settings: AppSettings;
  key: SigningKeyRow;
  claims: TokenClaims;
  /** `sub` as the user id it names directly (usr_…), if it is one. */
  userId: string | undefined;
  externalId: string;
  email: string | undefined;
  expiresAt: number;
  /** What is recorded to make the token one-time: its `jti`, or the hash of the whole token. */
  tokenKey: string;
}

export interface TokenLocation {
  /** From the `/apps/{app_id}/login/{token}` path form. */
  pathAppId?: string | undefined;
  /** The request's Host, matched against apps' own `public_url`. */
  host?: string | undefined;
}

/**
 * Checks a stateless-link token completely without changing anything. Each failure has its own error code; the
 * signature is checked before any claim, so an unsigned token learns nothing about its claims.
 */
export async function verifySignedToken(
  ctx: SignedLinkContext,
  token: string,
  where: TokenLocation,
): Promise<VerifiedToken> {
  const parsed = parseToken(token);
  checkAlgorithm(parsed.header);
  const { app, candidates } = await candidateKeys(ctx, parsed.header.kid, where);
  const key = candidates.find((candidate) => signatureMatches(parsed, openSecret(ctx, candidate)));
  if (!key) {
    throw new ApiError(
      'token_signature_invalid',
      "The token's signature does not match the app's signing keys. Ask for a new link.",
    );
  }
  if (key.revoked_at !== null)
    throw new ApiError(
      'token_key_revoked',
      'This link was signed with a key that has since been revoked. Ask for a new link.',
    );
  const settings = readSettings(app.settings);
  checkAudience(parsed.claims.aud, app, settings, ctx.config.publicUrl);
  const now = ctx.clock();
  const expiresAt = checkTimes(parsed.claims, settings, now);
  const subject = checkSubject(parsed.claims.sub);
  const email = typeof parsed.claims.email === 'string' ? normalizeEmail(parsed.claims.email) : undefined;
  const jti =
    typeof parsed.claims.jti === 'string' && parsed.claims.jti.length > 0
      ? parsed.claims.jti.slice(0, 200)
      : undefined;
  return {
    app,
    settings,
    key,
    claims: parsed.claims,
    ...subject,
    email,
    expiresAt,
    // The signed part, not the whole string: one token, one key, however its signature is spelled.
    tokenKey: jti === undefined ? `sha256:${hashSecret(parsed.signingInput)}` : `jti:${jti}`,
  };
}

async function candidateKeys(
  ctx: SignedLinkContext,
  kid: unknown,
  where: TokenLocation,
): Promise<{ app: AppRow; candidates: SigningKeyRow[] }> {
  if (kid !== undefined) {
    // The kid says which app and which key; anything that is not one of our kids is refused without a lookup.
    const row =
      typeof kid === 'string' && KID_SHAPE.test(kid) ? await ctx.store.getSigningKey(kid) : undefined;
    if (!row || (where.pathAppId !== undefined && row.app_id !== where.pathAppId)) {
      throw new ApiError(
        'token_key_unknown',
        'The token names a signing key this app does not have. Check the `kid`, or leave it out.',
      );
    }
    const app = await ctx.store.getApp(row.app_id);
    if (!app)
      throw new ApiError('token_key_unknown', 'The token names a signing key this app does not have.');
    return { app, candidates: [row] };
  }
  const appId = where.pathAppId ?? (await appIdForHost(ctx, where.host));
  const app = appId === undefined ? undefined : await ctx.store.getApp(appId);
  if (!app) {
    throw new ApiError(
      'token_app_unknown',
      'No app matches this link. Put the signing key id in the token header (`kid`), or use /apps/{app_id}/login/{token}.',
    );
  }
  const keys = await ctx.store.listSigningKeys(app.id, { limit: KEYS_TRIED_WITHOUT_KID });
  // Active keys first: a match on a revoked key is only looked for to say so.
  return {
    app,
    candidates: [...keys.filter((k) => k.revoked_at === null), ...keys.filter((k) => k.revoked_at !== null)],
  };
}

/**
 * RFC 7519 says a token whose `aud` does not name the recipient must be refused. A signed link is addressed to one
 * app, so Latchkey answers to that app's id (the `aud` of its session tokens) and to the public URL its links are
 * opened on: the app's own `public_url` and the server's. Names are compared exactly, but for a trailing slash.
 */
function checkAudience(aud: unknown, app: AppRow, settings: AppSettings, serverUrl: string): void {
  if (aud === undefined) return;
  const named = typeof aud === 'string' ? [aud] : stringList(aud);
  if (named === undefined) {
    throw new ApiError(
      'token_audience_invalid',
      'The token `aud` must be a string or a list of strings naming this app. Fix it, or leave `aud` out.',
    );
  }
  const urls = [
    ...new Set([settings.public_url, serverUrl].flatMap((url) => (url === null ? [] : [trimSlashes(url)]))),
  ];
  const ours = new Set([app.id, ...urls, ...urls.map((url) => `${url}/`)]);
  if (!named.some((name) => ours.has(name))) {
    throw new ApiError(
      'token_audience_invalid',
      `The token is addressed to someone else: its \`aud\` must name this app (${app.id}) or ${urls.join(' or ')}, or be left out.`,
    );
  }
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
}

function trimSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}

function checkTimes(claims: TokenClaims, settings: AppSettings, now: number): number {
  const { exp } = claims;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) {
    throw new ApiError('token_expiry_missing', 'The token must carry `exp`, its expiry in Unix seconds.');
  }
  const expiresAt = exp * 1000;
  if (expiresAt <= now) throw new ApiError('token_expired', 'This link has expired. Ask for a new one.');
  const issuedAt = optionalSeconds(claims, 'iat');
  const notBefore = optionalSeconds(claims, 'nbf');
  const maxMs = settings.max_ttl_minutes * 60_000;
  if (expiresAt - now > maxMs || (issuedAt !== undefined && expiresAt - issuedAt > maxMs)) {
    throw new ApiError(
      'token_lifetime_too_long',
      `The token lives longer than this app allows (${settings.max_ttl_minutes} minutes).`,
    );
  }
  // A token cannot have been issued after now: an `iat` ahead of the leeway means the signer's clock is wrong, and
  // its `exp` (and so the link's lifetime) cannot be trusted either.
  if (issuedAt !== undefined && issuedAt > now + CLOCK_LEEWAY_MS) {
    throw new ApiError(
      'token_not_yet_valid',
      'The token says it was issued in the future (`iat`). Check the clock of the server that signs links.',
    );
  }
  if (notBefore !== undefined && notBefore > now + CLOCK_LEEWAY_MS)
    throw new ApiError('token_not_yet_valid', 'This link is not valid yet. Try again later.');
  return expiresAt;
}

/** An optional time claim in Unix seconds, as milliseconds; anything but a number is refused, not ignored. */
function optionalSeconds(claims: TokenClaims, name: 'iat' | 'nbf'): number | undefined {
  const value = claims[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new ApiError('token_malformed', `The token \`${name}\` must be Unix seconds, as a number.`);
  return value * 1000;
}

const SUBJECT_TEXT = /^[^\p{Cc}]{1,255}$/u;
const USER_ID = /^usr_[0-9a-z]{26}$/;

function checkSubject(sub: unknown): { userId: string | undefined; externalId: string } {
  // Customer ids are counted from 0. -0 is refused too: it would be read as "0", a customer it does not spell.
  if (typeof sub === 'number' && Number.isSafeInteger(sub) && sub >= 0 && !Object.is(sub, -0))
    return { userId: undefined, externalId: String(sub) };
  if (typeof sub === 'string' && SUBJECT_TEXT.test(sub) && sub.trim() !== '') {
    return { userId: USER_ID.test(sub) ? sub : undefined, externalId: sub };
  }
  throw new ApiError(
    'token_subject_missing',
    'The token must name the customer in `sub`: a whole number of 0 or more, or a non-empty string of up to 255 characters.',
  );
}

/**
 * Where a stateless link lands: the shortcut named by `redirect_to` (query first, then the token's claim), else the
 * default shortcut, else the app's default redirect. An unknown name or a raw URL falls back to the default: a
 * link's query string can never choose an arbitrary target.
 */
export function resolveLanding(settings: AppSettings, requested: unknown): string {
  const named =
    typeof requested === 'string' && Object.hasOwn(settings.page_shortcuts, requested)
      ? settings.page_shortcuts[requested]
      : undefined;
  const fallback =
    settings.default_shortcut !== null ? settings.page_shortcuts[settings.default_shortcut] : undefined;
  const target = named ?? fallback ?? settings.default_redirect_url;
  const checked =
    target === undefined || target === null ? undefined : checkRedirect(target, settings.allowed_redirects);
  if (!checked?.ok) {
    throw new ApiError(
      'redirect_required',
      'This app has no page to send people to after sign-in: set page_shortcuts with default_shortcut, or default_redirect_url.',
    );
  }
  return checked.url;
}

/**
 * POST /login/{token}: verifies, spends the token (unless the app allows reuse), finds or creates the customer,
 * opens a session and returns where to send the browser with a one-minute `lk_code`.
 */
export async function redeemSignedToken(
  ctx: SignedLinkContext,
  token: string,
  where: TokenLocation & {
    redirectTo?: string | undefined;
    ip?: string | undefined;
    userAgent?: string | undefined;
  },
): Promise<{ location: string; user: UserRow }> {
  const verified = await verifySignedToken(ctx, token, where);
  const { app, settings } = verified;
  const landing = resolveLanding(settings, where.redirectTo ?? verified.claims.redirect_to);
  const now = ctx.clock();
  const code = orderedSecret(now, ctx.random);
  const newUser: UserRow | undefined = settings.auto_create_users
    ? {
        id: newId('usr', now, ctx.random),
        app_id: app.id,
        external_id: verified.externalId,
        email: verified.email ?? null,
        email_verified: 0,
        phone: null,
        phone_verified: 0,
        metadata: '{}',
        created_at: now,
        updated_at: now,
        last_login_at: null,
      }
    : undefined;
  const result = await ctx.store.redeemSignedToken(
    {
      appId: app.id,
      tokenKey: settings.signed_links_reusable ? null : verified.tokenKey,
      tokenExpiresAt: verified.expiresAt,
      userId: verified.userId,
      externalId: verified.externalId,
      newUser,
    },
    now,
    (user, created) => {
      const session = buildSession(
        ctx,
        {
          appId: app.id,
          userId: user.id,
          amr: 'signed_link',
          linkId: null,
          durationMinutes: settings.session_duration_minutes,
          ip: where.ip ?? null,
          userAgent: where.userAgent ?? null,
        },
        now,
      );
      const events = [
        ...(created
          ? [makeEvent(ctx, app.id, 'user.created', user.id, { user_id: user.id, via: 'signed_link' }, now)]
          : []),
        makeEvent(
          ctx,
          app.id,
          'signed_link.redeemed',
          verified.key.kid,
          { kid: verified.key.kid, user_id: user.id, session_id: session.id },
          now,
        ),
        sessionCreatedEvent(ctx, session, now),
      ];
      return {
        session,
        exchangeCode: buildExchangeCode(code, session, { redirectUrl: landing, codeChallenge: null }, now),
        events,
      };
    },
  );
  if (!result.ok) {
    if (result.reason === 'used')
      throw new ApiError('token_used', 'This link was already used to sign in. Ask for a new one.');
    throw new ApiError(
      'user_creation_disabled',
      'No customer matches this link, and this app does not create customers on first sign-in.',
    );
  }
  if (verified.key.last_used_at === null || now - verified.key.last_used_at > 60_000)
    await ctx.store.touchSigningKey(verified.key.kid, now);
  return { location: withQueryParam(landing, 'lk_code', code), user: result.user };
}

/** Refuses a one-time token that was already spent (read-only: the confirm page says so before the button). */
export async function refuseIfUsed(ctx: SignedLinkContext, verified: VerifiedToken): Promise<void> {
  if (
    !verified.settings.signed_links_reusable &&
    (await ctx.store.isTokenUsed(verified.app.id, verified.tokenKey))
  ) {
    throw new ApiError('token_used', 'This link was already used to sign in. Ask for a new one.');
  }
}

/** What the confirm page shows: the customer's email if known; else their phone or the customer id. */
export async function displayName(ctx: SignedLinkContext, verified: VerifiedToken): Promise<string> {
  const byId =
    verified.userId === undefined ? undefined : await ctx.store.getUser(verified.app.id, verified.userId);
  const user = byId ?? (await ctx.store.findUser(verified.app.id, 'external_id', verified.externalId));
  return user?.email ?? verified.email ?? user?.phone ?? verified.externalId;
}
