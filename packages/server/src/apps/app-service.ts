import { hashSecret, newId, randomSecret } from '../crypto/tokens.js';
import { ApiError, validationError } from '../errors/api-error.js';
import { makeEvent } from '../events/event-factory.js';
import type { Principal } from '../http/auth.js';
import type { ApiKeyRow, AppRow, Page } from '../storage/rows.js';
import { forgetAppHosts } from './app-hosts.js';
import {
  type AppSettings,
  applySettingsPatch,
  defaultSettings,
  publicHostOf,
  readSettings,
  type SettingsPatch,
  welcomeUrl,
} from './app-settings.js';
import { type AppChanges, type AppContext, type HostMovePlan, PublicHostTaken } from './app-store.js';
import { checkRedirect } from './redirect-policy.js';

export interface CreatedKey {
  row: ApiKeyRow;
  /** The only time the full key exists outside the caller's hands. */
  secret: string;
}

export function newApiKey(
  ctx: AppContext,
  kind: 'app' | 'admin',
  appId: string | null,
  label: string,
): CreatedKey {
  const now = ctx.clock();
  const secret = `${kind === 'app' ? 'lk_sk' : 'lk_admin'}_${randomSecret(ctx.random)}`;
  return {
    secret,
    row: {
      id: newId('key', now, ctx.random),
      app_id: appId,
      kind,
      label,
      key_hash: hashSecret(secret),
      key_hint: `${secret.slice(0, kind === 'app' ? 10 : 13)}…`,
      created_at: now,
      last_used_at: null,
      revoked_at: null,
    },
  };
}

export async function createApp(
  ctx: AppContext,
  input: { name: string; settings?: SettingsPatch },
  actor: Principal | null,
): Promise<{ app: AppRow; key: CreatedKey }> {
  const now = ctx.clock();
  const settings = applySettingsPatch(defaultSettings(), input.settings ?? {});
  refuseInstallationHost(ctx, settings.public_url);
  const app: AppRow = {
    id: newId('app', now, ctx.random),
    name: input.name,
    settings: JSON.stringify(settings),
    created_at: now,
    updated_at: now,
    internal: 0,
  };
  const key = newApiKey(ctx, 'app', app.id, 'default');
  await hostClaim(ctx, settings.public_url, actor, 'create').of(
    ctx.store.insertApp(
      app,
      [key.row],
      [
        makeEvent(
          ctx,
          app.id,
          'app.created',
          app.id,
          { name: app.name, actor_key_id: actor?.keyId ?? null },
          now,
        ),
        makeEvent(
          ctx,
          app.id,
          'api_key.created',
          key.row.id,
          { label: key.row.label, actor_key_id: actor?.keyId ?? null },
          now,
        ),
      ],
    ),
  );
  forgetAppHosts(ctx);
  return { app, key };
}

/**
 * The installation's own host (that of LATCHKEY_PUBLIC_URL) is where every app without a public_url of its own is
 * reached, and where kid-less links go to the default app: no app may hold it, not even by an admin's move.
 */
function refuseInstallationHost(ctx: AppContext, publicUrl: string | null): void {
  const host = publicHostOf(publicUrl);
  if (host === null || host !== publicHostOf(ctx.config.publicUrl)) return;
  throw new ApiError(
    'host_taken',
    `public_url ${publicUrl} is on ${host}, the host of this Latchkey itself (LATCHKEY_PUBLIC_URL), which every app ` +
      "without a public_url of its own shares, so no app may hold it. Set public_url to null to use it, or choose a host of the app's own.",
    { param: 'public_url' },
  );
}

/**
 * Turns storage's `PublicHostTaken` from `write` into `host_taken` on `public_url`. An app key is only told that
 * another app has the host (it must not learn other apps' ids); an admin key is told which app, and how to move it.
 * `kept`: the change did not touch public_url, but the app's public_url is on a host it does not hold (an app that
 * lost a shared host when migration 0010 ran).
 */
function hostClaim(
  ctx: AppContext,
  publicUrl: string | null,
  actor: Principal | null,
  kind: 'create' | 'patch' | 'kept',
) {
  return {
    async of<T>(write: Promise<T>): Promise<T> {
      try {
        return await write;
      } catch (error) {
        if (!(error instanceof PublicHostTaken)) throw error;
        const said =
          kind === 'kept'
            ? `This app's public_url (${publicUrl}) is on ${error.host}, a host another app holds, so no change ` +
              'to this app can be saved until public_url is set to a host of its own, or to null for the shared one.'
            : `Another app already has ${error.host}, the host of public_url ${publicUrl}: a host belongs to one ` +
              "app. Choose a host of this app's own, or set public_url to null to use the shared one.";
        const more = actor?.kind === 'admin' ? await forAdmin(ctx, error.host, kind) : forAppKey;
        throw new ApiError('host_taken', `${said} ${more}`, { param: 'public_url' });
      }
    },
  };
}

const forAppKey = 'The operator of this Latchkey can move a host between apps with the admin key.';

async function forAdmin(ctx: AppContext, host: string, kind: 'create' | 'patch' | 'kept'): Promise<string> {
  const holder = await ctx.store.findAppByHost(host);
  if (!holder) return 'It has been released since: try again.';
  const owner = `It belongs to ${holder.id} (${holder.name}).`;
  return kind === 'create'
    ? `${owner} Create the app without public_url, then move the host to it with PATCH /v1/apps/{app_id} and "move_host": true.`
    : `${owner} To give it to this app (${holder.id} then falls back to the shared host), send public_url again with "move_host": true.`;
}

/** The app, or undefined when there is none with this id. */
export function findApp(ctx: AppContext, appId: string): Promise<AppRow | undefined> {
  return ctx.store.getApp(appId);
}

export async function getAppOrThrow(
  ctx: AppContext,
  appId: string,
): Promise<{ app: AppRow; settings: AppSettings }> {
  const app = await ctx.store.getApp(appId);
  if (!app) throw new ApiError('not_found', `No app with id ${appId}.`);
  return { app, settings: readSettings(app.settings) };
}

export type AppPatch = SettingsPatch & {
  name?: string;
  /**
   * Admin keys only: take the host of `public_url` from the app that holds it, which falls back to the shared
   * host. An explicit act, so that no ordinary change can ever take a host from another app.
   */
  move_host?: boolean;
};

export async function updateApp(
  ctx: AppContext,
  appId: string,
  patch: AppPatch,
  actor: Principal,
): Promise<AppRow> {
  const { name, move_host: moveHost = false, ...settingsPatch } = patch;
  if (moveHost) checkMoveHost(settingsPatch.public_url, actor);
  const { app, settings } = await getAppOrThrow(ctx, appId);
  const next = applySettingsPatch(settings, leaveWelcome(ctx, appId, settings, settingsPatch));
  if (settingsPatch.public_url !== undefined) refuseInstallationHost(ctx, next.public_url);
  const now = ctx.clock();
  const changed = Object.keys(patch).filter((field) => field !== 'move_host');
  const changes: AppChanges = { name: name ?? app.name, settings: JSON.stringify(next), updated_at: now };
  const claim = hostClaim(
    ctx,
    next.public_url,
    actor,
    settingsPatch.public_url === undefined ? 'kept' : 'patch',
  );
  const row = moveHost
    ? await claim.of(moveHostTo(ctx, appId, changes, changed, actor, now))
    : await claim.of(
        ctx.store.updateApp(appId, changes, [
          makeEvent(ctx, appId, 'app.updated', appId, { changed, actor_key_id: actor.keyId }, now),
        ]),
      );
  if (!row) throw new ApiError('not_found', `No app with id ${appId}.`);
  forgetAppHosts(ctx);
  return row;
}

/**
 * A new installation's default app sends people to Latchkey's welcome page until its operator sets a redirect of
 * their own. An allowlist that no longer holds the welcome page is that moment: the default goes with it, instead
 * of the change being refused because the old default is off the new list.
 */
function leaveWelcome(
  ctx: AppContext,
  appId: string,
  current: AppSettings,
  patch: SettingsPatch,
): SettingsPatch {
  const fallback = current.default_redirect_url;
  if (fallback === null || patch.default_redirect_url !== undefined || patch.allowed_redirects === undefined)
    return patch;
  // By its path: the public URL may have changed since the app was made (`init` on one address, `start` on another).
  if (new URL(fallback).pathname !== new URL(welcomeUrl(ctx.config.publicUrl, appId)).pathname) return patch;
  if (checkRedirect(fallback, patch.allowed_redirects).ok) return patch;
  return { ...patch, default_redirect_url: null };
}

/** Checked in the service rather than the route, so that every caller (the dashboard too) is held to it. */
function checkMoveHost(publicUrl: string | null | undefined, actor: Principal): void {
  if (actor.kind !== 'admin')
    throw new ApiError('forbidden', 'Only an admin key may move a host from one app to another.');
  if (publicUrl === undefined || publicUrl === null) {
    throw validationError(
      'move_host',
      'move_host needs a public_url in the same request: the URL whose host is to move to this app.',
    );
  }
}

/**
 * The admin's explicit move: the app that held the host loses its public_url (and falls back to the shared host),
 * in the same transaction that gives the host to `appId`. Each app's audit trail records the move; neither names
 * the other app, since app keys read their own events and must not learn other apps' ids.
 */
async function moveHostTo(
  ctx: AppContext,
  appId: string,
  changes: AppChanges,
  changed: string[],
  actor: Principal,
  now: number,
): Promise<AppRow | undefined> {
  const host = publicHostOf(readSettings(changes.settings).public_url);
  const plan: HostMovePlan = (holder) => {
    const own = { changed, actor_key_id: actor.keyId };
    if (!holder) return { events: [makeEvent(ctx, appId, 'app.updated', appId, own, now)] };
    const previous = readSettings(holder.settings);
    // Not validated again: dropping public_url cannot make valid settings invalid, and a rule tightened since the
    // holder last saved must not block the operator's move with an error about another app's settings.
    const released: AppSettings = { ...previous, public_url: null };
    const movedFrom = { host, from: 'another app' };
    const movedTo = { host, to: 'another app', previous_public_url: previous.public_url };
    return {
      holderChanges: { name: holder.name, settings: JSON.stringify(released), updated_at: now },
      events: [
        makeEvent(ctx, appId, 'app.updated', appId, { ...own, host_moved: movedFrom }, now),
        makeEvent(
          ctx,
          holder.id,
          'app.updated',
          holder.id,
          { changed: ['public_url'], host_moved: movedTo, actor_key_id: actor.keyId },
          now,
        ),
      ],
    };
  };
  return (await ctx.store.moveAppHost(appId, changes, plan)).app;
}

export async function createApiKey(
  ctx: AppContext,
  appId: string | null,
  label: string,
  actor: Principal,
): Promise<CreatedKey> {
  const key = newApiKey(ctx, appId === null ? 'admin' : 'app', appId, label);
  await ctx.store.insertApiKey(key.row, [
    makeEvent(ctx, appId, 'api_key.created', key.row.id, {
      label,
      kind: key.row.kind,
      actor_key_id: actor.keyId,
    }),
  ]);
  return key;
}

export async function revokeApiKey(
  ctx: AppContext,
  appId: string | null,
  keyId: string,
  actor: Principal,
): Promise<ApiKeyRow> {
  const row = await ctx.store.revokeApiKey(appId, keyId, ctx.clock(), [
    makeEvent(ctx, appId, 'api_key.revoked', keyId, { actor_key_id: actor.keyId }),
  ]);
  if (!row) throw new ApiError('not_found', `No active API key ${keyId} for this app.`);
  return row;
}

/**
 * A key's label is the operator's note of where the key is used; changing it changes nothing else. The event keeps
 * the new label (the dashboard's audit keeps the key before and after).
 */
export async function relabelApiKey(
  ctx: AppContext,
  appId: string | null,
  keyId: string,
  label: string,
  actor: Principal,
): Promise<ApiKeyRow> {
  if (label.trim() === '') throw validationError('label', 'label must say something: it is blank.');
  const row = await ctx.store.relabelApiKey(appId, keyId, label, [
    makeEvent(ctx, appId, 'api_key.updated', keyId, { label, actor_key_id: actor.keyId }),
  ]);
  if (!row) throw new ApiError('not_found', `No API key ${keyId} for this app.`);
  return row;
}

export async function getApiKeyOrThrow(
  ctx: AppContext,
  appId: string | null,
  keyId: string,
): Promise<ApiKeyRow> {
  const row = await ctx.store.getApiKey(appId, keyId);
  if (!row) throw new ApiError('not_found', `No API key ${keyId} for this app.`);
  return row;
}

export function listApiKeys(ctx: AppContext, appId: string | null, page: Page): Promise<ApiKeyRow[]> {
  return ctx.store.listApiKeys(appId, page);
}

export function listApps(ctx: AppContext, page: Page): Promise<AppRow[]> {
  return ctx.store.listApps(page);
}
