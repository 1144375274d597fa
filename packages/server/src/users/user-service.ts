import { newId } from '../crypto/tokens.js';
import { ApiError, validationError } from '../errors/api-error.js';
import { makeEvent } from '../events/event-factory.js';
import type { EventRow, Page, UserRow } from '../storage/rows.js';
import { UniqueViolation } from '../storage/unique-violation.js';
import { normalizeEmail, normalizePhone } from './normalize.js';
import type { UserContext, UserFilter, UserPatch } from './user-store.js';

export interface UserInput {
  email?: string | null | undefined;
  phone?: string | null | undefined;
  external_id?: string | null | undefined;
  email_verified?: boolean | undefined;
  phone_verified?: boolean | undefined;
  metadata?: Record<string, unknown> | undefined;
}

export function emailOrThrow(raw: string, param = 'email'): string {
  const email = normalizeEmail(raw);
  if (!email)
    throw new ApiError(
      'invalid_email',
      `${param} must be an email address such as jane@example.com: one @, no spaces, and a domain whose parts are not empty.`,
      { param },
    );
  return email;
}

/** `region`: the app's default_phone_region, for a number written without `+`. */
export function phoneOrThrow(raw: string, param = 'phone', region: string | null = null): string {
  const phone = normalizePhone(raw, region);
  if (!phone) {
    const national = region
      ? `, or a ${region} number such as one written for calls within ${region}`
      : ' (a number without + needs the app’s default_phone_region)';
    throw new ApiError(
      'invalid_phone',
      `${param} must be a valid phone number in international form, with + and the country code, such as +14155550123 or +44 20 7946 0958${national}.`,
      { param },
    );
  }
  return phone;
}

/** A phone number of `appId`'s users: read in the app's default region when written without `+`. */
export async function appPhoneOrThrow(
  ctx: UserContext,
  appId: string,
  raw: string,
  param = 'phone',
): Promise<string> {
  const region = raw.trim().startsWith('+') ? null : await ctx.store.phoneRegionOf(appId);
  return phoneOrThrow(raw, param, region);
}

/** Storage's `UniqueViolation` (another user of the app has this identifier) as the API's `conflict`. */
export function throwAsConflict(error: unknown): never {
  if (error instanceof UniqueViolation) {
    throw new ApiError('conflict', `Another user of this app already has this ${error.field}.`, {
      param: error.field,
    });
  }
  throw error;
}

/** A user row for `appId`, not yet stored (link creation inserts it together with the link). */
export function buildUser(ctx: UserContext, appId: string, input: UserInput, now = ctx.clock()): UserRow {
  return {
    id: newId('usr', now, ctx.random),
    app_id: appId,
    external_id: input.external_id ?? null,
    email: input.email == null ? null : emailOrThrow(input.email),
    email_verified: input.email_verified ? 1 : 0,
    phone: input.phone == null ? null : phoneOrThrow(input.phone),
    phone_verified: input.phone_verified ? 1 : 0,
    metadata: JSON.stringify(input.metadata ?? {}),
    created_at: now,
    updated_at: now,
    last_login_at: null,
  };
}

export async function createUser(ctx: UserContext, appId: string, input: UserInput): Promise<UserRow> {
  if (input.email == null && input.phone == null && input.external_id == null) {
    throw validationError('email', 'A user needs at least one of email, phone or external_id.');
  }
  const phone = input.phone == null ? input.phone : await appPhoneOrThrow(ctx, appId, input.phone);
  const user = buildUser(ctx, appId, { ...input, phone });
  await ctx.store
    .insertUser(user, [makeEvent(ctx, appId, 'user.created', user.id, { user_id: user.id })])
    .catch(throwAsConflict);
  return user;
}

export async function getUserOrThrow(ctx: UserContext, appId: string, userId: string): Promise<UserRow> {
  const user = await ctx.store.getUser(appId, userId);
  if (!user) throw new ApiError('not_found', `No user ${userId} in this app.`);
  return user;
}

export async function listUsers(
  ctx: UserContext,
  appId: string,
  filter: UserFilter,
  page: Page,
): Promise<UserRow[]> {
  return ctx.store.listUsers(
    appId,
    {
      email: filter.email === undefined ? undefined : emailOrThrow(filter.email),
      phone: filter.phone === undefined ? undefined : await appPhoneOrThrow(ctx, appId, filter.phone),
      external_id: filter.external_id,
    },
    page,
  );
}

export async function updateUser(
  ctx: UserContext,
  appId: string,
  userId: string,
  input: UserInput,
): Promise<UserRow> {
  const current = await getUserOrThrow(ctx, appId, userId);
  const patch: UserPatch = { updated_at: ctx.clock() };
  if (input.email !== undefined) {
    patch.email = input.email === null ? null : emailOrThrow(input.email);
    // A changed address has not been proven yet.
    if (patch.email !== current.email) patch.email_verified = 0;
  }
  if (input.phone !== undefined) {
    patch.phone = input.phone === null ? null : await appPhoneOrThrow(ctx, appId, input.phone);
    if (patch.phone !== current.phone) patch.phone_verified = 0;
  }
  if (input.email_verified !== undefined) patch.email_verified = input.email_verified ? 1 : 0;
  if (input.phone_verified !== undefined) patch.phone_verified = input.phone_verified ? 1 : 0;
  if (input.external_id !== undefined) patch.external_id = input.external_id;
  if (input.metadata !== undefined) patch.metadata = JSON.stringify(input.metadata);
  const next = { ...current, ...patch };
  if (!next.email && !next.phone && !next.external_id) {
    throw validationError('email', 'A user must keep at least one of email, phone or external_id.');
  }
  const row = await ctx.store
    .updateUser(appId, userId, patch, [
      makeEvent(ctx, appId, 'user.updated', userId, { user_id: userId, changed: Object.keys(input) }),
    ])
    .catch(throwAsConflict);
  if (!row) throw new ApiError('not_found', `No user ${userId} in this app.`);
  return row;
}

export async function deleteUser(ctx: UserContext, appId: string, userId: string): Promise<void> {
  const deleted = await ctx.store.deleteUser(
    appId,
    userId,
    ctx.clock(),
    [makeEvent(ctx, appId, 'user.deleted', userId, { user_id: userId })],
    (link) =>
      makeEvent(ctx, appId, 'magic_link.revoked', link.id, {
        magic_link_id: link.id,
        user_id: userId,
        reason: 'user_deleted',
      }),
    (session) =>
      makeEvent(ctx, appId, 'session.revoked', session.id, {
        session_id: session.id,
        user_id: userId,
        reason: 'user_deleted',
      }),
  );
  if (!deleted) throw new ApiError('not_found', `No user ${userId} in this app.`);
}

/** `user.verified`: the user proved control of this identifier for the first time. */
export function userVerifiedEvent(
  ctx: Pick<UserContext, 'clock' | 'random'>,
  appId: string,
  userId: string,
  identifierKind: 'email' | 'phone',
  now: number,
): EventRow {
  return makeEvent(
    ctx,
    appId,
    'user.verified',
    userId,
    { user_id: userId, identifier_kind: identifierKind },
    now,
  );
}
