import { getAppOrThrow } from '../apps/app-service.js';
import { type AppSettings, publicUrlOf } from '../apps/app-settings.js';
import { withQueryParam } from '../apps/redirect-policy.js';
import { hashSecret, LINK_TOKEN_SHAPE, newId, orderedSecret, randomSecret } from '../crypto/tokens.js';
import { queuedOutboxRow } from '../delivery/outbox-payload.js';
import { ensureCanSend } from '../delivery/transports/create-transports.js';
import { ApiError, validationError } from '../errors/api-error.js';
import { makeEvent } from '../events/event-factory.js';
import { resolveChallenge, resolveTarget } from '../links/link-service.js';
import { toLanguage } from '../pages/languages.js';
import { enforceRateLimit, identifierRules, ipRateLimitKey, ruleOf } from '../rate-limit/enforce.js';
import { buildExchangeCode, buildSession, sessionCreatedEvent } from '../sessions/session-service.js';
import type { EventRow, LoginFlowRow, OutboxRow, SessionRow, UserRow } from '../storage/rows.js';
import type { Amr, Channel, LoginFlowStatus } from '../storage/schema.js';
import { buildUser, emailOrThrow, phoneOrThrow, userVerifiedEvent } from '../users/user-service.js';
import type { LoginContext } from './login-flow-store.js';
import {
  CODE_LENGTH,
  codeHash,
  codeMatches,
  displayCode,
  MAX_CODE_ATTEMPTS,
  newSignInCode,
} from './sign-in-code.js';

/** The browser cookie is a 256-bit secret; only its hash is stored with the flows it started. */
const BROWSER_SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface RequestInfo {
  ip: string | undefined;
  userAgent: string | undefined;
}

export interface StartLoginInput {
  appId: string;
  email?: string | undefined;
  phone?: string | undefined;
  redirectUrl?: string | undefined;
  redirectTo?: string | undefined;
  codeChallenge?: string | undefined;
  codeChallengeMethod?: string | undefined;
  language?: string | undefined;
  /** The browser's cookie, if it already has one: flows started in one browser share it. */
  browserSecret: string | undefined;
}

/**
 * The answer to a start. It is the same for every identifier, known or not, deliverable or not: nothing in it
 * (or in its timing, as far as we can help it) tells a caller whether an account exists.
 */
export interface StartedLogin {
  status: 'pending';
  channel: Channel;
  expires_in_seconds: number;
  code_length: number;
}

export async function startLogin(
  ctx: LoginContext,
  input: StartLoginInput,
  request: RequestInfo,
): Promise<{ browserSecret: string; body: StartedLogin; flow: LoginFlowRow }> {
  const { settings } = await getAppOrThrow(ctx, input.appId);
  const { kind, identifier } = identifierOf(input, settings.default_phone_region);
  // Every start sends. Refused before the address is looked up or anything is counted or stored, so the answer is
  // the same for every address.
  ensureCanSend(
    ctx.config,
    kind,
    `Signing in by ${kind === 'email' ? 'email' : 'text message'} is not available until the server's operator configures it.`,
  );
  const target = resolveTarget(settings, { redirect_url: input.redirectUrl, redirect_to: input.redirectTo });
  const challenge = resolveChallenge(input.codeChallenge, input.codeChallengeMethod);
  const language = languageOf(input.language);
  await limitStart(ctx, input.appId, settings, identifier, request);
  const now = ctx.clock();

  const user = await ctx.store.findUser(input.appId, kind, identifier);
  // Nobody to send to: an unknown address for an app that only signs in people it knows. The flow is still
  // written (and the message still built), so the answer and the work match those of a known address.
  const deliverable = user !== undefined || settings.auto_create_users;
  const browserSecret =
    input.browserSecret !== undefined && BROWSER_SECRET_SHAPE.test(input.browserSecret)
      ? input.browserSecret
      : randomSecret(ctx.random);
  const linkToken = randomSecret(ctx.random);
  const code = newSignInCode(ctx);
  const ttlMinutes = settings.ttl_minutes.login;
  const id = newId('lf', now, ctx.random);
  const flow: LoginFlowRow = {
    id,
    app_id: input.appId,
    identifier,
    identifier_kind: kind,
    deliverable: deliverable ? 1 : 0,
    browser_hash: hashSecret(browserSecret),
    link_hash: hashSecret(linkToken),
    code_hash: codeHash(ctx, id, code),
    code_attempts: 0,
    redirect_url: target.redirectUrl!,
    code_challenge: challenge,
    language,
    status: 'pending',
    requested_ip: request.ip ?? null,
    requested_user_agent: request.userAgent?.slice(0, 512) ?? null,
    created_at: now,
    expires_at: now + ttlMinutes * 60_000,
    link_used_at: null,
    decided_at: null,
    completed_at: null,
    session_id: null,
  };
  const message = flowMessage(ctx, settings, flow, linkToken, code, now);
  const events = [
    makeEvent(
      ctx,
      input.appId,
      'login.started',
      id,
      { login_flow_id: id, channel: kind, user_id: user?.id ?? null, deliverable },
      now,
    ),
  ];
  await ctx.store.insertLoginFlow(flow, deliverable ? message : undefined, events);
  if (deliverable) ctx.delivery.wake();
  return {
    browserSecret,
    flow,
    body: { status: 'pending', channel: kind, expires_in_seconds: ttlMinutes * 60, code_length: CODE_LENGTH },
  };
}

/**
 * Per network, then per address: a short cooldown between two messages, and a cap per window. The same counting
 * applies to every address, known or not, so a 429 tells nothing about accounts.
 */
async function limitStart(
  ctx: LoginContext,
  appId: string,
  settings: AppSettings,
  identifier: string,
  request: RequestInfo,
): Promise<void> {
  await limitIp(ctx, appId, settings, 'login_start', request);
  const rules = identifierRules(settings.rate_limits);
  const byIdentifier = { appId, scope: 'identifier' as const, key: identifier };
  await enforceRateLimit(ctx, { ...byIdentifier, bucket: 'login_resend', rule: rules.resendCooldown });
  await enforceRateLimit(ctx, { ...byIdentifier, bucket: 'login_send', rule: rules.sends });
}

/** The per-IP limit of one family of public sign-in calls (`bucket`). */
export async function limitIp(
  ctx: LoginContext,
  appId: string,
  settings: AppSettings,
  bucket: string,
  request: RequestInfo,
  factor = 1,
): Promise<void> {
  if (request.ip === undefined) return;
  const rule = ruleOf(settings.rate_limits.public_requests_per_ip);
  await enforceRateLimit(ctx, {
    appId,
    scope: 'ip',
    bucket,
    key: ipRateLimitKey(request.ip),
    rule: { ...rule, limit: rule.limit * factor },
  });
}

/** The URL in the message: the public URL of the app's domain, so the click reaches the browser's cookie. */
export function flowLinkUrl(ctx: LoginContext, settings: AppSettings, token: string): string {
  return `${publicUrlOf(settings, ctx.config.publicUrl)}/login/link/${token}`;
}

function flowMessage(
  ctx: LoginContext,
  settings: AppSettings,
  flow: LoginFlowRow,
  linkToken: string,
  code: string,
  now: number,
): OutboxRow {
  return queuedOutboxRow(
    ctx,
    { appId: flow.app_id, linkId: null, channel: flow.identifier_kind, recipient: flow.identifier },
    {
      v: 1,
      url: flowLinkUrl(ctx, settings, linkToken),
      code: displayCode(code),
      type: 'login',
      language: flow.language,
      identifier: flow.identifier,
      identifierKind: flow.identifier_kind,
      expiresAt: flow.expires_at,
    },
    now,
  );
}

function identifierOf(
  input: { email?: string | undefined; phone?: string | undefined },
  region: string | null,
): {
  kind: Channel;
  identifier: string;
} {
  if ((input.email === undefined) === (input.phone === undefined))
    throw validationError('email', 'Give exactly one of email or phone.');
  if (input.email !== undefined) return { kind: 'email', identifier: emailOrThrow(input.email) };
  return { kind: 'phone', identifier: phoneOrThrow(input.phone!, 'phone', region) };
}

/** `identifier` of verify-code: an email if it has an @, else a phone number. */
export function parseIdentifier(
  raw: string,
  region: string | null = null,
): { kind: Channel; identifier: string } {
  return raw.includes('@')
    ? { kind: 'email', identifier: emailOrThrow(raw, 'identifier') }
    : { kind: 'phone', identifier: phoneOrThrow(raw, 'identifier', region) };
}

function languageOf(language: string | undefined): string | null {
  // Lenient, unlike link creation: a browser's odd language tag falls back to the app's default.
  return toLanguage(language) ?? null;
}

export interface CompletedLogin {
  status: 'completed';
  /** The app's redirect URL with `lk_code`, which the app's backend exchanges like that of a link. */
  redirect_url: string;
}

export interface VerifyCodeInput {
  appId: string;
  identifier: string;
  code: string;
  browserSecret: string | undefined;
}

/**
 * Signs in with the code from the message. Every attempt is counted first, in one guarded UPDATE, and only then
 * compared, so concurrent guesses cannot get past the limit; after the last wrong try even the right code fails.
 */
export async function verifyCode(
  ctx: LoginContext,
  input: VerifyCodeInput,
  request: RequestInfo,
): Promise<CompletedLogin> {
  const { settings } = await getAppOrThrow(ctx, input.appId);
  const { identifier } = parseIdentifier(input.identifier, settings.default_phone_region);
  await limitIp(ctx, input.appId, settings, 'login_code', request);
  await enforceRateLimit(ctx, {
    appId: input.appId,
    scope: 'identifier',
    bucket: 'login_code',
    key: identifier,
    rule: identifierRules(settings.rate_limits).codeAttempts,
  });
  const now = ctx.clock();
  const own = await browserFlow(ctx, input.appId, input.browserSecret);
  const flow =
    own && own.identifier === identifier && isOpen(own, now)
      ? own
      : await ctx.store.latestOpenLoginFlow(input.appId, identifier, now);
  if (!flow) throw codeInvalid();
  const attempts = await ctx.store.countCodeAttempt(flow.id, MAX_CODE_ATTEMPTS, now);
  if (attempts === null) throw codeExhausted();
  if (!codeMatches(ctx, flow.id, input.code, flow.code_hash)) {
    await ctx.store.insertEvents([
      makeEvent(
        ctx,
        flow.app_id,
        'login.code_failed',
        flow.id,
        { login_flow_id: flow.id, attempt: attempts, attempts_left: MAX_CODE_ATTEMPTS - attempts },
        now,
      ),
    ]);
    throw attempts >= MAX_CODE_ATTEMPTS ? codeExhausted() : codeInvalid();
  }
  const done = await completeFlow(ctx, flow, ['pending', 'approved'], 'otp', request);
  if (!done) throw codeInvalid();
  return done;
}

function codeInvalid(): ApiError {
  return new ApiError('code_invalid', 'The code is not right, or it has expired. Check it and try again.', {
    param: 'code',
  });
}

function codeExhausted(): ApiError {
  return new ApiError(
    'code_exhausted',
    'Too many wrong codes: this code no longer works. Use the link in the message, or ask for a new one.',
    { param: 'code' },
  );
}

export type FlowStatus = LoginFlowStatus | 'expired' | 'none';

/** Where the browser's newest flow stands, for the page that waits for an approval from another device. */
export async function loginStatus(
  ctx: LoginContext,
  appId: string,
  browserSecret: string | undefined,
): Promise<{ status: FlowStatus; flow: LoginFlowRow | undefined }> {
  const flow = await browserFlow(ctx, appId, browserSecret);
  if (!flow) return { status: 'none', flow };
  if ((flow.status === 'pending' || flow.status === 'approved') && flow.expires_at <= ctx.clock())
    return { status: 'expired', flow };
  return { status: flow.status, flow };
}

/** Finishes, in the browser that started it, a flow that another device approved. */
export async function completeApproved(
  ctx: LoginContext,
  appId: string,
  browserSecret: string | undefined,
  request: RequestInfo,
): Promise<CompletedLogin> {
  const { settings } = await getAppOrThrow(ctx, appId);
  await limitIp(ctx, appId, settings, 'login_complete', request);
  const { status, flow } = await loginStatus(ctx, appId, browserSecret);
  if (status !== 'approved' || !flow) throw notApproved(status);
  const done = await completeFlow(ctx, flow, ['approved'], 'magic_link', request);
  if (!done) throw notApproved('expired');
  return done;
}

function notApproved(status: FlowStatus): ApiError {
  if (status === 'none')
    return new ApiError('login_flow_not_found', 'No sign-in was started in this browser. Start again.');
  const why: Record<Exclude<FlowStatus, 'none'>, string> = {
    pending: 'The sign-in has not been approved yet. Open the link in the message, or type the code.',
    approved: 'The sign-in could not be finished. Start again.',
    denied: 'The sign-in was refused on the other device. Start again if that was a mistake.',
    completed: 'This sign-in has already finished. Start again to sign in once more.',
    expired: 'The sign-in request has expired. Start again.',
  };
  return new ApiError('login_not_approved', why[status]);
}

async function browserFlow(
  ctx: LoginContext,
  appId: string,
  browserSecret: string | undefined,
): Promise<LoginFlowRow | undefined> {
  if (browserSecret === undefined || !BROWSER_SECRET_SHAPE.test(browserSecret)) return undefined;
  return ctx.store.latestLoginFlowForBrowser(appId, hashSecret(browserSecret));
}

function isOpen(flow: LoginFlowRow, now: number): boolean {
  return (flow.status === 'pending' || flow.status === 'approved') && flow.expires_at > now;
}

/** Does this request come from the browser that started the flow? */
export function isStartingBrowser(flow: LoginFlowRow, browserSecret: string | undefined): boolean {
  return (
    browserSecret !== undefined &&
    BROWSER_SECRET_SHAPE.test(browserSecret) &&
    hashSecret(browserSecret) === flow.browser_hash
  );
}

export type FlowLinkProblem = 'link_invalid' | 'link_expired' | 'link_used';

/** Looks the link of a message up without spending it (GET of its page). */
export async function peekFlowLink(
  ctx: LoginContext,
  token: string,
): Promise<{ flow: LoginFlowRow | undefined; problem: FlowLinkProblem | null }> {
  if (!LINK_TOKEN_SHAPE.test(token)) return { flow: undefined, problem: 'link_invalid' };
  const flow = await ctx.store.findLoginFlowByLinkHash(hashSecret(token));
  return { flow, problem: flowLinkProblem(flow, ctx.clock()) };
}

function flowLinkProblem(flow: LoginFlowRow | undefined, now: number): FlowLinkProblem | null {
  if (!flow || flow.deliverable === 0) return 'link_invalid';
  if (flow.link_used_at !== null || flow.status !== 'pending') return 'link_used';
  if (flow.expires_at <= now) return 'link_expired';
  return null;
}

/** The link clicked in the browser that started the flow: it signs in there. */
export async function finishWithLink(
  ctx: LoginContext,
  flow: LoginFlowRow,
  request: RequestInfo,
): Promise<CompletedLogin | FlowLinkProblem> {
  const { settings } = await getAppOrThrow(ctx, flow.app_id);
  await limitIp(ctx, flow.app_id, settings, 'login_link', request);
  const done = await completeFlow(ctx, flow, ['pending'], 'magic_link', request);
  if (done) return done;
  const current = await ctx.store.findLoginFlowByLinkHash(flow.link_hash);
  return flowLinkProblem(current, ctx.clock()) ?? 'link_used';
}

/**
 * The link clicked anywhere else: the person approves (or refuses) the request of the other device, which is then
 * signed in when it next asks. This browser is never signed in, so a link mailed by someone else cannot sign its
 * reader into the sender's account (login CSRF).
 */
export async function decideWithLink(
  ctx: LoginContext,
  flow: LoginFlowRow,
  decision: 'approved' | 'denied',
  request: RequestInfo,
): Promise<FlowLinkProblem | null> {
  const { settings } = await getAppOrThrow(ctx, flow.app_id);
  await limitIp(ctx, flow.app_id, settings, 'login_link', request);
  const now = ctx.clock();
  const decided = await ctx.store.decideLoginFlow(flow.id, decision, now, [
    makeEvent(
      ctx,
      flow.app_id,
      decision === 'approved' ? 'login.approved' : 'login.denied',
      flow.id,
      { login_flow_id: flow.id },
      now,
    ),
  ]);
  if (decided) return null;
  const current = await ctx.store.findLoginFlowByLinkHash(flow.link_hash);
  return flowLinkProblem(current, now) ?? 'link_used';
}

/** Opens the session and the one-minute exchange code, creating the user now if the app allows it. */
async function completeFlow(
  ctx: LoginContext,
  flow: LoginFlowRow,
  from: LoginFlowStatus[],
  amr: Amr,
  request: RequestInfo,
): Promise<CompletedLogin | undefined> {
  const { settings } = await getAppOrThrow(ctx, flow.app_id);
  const now = ctx.clock();
  const exchangeCode = orderedSecret(now, ctx.random);
  const newUser = settings.auto_create_users
    ? buildUser(ctx, flow.app_id, { [flow.identifier_kind]: flow.identifier }, now)
    : undefined;
  const result = await ctx.store.completeLoginFlow(
    { flowId: flow.id, from, now, newUser },
    (current, user, created) => {
      const session = buildSession(
        ctx,
        {
          appId: current.app_id,
          userId: user.id,
          amr,
          linkId: null,
          durationMinutes: settings.session_duration_minutes,
          ip: request.ip ?? null,
          userAgent: request.userAgent ?? null,
        },
        now,
      );
      return {
        session,
        exchangeCode: buildExchangeCode(
          exchangeCode,
          session,
          { redirectUrl: current.redirect_url, codeChallenge: current.code_challenge },
          now,
        ),
        events: completionEvents(ctx, current, user, created, session, now),
      };
    },
  );
  if (!result.ok) return undefined;
  return {
    status: 'completed',
    redirect_url: withQueryParam(result.flow.redirect_url, 'lk_code', exchangeCode),
  };
}

function completionEvents(
  ctx: LoginContext,
  flow: LoginFlowRow,
  user: UserRow,
  created: boolean,
  session: SessionRow,
  now: number,
): EventRow[] {
  const events: EventRow[] = [];
  if (created)
    events.push(
      makeEvent(ctx, flow.app_id, 'user.created', user.id, { user_id: user.id, via: 'login' }, now),
    );
  const verified = flow.identifier_kind === 'email' ? user.email_verified : user.phone_verified;
  if (verified === 0) events.push(userVerifiedEvent(ctx, flow.app_id, user.id, flow.identifier_kind, now));
  events.push(sessionCreatedEvent(ctx, session, now, { login_flow_id: flow.id }));
  return events;
}
