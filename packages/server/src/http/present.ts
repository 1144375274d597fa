/** How stored rows look in API responses: ISO times, real booleans, parsed JSON, and never a secret or hash. */

import type { AppSettings } from '../apps/app-settings.js';
import type { ApiKeyRow, AppRow, MagicLinkRow, OutboxRow, SessionRow, UserRow } from '../storage/rows.js';

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export function presentApp(app: AppRow, settings: AppSettings, serverPublicUrl: string) {
  return {
    id: app.id,
    name: app.name,
    ...settings,
    public_url: settings.public_url ?? serverPublicUrl,
    created_at: iso(app.created_at),
    updated_at: iso(app.updated_at),
  };
}

export function presentApiKey(key: ApiKeyRow) {
  return {
    id: key.id,
    app_id: key.app_id,
    kind: key.kind,
    label: key.label,
    key_hint: key.key_hint,
    created_at: iso(key.created_at),
    last_used_at: isoOrNull(key.last_used_at),
    revoked_at: isoOrNull(key.revoked_at),
  };
}

export function presentUser(user: UserRow) {
  return {
    id: user.id,
    external_id: user.external_id,
    email: user.email,
    email_verified: user.email_verified === 1,
    phone: user.phone,
    phone_verified: user.phone_verified === 1,
    metadata: JSON.parse(user.metadata) as Record<string, unknown>,
    created_at: iso(user.created_at),
    updated_at: iso(user.updated_at),
    last_login_at: isoOrNull(user.last_login_at),
  };
}

/** The status a person would name: an outstanding link past its expiry is `expired`. */
export function effectiveStatus(link: MagicLinkRow, now: number): string {
  if (link.status !== 'redeemed' && link.status !== 'revoked' && link.expires_at <= now) return 'expired';
  return link.status;
}

export function presentLink(link: MagicLinkRow, now: number) {
  const timeline: Array<{ status: string; at: string }> = [{ status: 'created', at: iso(link.created_at) }];
  const steps: Array<[string, number | null]> = [
    ['sent', link.sent_at],
    [link.status === 'delivery_failed' ? 'delivery_failed' : 'delivered', link.delivered_at],
    ['opened', link.opened_at],
    ['redeemed', link.redeemed_at],
    ['revoked', link.revoked_at],
  ];
  for (const [status, at] of steps) if (at !== null) timeline.push({ status, at: iso(at) });
  if (effectiveStatus(link, now) === 'expired')
    timeline.push({ status: 'expired', at: iso(link.expires_at) });
  timeline.sort((a, b) => a.at.localeCompare(b.at));
  return {
    id: link.id,
    app_id: link.app_id,
    user_id: link.user_id,
    identifier: link.identifier,
    type: link.type,
    channel: link.channel,
    redirect_url: link.redirect_url,
    magic_link_path: link.magic_link_path,
    language: link.language,
    ttl: link.ttl_minutes,
    pkce: link.code_challenge !== null,
    status: effectiveStatus(link, now),
    activated: link.status === 'redeemed',
    session_id: link.session_id,
    metadata: JSON.parse(link.metadata) as Record<string, unknown>,
    created_at: iso(link.created_at),
    expires_at: iso(link.expires_at),
    timeline,
  };
}

export function presentSession(session: SessionRow, now: number) {
  return {
    id: session.id,
    app_id: session.app_id,
    user_id: session.user_id,
    amr: [session.amr],
    status: session.revoked_at !== null ? 'revoked' : session.expires_at <= now ? 'expired' : 'active',
    created_at: iso(session.created_at),
    expires_at: iso(session.expires_at),
    last_refreshed_at: isoOrNull(session.last_refreshed_at),
    revoked_at: isoOrNull(session.revoked_at),
  };
}

/** Trims the extra row that list queries fetch and turns it into `next_cursor`. */
export function listResponse<Row extends { id: string }, Out>(
  rows: Row[],
  limit: number,
  present: (row: Row) => Out,
) {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  return { data: page.map(present), next_cursor: more ? page[page.length - 1]!.id : null };
}

/** A queued message as a link shows it: never its payload (which holds the link). */
export function presentDelivery(row: OutboxRow) {
  return {
    id: row.id,
    channel: row.channel,
    status: row.status,
    attempts: row.attempts,
    next_attempt_at: row.status === 'pending' ? iso(row.next_attempt_at) : null,
    last_error: row.last_error,
    created_at: iso(row.created_at),
    sent_at: isoOrNull(row.sent_at),
  };
}
