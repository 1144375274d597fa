import { hashSecret, newId, randomSecret } from '../crypto/tokens.js';
import { ApiError } from '../errors/api-error.js';
import { makeEvent } from '../events/event-factory.js';
import type { Principal } from '../http/auth.js';
import type { ApiKeyRow, AppRow, Page } from '../storage/rows.js';
import { forgetAppHosts } from './app-hosts.js';
import {
  type AppSettings,
  applySettingsPatch,
  defaultSettings,
  readSettings,
  type SettingsPatch,
} from './app-settings.js';
import type { AppContext } from './app-store.js';
import { forgetCachedSettings } from './settings-cache.js';

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
  const app: AppRow = {
    id: newId('app', now, ctx.random),
    name: input.name,
    settings: JSON.stringify(settings),
    created_at: now,
    updated_at: now,
  };
  const key = newApiKey(ctx, 'app', app.id, 'default');
  await ctx.store.insertApp(
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
  );
  forgetAppHosts(ctx);
  return { app, key };
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

export async function updateApp(
  ctx: AppContext,
  appId: string,
  patch: SettingsPatch & { name?: string },
  actor: Principal,
): Promise<AppRow> {
  const { app, settings } = await getAppOrThrow(ctx, appId);
  const { name, ...settingsPatch } = patch;
  const next = applySettingsPatch(settings, settingsPatch);
  const changed = Object.keys(patch);
  const row = await ctx.store.updateApp(
    appId,
    { name: name ?? app.name, settings: JSON.stringify(next), updated_at: ctx.clock() },
    [makeEvent(ctx, appId, 'app.updated', appId, { changed, actor_key_id: actor.keyId })],
  );
  if (!row) throw new ApiError('not_found', `No app with id ${appId}.`);
  forgetAppHosts(ctx);
  forgetCachedSettings(ctx);
  return row;
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

export function listApiKeys(ctx: AppContext, appId: string | null, page: Page): Promise<ApiKeyRow[]> {
  return ctx.store.listApiKeys(appId, page);
}

export function listApps(ctx: AppContext, page: Page): Promise<AppRow[]> {
  return ctx.store.listApps(page);
}
