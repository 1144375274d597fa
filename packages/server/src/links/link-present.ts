/** Links as the API shows them: status, timeline and deliveries, never the secret or a message's payload. */
import { presentMessage } from '../delivery/outbox-present.js';
import { iso } from '../http/present.js';
import type { LinkVisitRow, MagicLinkRow, OutboxAttemptRow, OutboxRow } from '../storage/rows.js';
import type { VisitVerdict } from '../storage/schema.js';
import type { LinkWebhookAttempt } from './link-store.js';
import { readVisits } from './link-visits.js';

/** The most visits a link's detail shows (the newest); the timeline summarises the same ones. */
export const VISITS_SHOWN = 50;
/** The most webhook sends of the link's events a detail shows (the newest). */
export const WEBHOOKS_SHOWN = 50;

/** The status a person would name: an outstanding link past its expiry is `expired`. */
export function effectiveStatus(link: MagicLinkRow, now: number): string {
  if (link.status !== 'redeemed' && link.status !== 'revoked' && link.expires_at <= now) return 'expired';
  return link.status;
}

interface TimelineEntry {
  status: string;
  at: string;
  /** `visited` entries: who, how many visits in a row, and the time of the last of them. */
  verdict?: VisitVerdict;
  count?: number;
  last_at?: string;
}

/** The link's milestones from its own columns, oldest first. */
function linkTimeline(link: MagicLinkRow, now: number): TimelineEntry[] {
  const timeline: TimelineEntry[] = [{ status: 'created', at: iso(link.created_at) }];
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
  return timeline;
}

/** Oldest first, milestones before anything else at the same millisecond (the sort is stable). */
function sorted(timeline: TimelineEntry[]): TimelineEntry[] {
  return timeline.sort((a, b) => a.at.localeCompare(b.at));
}

export function presentLink(link: MagicLinkRow, now: number) {
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
    timeline: sorted(linkTimeline(link, now)),
  };
}

export interface LinkDetail {
  link: MagicLinkRow;
  deliveries: OutboxRow[];
  attempts: OutboxAttemptRow[];
  /** Newest first, at most WEBHOOKS_SHOWN. */
  webhooks: LinkWebhookAttempt[];
  /** Newest first, at most VISITS_SHOWN. */
  visits: LinkVisitRow[];
}

/**
 * One link in full (GET /v1/magic-links/{id}): its deliveries with every attempt, its visits as they read now, and
 * a timeline that adds to the milestones when each message was queued and the visits, consecutive visits with the
 * same verdict summarised as one `visited` entry. `opened` stays the first open.
 */
export function presentLinkDetail(detail: LinkDetail, now: number) {
  const { link, deliveries, attempts } = detail;
  const visits = readVisits(detail.visits, link, now);
  const base = presentLink(link, now);
  const timeline = linkTimeline(link, now);
  for (const message of deliveries) timeline.push({ status: 'queued', at: iso(message.created_at) });
  timeline.push(...visitEntries(visits));
  return {
    ...base,
    timeline: sorted(timeline),
    deliveries: deliveries.map((message) => presentMessage(message, attempts)),
    visits: visits.map(presentVisit),
    webhooks: detail.webhooks.map(presentWebhookAttempt),
  };
}

function presentWebhookAttempt(attempt: LinkWebhookAttempt) {
  return {
    id: attempt.id,
    at: iso(attempt.created_at),
    event_id: attempt.event_id,
    event_type: attempt.event_type,
    endpoint_id: attempt.endpoint_id,
    attempt: attempt.attempt,
    ok: attempt.ok === 1,
    status_code: attempt.status_code,
    error: attempt.error,
  };
}

function presentVisit(visit: LinkVisitRow) {
  return {
    id: visit.id,
    at: iso(visit.at),
    method: visit.method,
    verdict: visit.verdict,
    reason: visit.reason,
    user_agent: visit.user_agent,
  };
}

/** Runs of visits with the same verdict, oldest first, one entry each. */
function visitEntries(newestFirst: readonly LinkVisitRow[]): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  let last: TimelineEntry | undefined;
  for (const visit of [...newestFirst].reverse()) {
    if (last && last.verdict === visit.verdict) {
      last.count = (last.count ?? 1) + 1;
      last.last_at = iso(visit.at);
      continue;
    }
    last = { status: 'visited', at: iso(visit.at), verdict: visit.verdict, count: 1, last_at: iso(visit.at) };
    entries.push(last);
  }
  return entries;
}
