/**
 * The installation's own app behind dashboard sign-in. Operators sign in like any person signs in to an app: a
 * login flow of this app sends them a link and a code, and its users are exactly the operators, so nobody else is
 * ever sent a message (the flow writes the same answer for every address). It is `internal`: never listed, never
 * reachable with an API key, and it has none.
 */
import { applySettingsPatch, defaultSettings, readSettings } from '../apps/app-settings.js';
import { newId } from '../crypto/tokens.js';
import { makeEvent } from '../events/event-factory.js';
import type { AppRow } from '../storage/rows.js';
import type { DashboardContext } from './operator-store.js';

const INTERNAL_APP_KEY = 'dashboard_app';
/** How long the dashboard's sign-in flow and its sessions in the internal app last: the absolute session end. */
export const SESSION_HOURS = 8;

const known = new WeakMap<object, string>();

/** Where a finished sign-in lands: the server exchanges its code and sets the dashboard's cookie. */
export function callbackUrl(publicUrl: string): string {
  return `${publicUrl}/dashboard/auth/callback`;
}

/**
 * The internal app, created on first use by exactly one node (the others wait for it), with its settings kept in
 * step with the server's public URL, which may change between starts.
 */
export async function internalApp(ctx: DashboardContext): Promise<AppRow> {
  const cached = known.get(ctx.store);
  const found = cached === undefined ? undefined : await ctx.store.getApp(cached);
  if (found) return found;
  let id = await ctx.store.getMeta(INTERNAL_APP_KEY);
  if (id === undefined) {
    const app = buildInternalApp(ctx);
    if (await ctx.store.claimOnce(INTERNAL_APP_KEY, app.id, ctx.clock())) {
      await ctx.store.insertApp(
        app,
        [],
        [makeEvent(ctx, app.id, 'app.created', app.id, { name: app.name, internal: true })],
      );
      known.set(ctx.store, app.id);
      return app;
    }
    id = await ctx.store.getMeta(INTERNAL_APP_KEY);
  }
  const app = await waitForApp(ctx, id!);
  known.set(ctx.store, app.id);
  return keepInStep(ctx, app);
}

function buildInternalApp(ctx: DashboardContext): AppRow {
  const now = ctx.clock();
  return {
    id: newId('app', now, ctx.random),
    name: 'Latchkey dashboard',
    settings: JSON.stringify(internalSettings(ctx.config.publicUrl)),
    created_at: now,
    updated_at: now,
    internal: 1,
  };
}

function internalSettings(publicUrl: string) {
  return applySettingsPatch(defaultSettings(), {
    allowed_redirects: [`${publicUrl}/dashboard/`],
    default_redirect_url: callbackUrl(publicUrl),
    site_url: publicUrl,
    auto_create_users: false,
    session_duration_minutes: SESSION_HOURS * 60,
    ttl_minutes: { login: 15 },
  });
}

/** Another node created the app a moment ago: its row may not be committed yet. */
async function waitForApp(ctx: DashboardContext, id: string): Promise<AppRow> {
  for (let tries = 0; tries < 50; tries++) {
    const app = await ctx.store.getApp(id);
    if (app) return app;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the dashboard's internal app ${id} is recorded but does not exist`);
}

async function keepInStep(ctx: DashboardContext, app: AppRow): Promise<AppRow> {
  const wanted = internalSettings(ctx.config.publicUrl);
  const current = readSettings(app.settings);
  if (current.default_redirect_url === wanted.default_redirect_url) return app;
  const updated = await ctx.store.updateApp(
    app.id,
    { name: app.name, settings: JSON.stringify({ ...current, ...wanted }), updated_at: ctx.clock() },
    [
      makeEvent(ctx, app.id, 'app.updated', app.id, {
        changed: ['allowed_redirects', 'default_redirect_url'],
      }),
    ],
  );
  return updated ?? app;
}
