/** The shapes the Latchkey API answers with (see docs/api.md). Fields the server may add later are allowed. */

export type LinkType = 'login' | 'verify_identifier' | 'invite';
export type LinkStatus =
  | 'created'
  | 'sent'
  | 'delivered'
  | 'delivery_failed'
  | 'opened'
  | 'redeemed'
  | 'revoked'
  | 'expired';

export interface MagicLink {
  id: string;
  app_id: string;
  user_id: string;
  identifier: string;
  type: LinkType;
  channel: string | null;
  redirect_url: string | null;
  magic_link_path: string | null;
  language: string | null;
  ttl: number;
  pkce: boolean;
  session_id: string | null;
  /** The campaign (a named bulk request) that made the link, if any. */
  campaign_id: string | null;
  status: LinkStatus;
  expires_at: string;
  activated: boolean;
  created_at: string;
  timeline: TimelineEntry[];
  metadata: Record<string, unknown>;
  [field: string]: unknown;
}

/**
 * One step of a link's timeline, oldest first: `created`, `queued` (a message was queued; the link's detail only),
 * `sent`, `delivered`, `delivery_failed`, `opened` (the first open), `visited` (the link's detail only: a run of
 * visits with one verdict), `redeemed`, `revoked`, `expired`.
 */
export interface TimelineEntry {
  status: string;
  at: string;
  /** `visited` entries: whose visits these are, how many in a row, and when the last of them was. */
  verdict?: VisitVerdict;
  count?: number;
  last_at?: string;
  [field: string]: unknown;
}

export type VisitVerdict = 'person' | 'likely_scanner';

/** One request for a hosted link's page: GET and HEAD (which never spend it) and the confirm POST. */
export interface LinkVisit {
  id: string;
  at: string;
  method: 'GET' | 'HEAD' | 'POST';
  verdict: VisitVerdict;
  /** Why: `HEAD request`, `known scanner user agent: Slackbot`, `opened and never confirmed`, `confirmed`, … */
  reason: string;
  /** At most 200 characters; null when the request sent none. */
  user_agent: string | null;
}

/** One send of a message and what the provider answered. */
export interface DeliveryAttempt {
  /** 1 for the first try, then counting. */
  attempt: number;
  at: string;
  ok: boolean;
  /** The failure was final: retrying could not help. */
  permanent: boolean;
  /** The provider's answer on one line (`250 2.0.0 Ok: queued as …`, or the failure), scrubbed of links and codes. */
  answer: string;
  duration_ms: number;
}

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

/** An email or SMS message in the outbox, never with its content. */
export interface OutboxMessage {
  id: string;
  link_id: string | null;
  channel: 'email' | 'phone';
  recipient: string;
  status: OutboxStatus;
  /** How many sends were made. */
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
  /** Every send, oldest first. */
  attempt_log: DeliveryAttempt[];
  [field: string]: unknown;
}

export interface ListOutboxParams extends PageParams {
  status?: OutboxStatus;
  channel?: 'email' | 'phone';
  link_id?: string;
  /** ISO 8601. */
  created_from?: string;
  /** ISO 8601. */
  created_to?: string;
}

/** The transports the server sends with, every secret masked (`********`). */
export interface DeliveryStatus {
  environment: 'production' | 'development';
  environment_detail: string;
  email: {
    /** `smtp`, `log` (printed, development only) or `off`. */
    transport: string;
    from: string;
    smtp: {
      host: string | null;
      port: number | null;
      secure: boolean | null;
      user: string | null;
      password: string | null;
    } | null;
    dkim: { domain: string; selector: string } | null;
  };
  sms: {
    /** `twilio`, `hook`, `log` or `off`. */
    transport: string;
    twilio: { account_sid: string; auth_token: string; from: string; base_url: string } | null;
    hook: { url: string; secret: string } | null;
  };
  outbox: { worker: boolean; max_attempts: number; retry_base_seconds: number; lease_seconds: number };
  [field: string]: unknown;
}

/** One of the checks `latchkey doctor` runs on a transport. */
export interface DeliveryCheck {
  name: string;
  channel: 'email' | 'sms';
  transport: string;
  ok: boolean;
  detail: string;
}

export interface DeliveryTestResult {
  ok: boolean;
  checks: DeliveryCheck[];
}

/** The link as `magicLinks.create` answers it: the only time its `secret` (the token) is shown. */
export interface CreatedMagicLink {
  id: string;
  app_id: string;
  user_id: string;
  identifier: string;
  type: LinkType;
  redirect_url: string | null;
  /** The link to send the person (hosted page, or your `magic_link_path` with `?lk_token=`). */
  url: string;
  ttl: number;
  expires_at: string;
  activated: boolean;
  /** The token itself. */
  secret: string;
  [field: string]: unknown;
}

export interface MagicLinkWithDeliveries extends MagicLink {
  /** The messages that carried the link, with their attempts. */
  deliveries: OutboxMessage[];
  /** The newest 50 visits of the link's page, newest first. */
  visits: LinkVisit[];
  /** The newest 50 webhook sends of the link's events, newest first. */
  webhooks: LinkWebhookSend[];
}

/** A webhook send of one of a link's events. */
export interface LinkWebhookSend {
  id: string;
  at: string;
  event_id: string;
  event_type: string;
  endpoint_id: string;
  attempt: number;
  ok: boolean;
  status_code: number | null;
  error: string | null;
}

export interface CreateMagicLinkParams {
  user_id?: string;
  email?: string;
  phone?: string;
  type?: LinkType;
  redirect_url?: string;
  redirect_to?: string;
  magic_link_path?: string;
  /** Minutes. */
  ttl?: number;
  language?: string;
  code_challenge?: string;
  code_challenge_method?: 'S256';
  metadata?: Record<string, unknown>;
  channel?: 'email' | 'phone';
  send?: boolean;
  [field: string]: unknown;
}

export interface PageParams {
  /** Page size, 1–500 (default 50). The iterator still walks every page. */
  limit?: number;
  /** Start after this cursor (a previous page's `next_cursor`). */
  cursor?: string;
}

export interface ListMagicLinksParams extends PageParams {
  user_id?: string;
  status?: LinkStatus;
  type?: LinkType;
  /** ISO 8601. */
  created_from?: string;
  /** ISO 8601. */
  created_to?: string;
  /** Only the links of this campaign. */
  campaign_id?: string;
  /** A part of the email address or phone number the link went to (any case). */
  identifier?: string;
  /** The channel it was sent on, or for a link never sent, the kind of its address. */
  channel?: 'email' | 'phone';
  /** One of the supported languages. */
  language?: string;
}

export interface User {
  id: string;
  external_id: string | null;
  email: string | null;
  email_verified: boolean;
  phone: string | null;
  phone_verified: boolean;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
  [field: string]: unknown;
}

export interface UserParams {
  email?: string | null;
  phone?: string | null;
  external_id?: string | null;
  metadata?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface ListUsersParams extends PageParams {
  email?: string;
  phone?: string;
  external_id?: string;
}

export interface App {
  id: string;
  name: string;
  public_url: string;
  allowed_redirects: string[];
  default_redirect_url?: string | null;
  page_shortcuts?: Record<string, string>;
  default_shortcut?: string | null;
  created_at: string;
  updated_at: string;
  [setting: string]: unknown;
}

/** Settings to change (docs/configuration.md); lists and maps are replaced as a whole. */
export type AppPatch = Partial<Omit<App, 'id' | 'created_at' | 'updated_at' | 'public_url'>> & {
  public_url?: string | null;
  /**
   * With an admin key and `public_url`: take that host from the app that holds it (which falls back to the shared
   * host). Without it, a host another app holds is refused with `host_taken`. Not accepted when creating an app.
   */
  move_host?: boolean;
};

export interface Session {
  id: string;
  app_id: string;
  user_id: string;
  amr: string[];
  status: 'active' | 'expired' | 'revoked';
  created_at: string;
  expires_at: string;
  last_refreshed_at: string | null;
  revoked_at: string | null;
  [field: string]: unknown;
}

/** What an exchange or refresh hands back: the session token (an ES256 JWT) and the refresh token. */
export interface SessionTokens {
  id: string;
  expires_at: string;
  token: string;
  token_expires_at: string;
  refresh_token: string;
  refresh_token_expires_at: string;
  [field: string]: unknown;
}

export interface ExchangeResult {
  user: User;
  session: SessionTokens;
  redirect_url: string | null;
}

export interface RefreshResult {
  user: User;
  session: SessionTokens;
}

export interface ListSessionsParams extends PageParams {
  user_id?: string;
  active?: boolean;
}

/** What `idempotencyKey` does on calls that create: the same key replays the first answer for 24 hours. */
export interface IdempotencyOptions {
  /**
   * Sent as `Idempotency-Key`: a retry with the same key gets the first answer instead of creating again, so the
   * SDK retries the call on 429, 5xx and network errors. Use a new key (a UUID) for each new request.
   */
  idempotencyKey?: string;
}

/** One row's outcome in a bulk answer: the created link, or why the row failed. */
export type BulkRowResult =
  | { row: number; magic_link: CreatedMagicLink }
  | { row: number; error: { code: string; message: string; param?: string } };

export interface BulkSummary {
  created: number;
  failed: number;
  /** The campaign the request made, when it named one. */
  campaign_id?: string;
}

/** How a bulk request runs: as a named campaign, with a default for `send`, and with an Idempotency-Key. */
export interface BulkOptions extends IdempotencyOptions {
  /** Makes the request a campaign of this name (1 to 100 characters); its id is `summary.campaign_id`. */
  campaign?: string;
  /** `send` for the rows that do not say; a row's own `send` wins. */
  send?: boolean;
}

/** What a row of a dry run would create: no id or token, the existing user or whether it would make one. */
export interface WouldCreate {
  user_id: string | null;
  new_user: boolean;
  identifier: string;
  type: LinkType;
  channel: 'email' | 'phone' | null;
  /** Whether a message would be queued. */
  send: boolean;
  redirect_url: string | null;
  magic_link_path: string | null;
  ttl: number;
}

export type BulkDryRunRowResult =
  | { row: number; would_create: WouldCreate }
  | { row: number; error: { code: string; message: string; param?: string } };

/** `magicLinks.bulkDryRun`: every row checked as a real run would, nothing created. */
export interface BulkDryRunResult {
  dry_run: true;
  data: BulkDryRunRowResult[];
  summary: { would_create: number; failed: number };
}

export type CampaignStatus = 'running' | 'done' | 'revoked';

/** A named bulk request: who started it, how far it got, and whether it was revoked. */
export interface Campaign {
  id: string;
  app_id: string;
  name: string;
  status: CampaignStatus;
  /** Whether the request sent the links of rows that did not say (`send: true` in `BulkOptions`). */
  send: boolean;
  /** The API key (`key_…`) or dashboard operator (`op_…`) that started it. */
  created_by: string;
  rows_total: number;
  rows_created: number;
  rows_failed: number;
  created_at: string;
  finished_at: string | null;
  revoked_at: string | null;
  [field: string]: unknown;
}

/** `campaigns.get`: the campaign and what became of its links, counted as `GET /v1/stats` counts them. */
export interface CampaignWithFigures extends Campaign {
  funnel: StatsCounts;
  conversion: {
    created_to_sent: number | null;
    created_to_opened: number | null;
    created_to_redeemed: number | null;
    sent_to_redeemed: number | null;
  };
  /** Each day (UTC) of the campaign's life, oldest first: how many links reached each step that day. */
  series: Array<{ date: string; created: number; sent: number; opened: number; redeemed: number }>;
}

export interface ListCampaignsParams extends PageParams {
  status?: CampaignStatus;
}

export interface BulkResult {
  data: BulkRowResult[];
  summary: BulkSummary;
}

/** Rows for `magicLinks.bulk`: link objects, or a CSV or NDJSON text sent as it is. */
export type BulkInput = CreateMagicLinkParams[] | { csv: string } | { ndjson: string };

export interface ApiKey {
  id: string;
  app_id: string | null;
  kind: 'app' | 'admin';
  label: string;
  /** The first characters of the key, enough to recognise it. */
  key_hint: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** A new API key: `key` is shown in this answer only. */
export interface CreatedApiKey extends ApiKey {
  key: string;
}

export interface SigningKey {
  kid: string;
  app_id: string;
  label: string;
  algorithm: 'HS256';
  secret_hint: string;
  status: 'active' | 'revoked';
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** A new signing key: `secret` is shown in this answer only. */
export interface CreatedSigningKey extends SigningKey {
  secret: string;
}

export interface CreatedApp {
  app: App;
  /** The new app's first API key; `key` is shown in this answer only. */
  api_key: CreatedApiKey;
}

/** The events a webhook endpoint may subscribe to (docs/webhooks.md has each one's `data`). */
export const webhookEventTypes = [
  'user.created',
  'user.verified',
  'user.deleted',
  'magic_link.created',
  'magic_link.sent',
  'magic_link.delivered',
  'magic_link.delivery_failed',
  'magic_link.opened',
  'magic_link.redeemed',
  'magic_link.revoked',
  'magic_link.expired',
  'session.created',
  'session.revoked',
  'login.code_failed',
  'rate_limit.hit',
  'webhook_endpoint.disabled',
] as const;

export type WebhookEventType = (typeof webhookEventTypes)[number];

export interface WebhookEndpoint {
  id: string;
  app_id: string;
  url: string;
  /** Empty when none was given. */
  description: string;
  /** `["*"]` for every event type. */
  event_types: Array<WebhookEventType | '*'>;
  status: 'enabled' | 'disabled';
  /** Why it is disabled: `failing` (after days of failed deliveries) or `manual`. */
  disabled_reason: string | null;
  /** The first characters of the signing secret, enough to recognise it. */
  secret_hint: string;
  /** After a rotation, the old secret signs beside the new one until this time. */
  previous_secret_expires_at: string | null;
  /** When the current run of failed deliveries began. */
  failing_since: string | null;
  created_at: string;
  updated_at: string;
  [field: string]: unknown;
}

/** An endpoint as `create` and `rotateSecret` answer it: `secret` (`whsec_…`) is shown in this answer only. */
export interface WebhookEndpointWithSecret extends WebhookEndpoint {
  secret: string;
}

export interface CreateWebhookEndpointParams {
  /** http(s) URL that receives the POSTs. */
  url: string;
  /** Event types to receive; `['*']` or left out: all of them. */
  event_types?: Array<WebhookEventType | '*'>;
  description?: string;
}

export interface UpdateWebhookEndpointParams {
  url?: string;
  event_types?: Array<WebhookEventType | '*'>;
  description?: string;
  /** `false` disables the endpoint; `true` enables it again (also one disabled for failing). */
  enabled?: boolean;
}

/** One delivery attempt of one event to one endpoint, from the delivery log. */
export interface WebhookAttempt {
  id: string;
  webhook_endpoint_id: string;
  event_id: string;
  message_id: string;
  /** 1 for the first try, then counting retries. */
  attempt: number;
  ok: boolean;
  status_code: number | null;
  latency_ms: number;
  response_excerpt: string | null;
  error: string | null;
  /** A `webhook.test` sent by `webhookEndpoints.sendTest`: its event is not stored, no outbox message carries it. */
  test: boolean;
  created_at: string;
  [field: string]: unknown;
}

export interface ListWebhookAttemptsParams extends PageParams {
  /** Only the attempts of this event. */
  event_id?: string;
}

export interface Redelivery {
  message_id: string;
  event_id: string;
  status: 'queued';
}

/** Something that happened in an app: a webhook event or an audit entry (docs/api.md, events). */
export interface LatchkeyEvent<Data = Record<string, unknown>> {
  /** `evt_…`; the `webhook-id` of its webhook deliveries. */
  id: string;
  type: string;
  subject_id: string | null;
  created_at: string;
  data: Data;
  [field: string]: unknown;
}

export interface ListEventsParams extends PageParams {
  /** One event type, such as `magic_link.redeemed`. */
  type?: string;
  /** Only the events about this user, its links and its sessions. */
  user_id?: string;
  /** Only events at or after this time (ISO 8601, or a Date). */
  since?: string | Date;
  /** Only events before this time (ISO 8601, or a Date); later than `since`. */
  until?: string | Date;
  /** Only events about this id (`ml_…`, `usr_…`, `ses_…`, `whe_…`). */
  subject_id?: string;
}

export interface StatsParams {
  /** ISO date or date-time, or a Date (default: 30 days before `to`). */
  from?: string | Date;
  /** ISO date or date-time, or a Date, exclusive (default: now). */
  to?: string | Date;
  type?: LinkType;
}

export interface StatsCounts {
  created: number;
  sent: number;
  delivered: number;
  delivery_failed: number;
  opened: number;
  redeemed: number;
  revoked: number;
  expired: number;
}

/** `GET /v1/stats`: the funnel of the links created in [from, to). Ratios are null when there is nothing to divide. */
export interface LinkStats {
  from: string;
  to: string;
  type: LinkType | null;
  funnel: StatsCounts;
  conversion: {
    sent_to_redeemed: number | null;
    created_to_redeemed: number | null;
    created_to_opened: number | null;
    invite_to_first_login: number | null;
  };
  send_to_redeem_seconds: { count: number; median: number | null; p90: number | null };
  invites: {
    invited: number;
    signed_in: number;
    at_least_7_days_old: number;
    active_within_7_days: number;
    active_within_7_days_share: number | null;
  };
  failures: Array<{ type: string; reason: string | null; count: number }>;
  /** One entry per day (UTC) that has links, oldest first. */
  series: Array<StatsCounts & { date: string }>;
  [field: string]: unknown;
}

export interface StreamEventsParams {
  /** Only events of this type, such as `magic_link.redeemed`. */
  type?: string;
  /** Start with the events written at or after this time (default: from now on). */
  since?: string | Date;
  /** Start after this event id (the `id` of the last event you handled). */
  after?: string;
  /** Stops the stream; the loop over it then ends without an error. */
  signal?: AbortSignal;
}

/** Give exactly one: a full URL, or the name of one of the app's page shortcuts. */
export interface RedirectCheckParams {
  url?: string;
  redirect_to?: string;
}

/** Whether a link of the app may redirect to a target, by the allowlist check link creation makes. */
export interface RedirectCheck {
  allowed: boolean;
  /** The `allowed_redirects` entry that matched; null when refused. */
  matched: string | null;
  /** The target as a link would store it (normalised), or the shortcut's target; null when refused. */
  url: string | null;
  /** Why, in words. */
  reason: string;
  [field: string]: unknown;
}

export interface TemplateTestParams {
  /** An email address (the email is sent) or an E.164 phone number (the SMS is sent). */
  to: string;
  /** Draft parts to send instead of the saved ones; they are checked as a save would check them. */
  subject?: string;
  text?: string;
  html?: string;
  sms?: string;
  /** Include the sample one-time code. */
  code?: boolean;
}

/** A test message the transport took. */
export interface TemplateTestResult {
  sent: true;
  channel: 'email' | 'phone';
  to: string;
  /** `msg_…`, also in the message's headers. */
  message_id: string;
  /** `smtp`, `twilio`, `hook`, or `log` on a development server (printed, not sent). */
  transport: string;
  answer: {
    provider_id: string | null;
    /** The receiving mail server answered 250 to it. */
    accepted: boolean;
    detail: string;
  };
  [field: string]: unknown;
}
