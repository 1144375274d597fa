/**
 * What the session-authenticated scope asks of the dashboard (http/auth.ts `OperatorAuthenticator`): whose session
 * a cookie opens, whether its operator may call a route now, which apps exist for it, and where a change is recorded.
 */
import { findApp } from '../apps/app-service.js';
import { ApiError } from '../errors/api-error.js';
import { makeEvent } from '../events/event-factory.js';
import type { DashboardChange, OperatorAuthenticator } from '../http/auth.js';
import { redactText } from '../http/logger.js';
import { isFreshlyAuthenticated, type LiveSession, sessionOf } from './dashboard-sessions.js';
import type { DashboardContext } from './operator-store.js';
import { mayDo, ruleFor } from './roles.js';

export function dashboardAccess(ctx: DashboardContext): OperatorAuthenticator {
  return {
    sessionOf: (secret) => sessionOf(ctx, secret),
    async appExists(appId) {
      const app = await findApp(ctx, appId);
      return app !== undefined && app.internal === 0;
    },
    async authorize(session, method, route, query) {
      const live = session as LiveSession;
      const rule = ruleFor(method, route, query);
      if (rule.permission === 'never') {
        throw new ApiError(
          'forbidden',
          'The dashboard does not make this call; it is for your backend, with an API key.',
        );
      }
      if (!mayDo(live.operator.role, rule.permission)) {
        throw new ApiError(
          'forbidden',
          `Your role (${live.operator.role}) may not do this. Ask an owner of this dashboard for a role that may.`,
        );
      }
      if (rule.reauth && !isFreshlyAuthenticated(ctx, live.row)) {
        throw new ApiError(
          'reauth_required',
          'This change needs a fresh code: confirm it is you with the code Latchkey sends to your address.',
        );
      }
      return { audited: rule.audited };
    },
    audit: (change) => recordChange(ctx, change),
  };
}

/** Fields whose values are secrets, in any answer the dashboard shows once (a new key, a link's token). */
const SECRET_FIELDS = /^(key|secret|token|refresh_token|code|password|previous_secret)$/i;
/** An audit record keeps at most this much of each side; a bulk run's answer is its summary's length anyway. */
const MAX_SIDE = 8192;

async function recordChange(ctx: DashboardContext, change: DashboardChange): Promise<void> {
  await ctx.store.insertEvents([
    makeEvent(ctx, change.appId, 'dashboard.change', change.principal.keyId, {
      operator_id: change.principal.keyId,
      method: change.method,
      route: change.route,
      path: change.path,
      status: change.status,
      before: auditSide(change.before),
      after: auditSide(change.after),
    }),
  ]);
}

/** A side of a change as the audit keeps it: parsed JSON without its secrets, or a note of what it was. */
export function auditSide(body: string | undefined): unknown {
  if (body === undefined || body === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { note: `not JSON (${body.length} characters)` };
  }
  const cleaned = withoutSecrets(value);
  const text = JSON.stringify(cleaned);
  return text.length <= MAX_SIDE ? cleaned : { note: `${text.length} characters, more than the audit keeps` };
}

function withoutSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object' || depth > 32) return value;
  if (Array.isArray(value)) return value.map((item) => withoutSecrets(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      SECRET_FIELDS.test(key) ? '[redacted]' : withoutSecrets(item, depth + 1),
    ]),
  );
}
