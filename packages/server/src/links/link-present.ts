/** Links as the API shows them: status, timeline and deliveries, never the secret or a message's payload. */
import { type Static, Type } from 'typebox';
import { presentMessage } from '../delivery/outbox-present.js';
import { iso } from '../http/present.js';
import { Id, LinkTypeSchema, Named, Nullable, OneOf, Timestamp } from '../http/schemas.js';
import type { LinkVisitRow, MagicLinkRow, OutboxAttemptRow, OutboxRow } from '../storage/rows.js';
import type { VisitVerdict } from '../storage/schema.js';
import type { LinkWebhookAttempt } from './link-store.js';
import { readVisits } from './link-visits.js';

/** The most visits a link's detail shows (the newest); the timeline summarises the same ones. */
export const VISITS_SHOWN = 50;
/** The most webhook sends of the link's events a detail shows (the newest). */
export const WEBHOOKS_SHOWN = 50;

const ChannelSchema = OneOf(['email', 'phone'] as const);

/** Every status a link can be in as the API names it: the stored ones, and `expired` for an outstanding one past its time. */
export const LINK_STATUSES = [
  'created',
  'sent',
  'delivered',
  'delivery_failed',
  'opened',
  'redeemed',
  'revoked',
  'expired',
] as const;
export type EffectiveStatus = (typeof LINK_STATUSES)[number];

/** The steps of a link's timeline; `queued` (a message was queued) and `visited` appear in its detail only. */
const TIMELINE_STEPS = [...LINK_STATUSES, 'queued', 'visited'] as const;
type TimelineStep = (typeof TIMELINE_STEPS)[number];

const TimelineEntrySchema = Type.Object({
  status: OneOf(
    TIMELINE_STEPS,
    '`opened` is the first open; `queued` (a message was queued) and `visited` (a run of visits with one verdict) appear in a link’s detail only.',
  ),
  at: Timestamp,
  verdict: Type.Optional(
    OneOf(['person', 'likely_scanner'] as const, '`visited` entries: whose visits these are.'),
  ),
  count: Type.Optional(
    Type.Integer({ minimum: 1, description: '`visited` entries: how many visits in a row.' }),
  ),
  last_at: Type.Optional({ ...Timestamp, description: '`visited` entries: the time of the last of them.' }),
});

/** A link as lists, revokes and reads show it: where it stands, never its secret. */
export const MagicLink = Named(
  'MagicLink',
  Type.Object(
    {
      id: Id('ml'),
      app_id: Id('app'),
      user_id: Id('usr'),
      identifier: Type.String({ description: 'The email address or phone number (E.164) the link is for.' }),
      type: LinkTypeSchema,
      channel: Nullable(ChannelSchema),
      redirect_url: Nullable(Type.String({ description: 'Where a redeemed link sends the person.' })),
      magic_link_path: Nullable(
        Type.String({ description: 'The page of your own site the link opens (embedded links).' }),
      ),
      language: Nullable(Type.String({ description: 'The language of its message and pages, e.g. `en`.' })),
      ttl: Type.Integer({ minimum: 1, description: 'Minutes from creation to expiry.' }),
      pkce: Type.Boolean({ description: 'Created with a `code_challenge`: redeeming needs the verifier.' }),
      status: OneOf(LINK_STATUSES),
      activated: Type.Boolean({ description: 'Whether it was redeemed.' }),
      session_id: Nullable(Id('ses')),
      campaign_id: Nullable(Id('cmp')),
      metadata: Type.Record(Type.String(), Type.Unknown(), { description: 'Your own data, as given.' }),
      created_at: Timestamp,
      expires_at: Timestamp,
      timeline: Type.Array(TimelineEntrySchema, { description: 'Its milestones, oldest first.' }),
    },
    { description: 'A magic link' },
  ),
);

/** A link as its creation (and a resend) answers it: the only time its secret is shown. */
export const CreatedMagicLink = Named(
  'CreatedMagicLink',
  Type.Object(
    {
      id: Id('ml'),
      app_id: Id('app'),
      user_id: Id('usr'),
      identifier: Type.String({ description: 'The email address or phone number (E.164) the link is for.' }),
      type: LinkTypeSchema,
      redirect_url: Nullable(Type.String()),
      url: Type.String({
        description:
          'The link to give the person: the hosted page, or your `magic_link_path` with `?lk_token=`. Holds the secret.',
      }),
      ttl: Type.Integer({ minimum: 1, description: 'Minutes from creation to expiry.' }),
      expires_at: Timestamp,
      activated: Type.Literal(false),
      secret: Type.String({
        description: 'The token itself, shown only here; redeem it with POST /v1/magic-links/redeem.',
      }),
    },
    {
      description: 'A new magic link',
      examples: [
        {
          id: 'ml_01jeq9v3kx7m2c8r4t6w0yzb5n',
          app_id: 'app_01jeq8d2a4b6c8e0f2g4h6j8k0',
          user_id: 'usr_01jeq9v3kw5p7r9t1v3x5z7b9d',
          identifier: 'ada@example.com',
          type: 'login',
          redirect_url: 'https://app.example.com/welcome',
          url: 'https://auth.example.com/l/AZPk3c47FX_br3KmoY5920vSKjV17JoI88Xml4lcOCNO67TnI',
          ttl: 15,
          expires_at: '2026-12-06T10:15:00.000Z',
          activated: false,
          secret: 'AZPk3c47FX_br3KmoY5920vSKjV17JoI88Xml4lcOCNO67TnI',
        },
      ],
    },
  ),
);

/** The answer of a create or resend: the link under `magic_link`, as Passage answers it. */
export const CreatedMagicLinkAnswer = (description: string) =>
  Type.Object({ magic_link: CreatedMagicLink }, { description });

const LinkVisit = Type.Object({
  id: Id('vis'),
  at: Timestamp,
  method: OneOf(['GET', 'HEAD', 'POST'] as const),
  verdict: OneOf(['person', 'likely_scanner'] as const),
  reason: Type.String({
    description: 'Why: `HEAD request`, `known scanner user agent: Slackbot`, `confirmed`, …',
  }),
  user_agent: Nullable(Type.String({ description: 'At most 200 characters.' })),
});

const DeliveryAttempt = Type.Object({
  attempt: Type.Integer({ minimum: 1, description: '1 for the first try, then counting.' }),
  at: Timestamp,
  ok: Type.Boolean(),
  permanent: Type.Boolean({ description: 'The failure was final: retrying could not help.' }),
  answer: Type.String({ description: 'The provider’s answer on one line, scrubbed of links and codes.' }),
  duration_ms: Type.Integer({ minimum: 0 }),
});

/** A message that carried the link, as the outbox shows it (delivery/outbox-present.ts), never its content. */
const LinkDelivery = Type.Object({
  id: Id('msg'),
  link_id: Nullable(Id('ml')),
  channel: OneOf(['email', 'phone', 'webhook'] as const),
  recipient: Type.String(),
  status: OneOf(['pending', 'sending', 'sent', 'failed'] as const),
  attempts: Type.Integer({ minimum: 0, description: 'How many sends were made.' }),
  next_attempt_at: Nullable(Timestamp),
  last_error: Nullable(Type.String()),
  created_at: Timestamp,
  updated_at: Timestamp,
  sent_at: Nullable(Timestamp),
  attempt_log: Type.Array(DeliveryAttempt, { description: 'Every send, oldest first.' }),
});

const LinkWebhookSend = Type.Object({
  id: Id('wha'),
  at: Timestamp,
  event_id: Id('evt'),
  event_type: Type.String(),
  endpoint_id: Id('whe'),
  attempt: Type.Integer({ minimum: 1 }),
  ok: Type.Boolean(),
  status_code: Nullable(Type.Integer({ description: 'The endpoint’s HTTP status; null when none came.' })),
  error: Nullable(Type.String()),
});

/** One link in full: its deliveries with their attempts, its visits and its webhook sends. */
export const MagicLinkDetail = Named(
  'MagicLinkDetail',
  Type.Object(
    {
      ...MagicLink.properties,
      deliveries: Type.Array(LinkDelivery, { description: 'The messages that carried the link.' }),
      visits: Type.Array(LinkVisit, { description: 'The newest 50 visits of its page, newest first.' }),
      webhooks: Type.Array(LinkWebhookSend, {
        description: 'The newest 50 webhook sends of its events, newest first.',
      }),
    },
    { description: 'A magic link with its deliveries, visits and webhook sends' },
  ),
);

/** The status a person would name: an outstanding link past its expiry is `expired`. */
export function effectiveStatus(link: MagicLinkRow, now: number): EffectiveStatus {
  if (link.status !== 'redeemed' && link.status !== 'revoked' && link.expires_at <= now) return 'expired';
  return link.status;
}

interface TimelineEntry {
  status: TimelineStep;
  at: string;
  /** `visited` entries: who, how many visits in a row, and the time of the last of them. */
  verdict?: VisitVerdict;
  count?: number;
  last_at?: string;
}

/** The link's milestones from its own columns, oldest first. */
function linkTimeline(link: MagicLinkRow, now: number): TimelineEntry[] {
  const timeline: TimelineEntry[] = [{ status: 'created', at: iso(link.created_at) }];
  const steps: Array<[TimelineStep, number | null]> = [
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

export function presentLink(link: MagicLinkRow, now: number): Static<typeof MagicLink> {
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
export function presentLinkDetail(detail: LinkDetail, now: number): Static<typeof MagicLinkDetail> {
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
