/** Links as the API shows them: status, timeline and deliveries, never the secret or a message's payload. */
import { iso, isoOrNull } from '../http/present.js';
import type { MagicLinkRow, OutboxRow } from '../storage/rows.js';

/** The status a person would name: an outstanding link past its expiry is `expired`. */
export function effectiveStatus(link: MagicLinkRow, now: number): string {
  if (link.status !== 'redeemed' && link.status !== 'revoked' && link.expires_at <= now) return 'expired';
  return link.status;
}

export function presentLink(link: MagicLinkRow, now: number) {
  const timeline: Array<{ status: string; at: string }> = [{ status: 'created', at: iso(link.created_at) }];
  const steps: Array<[string, number | null]> = [
    ['sent', link.sent_at],
    ['delivered', link.delivered_at],
    ['delivery_failed', link.delivery_failed_at],
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
    campaign_id: link.campaign_id ?? null,
    metadata: JSON.parse(link.metadata) as Record<string, unknown>,
    created_at: iso(link.created_at),
    expires_at: iso(link.expires_at),
    timeline,
  };
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
