/**
 * Signing in to the dashboard is signing in to the internal app: the same login flow as the hosted login page
 * (a message with a link and a code, five tries, limits per address and network, the same answer for every
 * address), then the flow's `lk_code` is exchanged on the server and a dashboard session opened. One-time links
 * (the break-glass link of `latchkey dashboard link`, and the first owner's link printed at first start) are the
 * way in when email is what is broken.
 */

import { hashSecret, randomSecret } from '../crypto/tokens.js';
import { ApiError } from '../errors/api-error.js';
import { type RequestInfo, startLogin, verifyCode } from '../login/login-flow-service.js';
import { exchangeCode } from '../sessions/session-service.js';
import type { OperatorRow, OperatorTokenRow } from '../storage/rows.js';
import { emailOrThrow } from '../users/user-service.js';
import { type LiveSession, openSession } from './dashboard-sessions.js';
import { callbackUrl, internalApp } from './internal-app.js';
import { createOperator, findOperatorByEmail } from './operator-service.js';
import type { DashboardContext } from './operator-store.js';

export async function startSignIn(
  ctx: DashboardContext,
  email: string,
  browserSecret: string | undefined,
  request: RequestInfo,
) {
  const app = await internalApp(ctx);
  const started = await startLogin(
    ctx,
    { appId: app.id, email, redirectUrl: callbackUrl(ctx.config.publicUrl), browserSecret },
    request,
  );
  return { browserSecret: started.browserSecret, body: started.body };
}

/** Signs in with the code from the message; answers the new session's secret for the cookie. */
export async function verifySignIn(
  ctx: DashboardContext,
  input: { email: string; code: string; browserSecret: string | undefined },
  request: RequestInfo,
) {
  const app = await internalApp(ctx);
  const done = await verifyCode(
    ctx,
    { appId: app.id, identifier: input.email, code: input.code, browserSecret: input.browserSecret },
    request,
  );
  return finishSignIn(ctx, lkCodeOf(done.redirect_url), 'code');
}

/** Exchanges the `lk_code` of a finished sign-in (by code, or by the link at the callback) for a session. */
export async function finishSignIn(
  ctx: DashboardContext,
  lkCode: string,
  via: 'link' | 'code',
): Promise<{ secret: string; operator: OperatorRow }> {
  const app = await internalApp(ctx);
  const { user } = await exchangeCode(ctx, app.id, lkCode, undefined);
  const operator = await ctx.store.findOperatorByUser(user.id);
  if (!operator) {
    throw new ApiError(
      'unauthorized',
      'This address is no longer an operator of this dashboard. Ask an owner.',
    );
  }
  const { secret } = await openSession(ctx, operator, via);
  return { secret, operator };
}

/** Sends the signed-in operator a fresh code, for a change that needs one. */
export async function startReauth(
  ctx: DashboardContext,
  live: LiveSession,
  browserSecret: string | undefined,
  request: RequestInfo,
) {
  return startSignIn(ctx, live.operator.email, browserSecret, request);
}

export async function verifyReauth(
  ctx: DashboardContext,
  live: LiveSession,
  input: { code: string; browserSecret: string | undefined },
  request: RequestInfo,
): Promise<void> {
  const app = await internalApp(ctx);
  const done = await verifyCode(
    ctx,
    { appId: app.id, identifier: live.operator.email, code: input.code, browserSecret: input.browserSecret },
    request,
  );
  // Spend the flow's code at once: it would otherwise stay good for a minute for nothing.
  await exchangeCode(ctx, app.id, lkCodeOf(done.redirect_url), undefined);
  await ctx.store.markOperatorReauthenticated(live.row.id, ctx.clock());
}

function lkCodeOf(redirectUrl: string): string {
  const code = new URL(redirectUrl).searchParams.get('lk_code');
  if (!code) throw new Error('a finished sign-in flow redirected without lk_code');
  return code;
}

const ONE_TIME_LINK_MS: Record<OperatorTokenRow['purpose'], number> = {
  // Printed on a console by someone with shell access, and used at once.
  sign_in: 15 * 60_000,
  // Printed at first start, which its reader may leave running for a while before opening the dashboard.
  first_owner: 24 * 60 * 60_000,
};

/** A one-time sign-in link: for `operator`, or (without one) for whoever becomes the first owner. */
export async function issueOneTimeLink(
  ctx: DashboardContext,
  operator: OperatorRow | null,
): Promise<{ url: string; expiresAt: number }> {
  const token = randomSecret(ctx.random);
  const now = ctx.clock();
  const purpose = operator === null ? 'first_owner' : 'sign_in';
  const expiresAt = now + ONE_TIME_LINK_MS[purpose];
  await ctx.store.insertOperatorToken({
    token_hash: hashSecret(token),
    operator_id: operator?.id ?? null,
    purpose,
    created_at: now,
    expires_at: expiresAt,
    used_at: null,
  });
  return { url: `${ctx.config.publicUrl}/dashboard/auth/link/${token}`, expiresAt };
}

/**
 * Break-glass (`latchkey dashboard link --email …`): a one-time sign-in link for the address, which is made an owner
 * first when it is no operator yet. Whoever can call this already holds the data directory or the database.
 */
export async function issueBreakGlassLink(
  ctx: DashboardContext,
  email: string,
): Promise<{ operator: OperatorRow; created: boolean; url: string; expiresAt: number }> {
  let operator = await findOperatorByEmail(ctx, email);
  const created = operator === undefined;
  operator ??= await createOperator(ctx, { email, role: 'owner', invitedBy: 'cli' });
  return { operator, created, ...(await issueOneTimeLink(ctx, operator)) };
}

/** What a one-time link is, without spending it (the page shown before its button is pressed). */
export async function peekOneTimeLink(
  ctx: DashboardContext,
  token: string,
): Promise<OperatorTokenRow | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const row = await ctx.store.findOperatorToken(hashSecret(token));
  return row && row.used_at === null && row.expires_at > ctx.clock() ? row : undefined;
}

/** Why a one-time link cannot be used, for the page that says so: spent, past its time, or never issued. */
export async function whyOneTimeLinkGone(
  ctx: DashboardContext,
  token: string,
): Promise<'link_used' | 'link_expired' | 'link_invalid'> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return 'link_invalid';
  const row = await ctx.store.findOperatorToken(hashSecret(token));
  if (!row) return 'link_invalid';
  if (row.used_at !== null) return 'link_used';
  return row.expires_at <= ctx.clock() ? 'link_expired' : 'link_invalid';
}

/** Spends a one-time link and opens a session; the first owner's link also makes its user the owner. */
export async function useOneTimeLink(
  ctx: DashboardContext,
  token: string,
  ownerEmail: string | undefined,
): Promise<{ secret: string; operator: OperatorRow }> {
  const peeked = await peekOneTimeLink(ctx, token);
  if (!peeked) throw oneTimeLinkGone();
  // Checked before the link is spent, so a mistyped address does not cost the link.
  const email = peeked.purpose === 'first_owner' ? emailOrThrow(ownerEmail ?? '', 'email') : undefined;
  const row = await ctx.store.consumeOperatorToken(peeked.token_hash, ctx.clock());
  if (!row) throw oneTimeLinkGone();
  const operator =
    row.operator_id === null
      ? await createOperator(ctx, { email: email!, role: 'owner', invitedBy: 'first_start' })
      : await ctx.store.getOperator(row.operator_id);
  if (!operator) throw oneTimeLinkGone();
  const { secret } = await openSession(ctx, operator, 'one_time_link');
  return { secret, operator };
}

function oneTimeLinkGone(): ApiError {
  return new ApiError(
    'link_invalid',
    'This sign-in link was used already, has expired, or was never issued. Make a new one with `latchkey dashboard link --email …`.',
  );
}
