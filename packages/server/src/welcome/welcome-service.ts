/**
 * Latchkey's own "signed in" page, where a new installation's default app sends people until its operator sets a
 * redirect of their own. The page stands in for the app's backend: it exchanges the `lk_code` (Latchkey holds it,
 * so it can) and shows what a backend would get. It does so only for an app whose allowlist sends sign-ins here,
 * so no other app's codes can be spent on this page.
 */
import { getAppOrThrow } from '../apps/app-service.js';
import { welcomeUrl } from '../apps/app-settings.js';
import { checkRedirect } from '../apps/redirect-policy.js';
import { ApiError } from '../errors/api-error.js';
import type { SessionContext } from '../sessions/session-context.js';
import { exchangeCode } from '../sessions/session-service.js';

export interface Welcome {
  appId: string;
  appName: string;
  identifier: string | null;
  /** The session token's claims, as a backend that verifies it would read them. */
  claims: Record<string, unknown>;
  sessionExpiresAt: string;
}

/** The app, if it sends its sign-ins to this page; `not_found` otherwise (it says nothing about other apps). */
export async function welcomeApp(ctx: SessionContext, appId: string): Promise<{ name: string }> {
  const found = await getAppOrThrow(ctx, appId).catch(() => undefined);
  if (!found || !checkRedirect(welcomeUrl(ctx.config.publicUrl, appId), found.settings.allowed_redirects).ok)
    throw new ApiError('not_found', 'This app does not send its sign-ins to the welcome page.');
  return { name: found.app.name };
}

export async function completeWelcome(ctx: SessionContext, appId: string, code: string): Promise<Welcome> {
  const app = await welcomeApp(ctx, appId);
  const { user, session } = await exchangeCode(ctx, appId, code, undefined);
  return {
    appId,
    appName: app.name,
    identifier: user.email ?? user.phone ?? user.external_id,
    claims: claimsOf(session.token),
    sessionExpiresAt: session.expires_at,
  };
}

function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}
