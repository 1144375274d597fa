import { getAppOrThrow } from '../apps/app-service.js';
import {
  constantTimeEqual,
  newId,
  orderedSecret,
  pkceChallenge,
  secretLookupHash,
} from '../crypto/tokens.js';
import { ApiError } from '../errors/api-error.js';
import { makeEvent } from '../events/event-factory.js';
import type {
  EventRow,
  ExchangeCodeRow,
  Page,
  RefreshTokenRow,
  SessionRow,
  UserRow,
} from '../storage/rows.js';
import type { Amr } from '../storage/schema.js';
import type { SessionContext } from './session-context.js';

/** Exchange codes are single-use and live for one minute. */
export const EXCHANGE_CODE_TTL_MS = 60_000;
/** Says what the token is, to the app holding it and to secret scanners; the ordered secret follows. */
const REFRESH_PREFIX = 'lk_rt_';

export interface IssuedSession {
  id: string;
  expires_at: string;
  token: string;
  token_expires_at: string;
  refresh_token: string;
  refresh_token_expires_at: string;
}

/** A session id, for callers that must name the session before building it (a redemption records it on the link). */
export function newSessionId(ctx: SessionContext, now: number): string {
  return newId('ses', now, ctx.random);
}

export function buildSession(
  ctx: SessionContext,
  input: {
    /** Made here when not given. */
    id?: string;
    appId: string;
    userId: string;
    amr: Amr;
    linkId: string | null;
    durationMinutes: number;
    ip?: string | null;
    userAgent?: string | null;
  },
  now: number,
): SessionRow {
  return {
    id: input.id ?? newSessionId(ctx, now),
    app_id: input.appId,
    user_id: input.userId,
    amr: input.amr,
    link_id: input.linkId,
    ip: input.ip ?? null,
    user_agent: input.userAgent?.slice(0, 512) ?? null,
    created_at: now,
    expires_at: now + input.durationMinutes * 60_000,
    last_refreshed_at: null,
    revoked_at: null,
  };
}

/**
 * The row of a sign-in's exchange code (`lk_code`): single-use, valid for a minute, traded by the app's backend for
 * the session. Only its hash is stored; the code itself goes to the browser in the redirect.
 */
export function buildExchangeCode(
  code: string,
  session: SessionRow,
  target: { redirectUrl: string; codeChallenge: string | null },
  now: number,
): ExchangeCodeRow {
  return {
    code_hash: secretLookupHash(code),
    app_id: session.app_id,
    session_id: session.id,
    user_id: session.user_id,
    redirect_url: target.redirectUrl,
    code_challenge: target.codeChallenge,
    created_at: now,
    expires_at: now + EXCHANGE_CODE_TTL_MS,
    used_at: null,
  };
}

/** `session.created`, with how the user proved control (`amr`) and anything the way in adds (the login flow). */
export function sessionCreatedEvent(
  ctx: Pick<SessionContext, 'clock' | 'random'>,
  session: SessionRow,
  now: number,
  extra: Record<string, unknown> = {},
): EventRow {
  return makeEvent(
    ctx,
    session.app_id,
    'session.created',
    session.id,
    { session_id: session.id, user_id: session.user_id, amr: [session.amr], ...extra },
    now,
  );
}

export function buildRefreshToken(
  ctx: SessionContext,
  session: SessionRow,
  now: number,
): { row: RefreshTokenRow; token: string } {
  const token = `${REFRESH_PREFIX}${orderedSecret(now, ctx.random)}`;
  return {
    token,
    row: {
      token_hash: secretLookupHash(token, REFRESH_PREFIX),
      session_id: session.id,
      app_id: session.app_id,
      created_at: now,
      expires_at: session.expires_at,
      used_at: null,
    },
  };
}

/**
 * PKCE (RFC 7636, S256 only): a link created with a challenge can only be finished by whoever holds the verifier.
 * Throws without side effects, so callers run it inside the consuming transaction before anything is spent.
 */
export function checkPkce(challenge: string | null, verifier: string | undefined): void {
  if (challenge === null) return;
  if (verifier === undefined || verifier === '') {
    throw new ApiError(
      'pkce_required',
      'This link was created with a code_challenge; send the matching code_verifier.',
      { param: 'code_verifier' },
    );
  }
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || !constantTimeEqual(pkceChallenge(verifier), challenge)) {
    throw new ApiError(
      'pkce_mismatch',
      'The code_verifier does not match the code_challenge given when the link was created.',
      { param: 'code_verifier' },
    );
  }
}

/** Signs the session JWT: short-lived (the app's `access_token_minutes`), never past the session's own end. */
export async function issueTokens(
  ctx: SessionContext,
  session: SessionRow,
  refreshToken: string,
): Promise<IssuedSession> {
  const { settings } = await getAppOrThrow(ctx, session.app_id);
  const now = ctx.clock();
  const iat = Math.floor(now / 1000);
  const exp = Math.min(Math.floor(session.expires_at / 1000), iat + settings.access_token_minutes * 60);
  const token = await ctx.keyring.sign({
    iss: ctx.config.publicUrl,
    aud: session.app_id,
    sub: session.user_id,
    sid: session.id,
    amr: [session.amr],
    iat,
    exp,
  });
  return {
    id: session.id,
    expires_at: new Date(session.expires_at).toISOString(),
    token,
    token_expires_at: new Date(exp * 1000).toISOString(),
    refresh_token: refreshToken,
    refresh_token_expires_at: new Date(session.expires_at).toISOString(),
  };
}

export async function exchangeCode(
  ctx: SessionContext,
  appId: string,
  code: string,
  verifier: string | undefined,
): Promise<{ user: UserRow; session: IssuedSession; redirect_url: string | null }> {
  const now = ctx.clock();
  let refresh = '';
  const result = await ctx.store.consumeExchangeCode(secretLookupHash(code), now, (row, session) => {
    // A code of another app is as good as unknown, and is not spent by the attempt.
    if (row.app_id !== appId) throw invalidCode();
    checkPkce(row.code_challenge, verifier);
    const issued = buildRefreshToken(ctx, session, now);
    refresh = issued.token;
    return { refreshToken: issued.row, events: [] };
  });
  if (!result.ok) throw invalidCode();
  return {
    user: result.user,
    session: await issueTokens(ctx, result.session, refresh),
    redirect_url: result.code.redirect_url,
  };
}

function invalidCode(): ApiError {
  return new ApiError(
    'code_invalid',
    'The code is unknown, expired (codes live 60 seconds) or already used. Start the sign-in again.',
    {
      param: 'code',
    },
  );
}

export async function refreshSession(
  ctx: SessionContext,
  appId: string,
  refreshToken: string,
): Promise<{ user: UserRow; session: IssuedSession }> {
  const now = ctx.clock();
  let next = '';
  const result = await ctx.store.rotateRefreshToken(
    secretLookupHash(refreshToken, REFRESH_PREFIX),
    now,
    (session) => {
      if (session.app_id !== appId) throw invalidRefresh();
      const issued = buildRefreshToken(ctx, session, now);
      next = issued.token;
      return {
        refreshToken: issued.row,
        events: [
          makeEvent(
            ctx,
            appId,
            'session.refreshed',
            session.id,
            { session_id: session.id, user_id: session.user_id },
            now,
          ),
        ],
      };
    },
    (session) =>
      makeEvent(
        ctx,
        session.app_id,
        'session.revoked',
        session.id,
        { session_id: session.id, user_id: session.user_id, reason: 'refresh_token_reused' },
        now,
      ),
  );
  if (!result.ok) {
    if (result.reason === 'reused') {
      throw new ApiError(
        'refresh_token_reused',
        'This refresh token was already used, so the session has been revoked. Sign the user in again.',
        {
          param: 'refresh_token',
        },
      );
    }
    throw invalidRefresh();
  }
  return { user: result.user, session: await issueTokens(ctx, result.session, next) };
}

function invalidRefresh(): ApiError {
  return new ApiError(
    'refresh_token_invalid',
    'The refresh token is unknown or expired, or its session has ended. Sign the user in again.',
    {
      param: 'refresh_token',
    },
  );
}

export async function getSessionOrThrow(
  ctx: SessionContext,
  appId: string,
  sessionId: string,
): Promise<SessionRow> {
  const session = await ctx.store.getSession(appId, sessionId);
  if (!session) throw new ApiError('session_not_found', `No session ${sessionId} in this app.`);
  return session;
}

export function listSessions(
  ctx: SessionContext,
  appId: string,
  filter: { user_id?: string; active?: boolean },
  page: Page,
): Promise<SessionRow[]> {
  return ctx.store.listSessions(
    appId,
    { user_id: filter.user_id, active_at: filter.active ? ctx.clock() : undefined },
    page,
  );
}

export async function revokeSession(
  ctx: SessionContext,
  appId: string,
  sessionId: string,
): Promise<SessionRow> {
  const event: EventRow = makeEvent(ctx, appId, 'session.revoked', sessionId, {
    session_id: sessionId,
    reason: 'api',
  });
  const session = await ctx.store.revokeSession(appId, sessionId, ctx.clock(), event);
  if (!session) throw new ApiError('session_not_found', `No session ${sessionId} in this app.`);
  return session;
}
