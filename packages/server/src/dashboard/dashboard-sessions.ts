/**
 * Dashboard sessions: a cookie holding a 256-bit secret, stored only as its SHA-256. A session ends after 30 idle
 * minutes or 8 hours, whichever comes first, or at sign-out. Changes need the CSRF token, which is derived from the
 * secret: only a page that can read the session endpoint's answer (the dashboard's own origin) learns it.
 */
import { createHash } from 'node:crypto';
import { hashSecret, newId, randomSecret } from '../crypto/tokens.js';
import { makeEvent } from '../events/event-factory.js';
import type { OperatorSession } from '../http/auth.js';
import type { OperatorRow, OperatorSessionRow } from '../storage/rows.js';
import { SESSION_HOURS } from './internal-app.js';
import type { DashboardContext } from './operator-store.js';

export const IDLE_MS = 30 * 60_000;
export const ABSOLUTE_MS = SESSION_HOURS * 60 * 60_000;
/** `last_seen_at` is written at most this often, so reading pages does not turn every request into a write. */
const TOUCH_MS = 60_000;
/** A sensitive change (a new key, a rotated secret, operators, bulk sends, deletes) needs a code this fresh. */
export const REAUTH_MS = 5 * 60_000;

export interface LiveSession extends OperatorSession {
  row: OperatorSessionRow;
  operator: OperatorRow;
}

/** Opens a session for an operator who just proved control of their address (a fresh sign-in counts as re-auth). */
export async function openSession(
  ctx: DashboardContext,
  operator: OperatorRow,
  via: 'link' | 'code' | 'one_time_link',
): Promise<{ secret: string; row: OperatorSessionRow }> {
  const now = ctx.clock();
  const secret = randomSecret(ctx.random);
  const row: OperatorSessionRow = {
    id: newId('os', now, ctx.random),
    operator_id: operator.id,
    secret_hash: hashSecret(secret),
    created_at: now,
    last_seen_at: now,
    expires_at: now + ABSOLUTE_MS,
    reauth_at: now,
    revoked_at: null,
  };
  await ctx.store.insertOperatorSession(row, [
    makeEvent(ctx, null, 'operator.signed_in', operator.id, { operator_id: operator.id, via }, now),
  ]);
  await ctx.store.markOperatorSignedIn(operator.id, now);
  return { secret, row };
}

/** The live session of a cookie's secret, or undefined; an idle or expired one is ended on the way. */
export async function sessionOf(ctx: DashboardContext, secret: string): Promise<LiveSession | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(secret)) return undefined;
  const row = await ctx.store.findOperatorSession(hashSecret(secret));
  if (!row || row.revoked_at !== null) return undefined;
  const now = ctx.clock();
  if (now >= row.expires_at || now - row.last_seen_at >= IDLE_MS) {
    await ctx.store.revokeOperatorSession(row.id, now);
    return undefined;
  }
  const operator = await ctx.store.getOperator(row.operator_id);
  if (!operator) return undefined;
  if (now - row.last_seen_at > TOUCH_MS) await ctx.store.touchOperatorSession(row.id, now);
  return {
    row,
    operator,
    principal: { keyId: operator.id, kind: 'operator', appId: null },
    csrfToken: csrfTokenOf(secret),
  };
}

/** Derived, not stored: SHA-256 of the secret under a label of its own, so it says nothing about the secret. */
export function csrfTokenOf(secret: string): string {
  return createHash('sha256').update(`latchkey dashboard csrf\u0000${secret}`).digest('base64url');
}

export function isFreshlyAuthenticated(ctx: DashboardContext, row: OperatorSessionRow): boolean {
  return row.reauth_at !== null && ctx.clock() - row.reauth_at <= REAUTH_MS;
}

export async function endSession(ctx: DashboardContext, secret: string): Promise<void> {
  const row = await ctx.store.findOperatorSession(hashSecret(secret));
  if (row) await ctx.store.revokeOperatorSession(row.id, ctx.clock());
}
