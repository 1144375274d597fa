import type { Static } from 'typebox';
import { getAppOrThrow } from '../apps/app-service.js';
import { type AppSettings, publicUrlOf } from '../apps/app-settings.js';
import { checkRedirect } from '../apps/redirect-policy.js';
import { newId, orderedSecret, secretLookupHash } from '../crypto/tokens.js';
import { queuedOutboxRow } from '../delivery/outbox-payload.js';
import { ensureCanSend } from '../delivery/transports/create-transports.js';
import { ApiError, validationError } from '../errors/api-error.js';
import { makeEvent } from '../events/event-factory.js';
import { LANGUAGES, toLanguage } from '../pages/languages.js';
import type { EventRow, MagicLinkRow, OutboxRow, Page, UserRow } from '../storage/rows.js';
import type { Channel, LinkType } from '../storage/schema.js';
import { UniqueViolation } from '../storage/unique-violation.js';
import {
  buildUser,
  emailOrThrow,
  getUserOrThrow,
  phoneOrThrow,
  throwAsConflict,
} from '../users/user-service.js';
import { type CreatedMagicLink, type LinkDetail, VISITS_SHOWN, WEBHOOKS_SHOWN } from './link-present.js';
import type { LinkContext, LinkFilter } from './link-store.js';

export interface CreateLinkInput {
  user_id?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
  channel?: Channel | undefined;
  send?: boolean | undefined;
  type?: LinkType | undefined;
  redirect_url?: string | undefined;
  redirect_to?: string | undefined;
  magic_link_path?: string | undefined;
  ttl?: number | undefined;
  language?: string | undefined;
  code_challenge?: string | undefined;
  code_challenge_method?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
}

export interface CreatedLink {
  link: MagicLinkRow;
  url: string;
  token: string;
}

/** A link ready to be written: the rows and what the caller answers with. Nothing is stored yet. */
export interface PlannedLink extends CreatedLink {
  newUser: UserRow | undefined;
  events: EventRow[];
  message: OutboxRow | undefined;
}

export interface PlanOptions {
  /** The app's settings, when the caller already read them (bulk reads them once). */
  settings?: AppSettings;
  /**
   * Users planned but not yet written, by `kind:identifier`: a bulk batch written in one transaction must not
   * create the same new user twice. Planning a new user adds it here.
   */
  plannedUsers?: Map<string, UserRow>;
  /** The campaign the link is made for (links/campaigns/), stamped on the link and its creation event. */
  campaignId?: string | undefined;
}

/** Validates the input and builds the link, its new user (if any), events and message, without writing them. */
export async function planLink(
  ctx: LinkContext,
  appId: string,
  input: CreateLinkInput,
  options: PlanOptions = {},
): Promise<PlannedLink> {
  const settings = options.settings ?? (await getAppOrThrow(ctx, appId)).settings;
  const now = ctx.clock();
  const type = input.type ?? 'login';
  const ttl = resolveTtl(settings, type, input.ttl);
  const language = resolveLanguage(input.language);
  const challenge = resolveChallenge(input.code_challenge, input.code_challenge_method);
  const target = resolveTarget(settings, input);
  if (input.send) ensureSendable(ctx, input);
  const { user, newUser, identifier, identifierKind } = await resolveUser(
    ctx,
    appId,
    settings,
    input,
    now,
    options.plannedUsers,
  );
  // A sent link records the channel it went out on; otherwise the caller's hint, if any.
  const channel = input.send ? resolveChannel(input, identifierKind) : (input.channel ?? null);
  const token = orderedSecret(now, ctx.random);
  const link: MagicLinkRow = {
    id: newId('ml', now, ctx.random),
    app_id: appId,
    user_id: user.id,
    identifier,
    identifier_kind: identifierKind,
    channel,
    type,
    token_hash: secretLookupHash(token),
    redirect_url: target.redirectUrl,
    magic_link_path: target.magicLinkPath,
    code_challenge: challenge,
    language,
    ttl_minutes: ttl,
    status: 'created',
    metadata: JSON.stringify(input.metadata ?? {}),
    created_at: now,
    expires_at: now + ttl * 60_000,
    sent_at: null,
    delivered_at: null,
    delivery_failed_at: null,
    opened_at: null,
    redeemed_at: null,
    revoked_at: null,
    session_id: null,
    campaign_id: options.campaignId ?? null,
  };
  const events: EventRow[] = [];
  if (newUser)
    events.push(makeEvent(ctx, appId, 'user.created', user.id, { user_id: user.id, via: 'magic_link' }, now));
  events.push(
    makeEvent(
      ctx,
      appId,
      'magic_link.created',
      link.id,
      {
        magic_link_id: link.id,
        user_id: user.id,
        type,
        ttl,
        ...(options.campaignId === undefined ? {} : { campaign_id: options.campaignId }),
      },
      now,
    ),
  );
  const url = linkUrl(ctx, settings, link, token);
  const message = channel !== null && input.send ? queuedMessage(ctx, link, url, channel, now) : undefined;
  return { link, token, url, newUser: newUser ? user : undefined, events, message };
}

export async function createLink(
  ctx: LinkContext,
  appId: string,
  input: CreateLinkInput,
  options: Pick<PlanOptions, 'campaignId'> = {},
  retried = false,
): Promise<CreatedLink> {
  const { link, token, url, newUser, events, message } = await planLink(ctx, appId, input, options);
  try {
    await ctx.store.createLink(link, newUser, events, message);
  } catch (error) {
    // Two first requests for the same new address raced to create its user; the loser retries and finds it.
    if (newUser && error instanceof UniqueViolation && !retried)
      return createLink(ctx, appId, input, options, true);
    throwAsConflict(error);
  }
  if (message) ctx.delivery.wake();
  return { link, token, url };
}

export function linkUrl(ctx: LinkContext, settings: AppSettings, link: MagicLinkRow, token: string): string {
  if (link.magic_link_path !== null && settings.site_url !== null) {
    const url = new URL(link.magic_link_path, settings.site_url);
    url.searchParams.set('lk_token', token);
    return url.href;
  }
  return `${publicUrlOf(settings, ctx.config.publicUrl)}/l/${token}`;
}

function resolveTtl(settings: AppSettings, type: LinkType, ttl: number | undefined): number {
  if (ttl === undefined) return settings.ttl_minutes[type];
  if (ttl > settings.max_ttl_minutes) {
    throw new ApiError(
      'ttl_too_long',
      `ttl is ${ttl} minutes; this app allows at most ${settings.max_ttl_minutes} (max_ttl_minutes).`,
      {
        param: 'ttl',
      },
    );
  }
  return ttl;
}

function resolveLanguage(language: string | undefined): string | null {
  if (language === undefined) return null;
  const known = toLanguage(language);
  if (!known) throw validationError('language', `language must be one of ${LANGUAGES.join(', ')}.`);
  return known;
}

export function resolveChallenge(challenge: string | undefined, method: string | undefined): string | null {
  if (challenge === undefined) {
    if (method !== undefined)
      throw validationError('code_challenge', 'code_challenge_method was given without code_challenge.');
    return null;
  }
  if ((method ?? 'S256') !== 'S256') {
    throw validationError(
      'code_challenge_method',
      'Only S256 is supported: code_challenge = BASE64URL(SHA256(code_verifier)).',
    );
  }
  if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
    throw validationError(
      'code_challenge',
      'code_challenge must be the 43-character base64url SHA-256 of the code_verifier.',
    );
  }
  return challenge;
}

export interface Target {
  redirectUrl: string | null;
  magicLinkPath: string | null;
}

/** Where the person lands after redemption: every candidate passes the app's allowlist before it is stored. */
export function resolveTarget(settings: AppSettings, input: CreateLinkInput): Target {
  if (input.redirect_url !== undefined && input.redirect_to !== undefined) {
    throw validationError('redirect_to', 'Give redirect_url or redirect_to, not both.');
  }
  let magicLinkPath: string | null = null;
  if (input.magic_link_path !== undefined) {
    if (!/^\/(?![/\\])[\x21-\x7e]*$/.test(input.magic_link_path) || input.magic_link_path.includes('\\')) {
      throw validationError(
        'magic_link_path',
        'magic_link_path must be a path on your site starting with a single /, such as /auth/magic.',
      );
    }
    if (settings.site_url === null) {
      throw validationError(
        'magic_link_path',
        "Set the app's site_url (PATCH /v1/apps/{app_id}) before using magic_link_path.",
      );
    }
    magicLinkPath = input.magic_link_path;
  }
  let candidate: string | null = null;
  let param = 'redirect_url';
  if (input.redirect_url !== undefined) {
    candidate = input.redirect_url;
  } else if (input.redirect_to !== undefined) {
    param = 'redirect_to';
    const shortcut = settings.page_shortcuts[input.redirect_to];
    if (shortcut === undefined || !Object.hasOwn(settings.page_shortcuts, input.redirect_to)) {
      const known = Object.keys(settings.page_shortcuts);
      throw validationError(
        'redirect_to',
        `redirect_to must name a page shortcut of this app (${known.join(', ') || 'none defined'}).`,
      );
    }
    candidate = shortcut;
  } else if (settings.default_redirect_url !== null) {
    candidate = settings.default_redirect_url;
  } else if (settings.default_shortcut !== null) {
    candidate = settings.page_shortcuts[settings.default_shortcut] ?? null;
  }
  if (candidate === null) {
    if (magicLinkPath !== null) return { redirectUrl: null, magicLinkPath };
    throw new ApiError(
      'redirect_required',
      'Say where to send the person after sign-in: pass redirect_url or redirect_to, or set default_redirect_url on the app.',
      {
        param: 'redirect_url',
      },
    );
  }
  const checked = checkRedirect(candidate, settings.allowed_redirects);
  if (!checked.ok)
    throw new ApiError(
      'redirect_not_allowed',
      `${checked.reason}. Add it with PATCH /v1/apps/{app_id} (allowed_redirects).`,
      { param },
    );
  return { redirectUrl: checked.url, magicLinkPath };
}

interface ResolvedUser {
  user: UserRow;
  newUser: boolean;
  identifier: string;
  identifierKind: Channel;
}

/**
 * `user_id` as Passage's path takes it: a `usr_…` id as is, anything else an `external_id` (a Passage user id kept
 * by the import), answered as that user's id; `user_not_found` when no user has it.
 */
export async function userIdOf(
  ctx: LinkContext,
  appId: string,
  given: string | undefined,
): Promise<string | undefined> {
  if (given === undefined || /^usr_[0-9a-z]{26}$/.test(given)) return given;
  const user = await ctx.store.findUser(appId, 'external_id', given);
  if (!user)
    throw new ApiError('user_not_found', `No user of this app has the id or external_id ${given}.`, {
      param: 'user_id',
    });
  return user.id;
}

async function resolveUser(
  ctx: LinkContext,
  appId: string,
  settings: AppSettings,
  input: CreateLinkInput,
  now: number,
  plannedUsers?: Map<string, UserRow>,
): Promise<ResolvedUser> {
  const given = [input.user_id, input.email, input.phone].filter((v) => v !== undefined).length;
  if (given !== 1) throw validationError('user_id', 'Give exactly one of user_id, email or phone.');

  if (input.user_id !== undefined) {
    const user = await ctx.store.getUser(appId, input.user_id);
    if (!user)
      throw new ApiError('user_not_found', `No user ${input.user_id} in this app.`, { param: 'user_id' });
    const kind: Channel = input.channel ?? (user.email !== null ? 'email' : 'phone');
    const identifier = kind === 'email' ? user.email : user.phone;
    if (identifier === null) {
      throw new ApiError(
        'channel_unavailable',
        `User ${user.id} has no ${kind === 'email' ? 'email address' : 'phone number'}.`,
        { param: 'channel' },
      );
    }
    return { user, newUser: false, identifier, identifierKind: kind };
  }

  const kind: Channel = input.email !== undefined ? 'email' : 'phone';
  if (input.channel !== undefined && input.channel !== kind) {
    throw validationError(
      'channel',
      `channel is ${input.channel} but the link is for ${kind === 'email' ? 'an email address' : 'a phone number'}.`,
    );
  }
  const identifier =
    kind === 'email'
      ? emailOrThrow(input.email!)
      : phoneOrThrow(input.phone!, 'phone', settings.default_phone_region);
  const planned = plannedUsers?.get(`${kind}:${identifier}`);
  if (planned) return { user: planned, newUser: false, identifier, identifierKind: kind };
  const existing = await ctx.store.findUser(appId, kind, identifier);
  if (existing) return { user: existing, newUser: false, identifier, identifierKind: kind };
  if (!settings.auto_create_users) {
    throw new ApiError(
      'user_creation_disabled',
      `No user has this ${kind} and the app does not create users on demand.`,
      { param: kind },
    );
  }
  const user = buildUser(ctx, appId, { [kind]: identifier }, now);
  plannedUsers?.set(`${kind}:${identifier}`, user);
  return { user, newUser: true, identifier, identifierKind: kind };
}

export async function getLinkOrThrow(ctx: LinkContext, appId: string, linkId: string): Promise<MagicLinkRow> {
  const link = await ctx.store.getLink(appId, linkId);
  if (!link) throw new ApiError('not_found', `No magic link ${linkId} in this app.`);
  return link;
}

/**
 * A link with the messages that carry it and their attempts, the newest visits of its page, and the newest webhook
 * sends of its events.
 */
export async function getLinkDetail(ctx: LinkContext, appId: string, linkId: string): Promise<LinkDetail> {
  const link = await getLinkOrThrow(ctx, appId, linkId);
  const [deliveries, attempts, visits, webhooks] = await Promise.all([
    ctx.store.listOutboxForLink(appId, link.id),
    ctx.store.listLinkAttempts(appId, link.id),
    ctx.store.listLinkVisits(appId, link.id, VISITS_SHOWN),
    ctx.store.listLinkWebhookAttempts(appId, link.id, WEBHOOKS_SHOWN),
  ]);
  return { link, deliveries, attempts, visits, webhooks };
}

export function listLinks(
  ctx: LinkContext,
  appId: string,
  filter: LinkFilter,
  page: Page,
): Promise<MagicLinkRow[]> {
  return ctx.store.listLinks(appId, filter, page, ctx.clock());
}

export async function revokeLink(ctx: LinkContext, appId: string, linkId: string): Promise<MagicLinkRow> {
  const result = await ctx.store.revokeLink(appId, linkId, ctx.clock(), (link) =>
    makeEvent(ctx, appId, 'magic_link.revoked', link.id, { magic_link_id: link.id, user_id: link.user_id }),
  );
  if (!result) throw new ApiError('not_found', `No magic link ${linkId} in this app.`);
  if (!result.revoked && result.link.status === 'redeemed') {
    throw new ApiError(
      'link_used',
      'The link was already used; there is nothing to revoke. Revoke the session instead.',
    );
  }
  return result.link;
}

export async function revokeUserLinks(ctx: LinkContext, appId: string, userId: string): Promise<number> {
  await getUserOrThrow(ctx, appId, userId);
  return ctx.store.revokeUserLinks(appId, userId, ctx.clock(), (link) =>
    makeEvent(ctx, appId, 'magic_link.revoked', link.id, {
      magic_link_id: link.id,
      user_id: userId,
      reason: 'bulk',
    }),
  );
}

/**
 * The channel a sent link goes out on: the kind of identifier it was made for, or for a `user_id` link, the
 * `channel` the caller names (required then, so a user with both an email and a phone is never guessed at).
 */
function resolveChannel(input: CreateLinkInput, identifierKind: Channel): Channel {
  if (input.user_id !== undefined && input.channel === undefined) {
    throw validationError(
      'channel',
      'With user_id and send: true, say how to send the link: channel "email" or "phone".',
    );
  }
  return input.channel ?? identifierKind;
}

/**
 * Refuses `send: true` when this server cannot send on the link's channel (production, no transport for it). Checked
 * before the user is resolved, so nothing is stored and a bulk batch never plans a user for a row that then fails.
 * A `user_id` link without `channel` is left to `resolveChannel`, which asks for one.
 */
function ensureSendable(ctx: LinkContext, input: CreateLinkInput): void {
  const channel: Channel | undefined =
    input.channel ?? (input.email !== undefined ? 'email' : input.phone !== undefined ? 'phone' : undefined);
  if (channel === undefined) return;
  ensureCanSend(
    ctx.config,
    channel,
    "Ask the server's operator to configure it, or create the link without send and deliver its url yourself.",
    'send',
  );
}

/** The message that delivers a link, queued in the same transaction as the link; its payload is sealed. */
function queuedMessage(
  ctx: LinkContext,
  link: MagicLinkRow,
  url: string,
  channel: Channel,
  now: number,
): OutboxRow {
  return queuedOutboxRow(
    ctx,
    { appId: link.app_id, linkId: link.id, channel, recipient: link.identifier },
    {
      v: 1,
      url,
      type: link.type,
      language: link.language,
      identifier: link.identifier,
      identifierKind: link.identifier_kind,
      expiresAt: link.expires_at,
    },
    now,
  );
}

/** The `magic_link` object of a create response (Passage's shape): the one place the token is ever shown. */
export function presentCreatedLink(created: CreatedLink): Static<typeof CreatedMagicLink> {
  const { link } = created;
  return {
    id: link.id,
    app_id: link.app_id,
    user_id: link.user_id,
    identifier: link.identifier,
    type: link.type,
    redirect_url: link.redirect_url,
    url: created.url,
    ttl: link.ttl_minutes,
    expires_at: new Date(link.expires_at).toISOString(),
    activated: false as const,
    secret: created.token,
  };
}
