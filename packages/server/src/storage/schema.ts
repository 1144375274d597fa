/**
 * Table shapes as Kysely sees them. The same columns serve SQLite and PostgreSQL: times are epoch milliseconds in
 * BIGINT/INTEGER columns, booleans are 0/1 integers and JSON is text, so one query works on both dialects.
 */

export interface AppsTable {
  id: string;
  name: string;
  /** JSON of `AppSettings`, validated before every write. */
  settings: string;
  created_at: number;
  updated_at: number;
  /** 1 for the installation's own app behind dashboard sign-in: never listed, never reachable with a key. */
  internal: number;
}

/**
 * The apps table as stored: the row plus `public_host`, the canonical host of `settings.public_url` under a unique
 * index, so that two apps can never hold one host (migration 0010). The app queries keep it in step with the
 * settings on every write; it is not part of `AppRow`, which services and presenters see.
 */
export interface StoredAppsTable extends AppsTable {
  /** Null when the app has no public_url of its own, or lost its host to an older app when 0010 ran. */
  public_host: string | null;
}

export interface ApiKeysTable {
  id: string;
  /** Null for admin keys, which may manage every app. */
  app_id: string | null;
  kind: 'app' | 'admin';
  label: string;
  key_hash: string;
  /** The first characters of the key, enough for a person to recognise it in a list. */
  key_hint: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface UsersTable {
  id: string;
  app_id: string;
  external_id: string | null;
  email: string | null;
  email_verified: number;
  phone: string | null;
  phone_verified: number;
  metadata: string;
  created_at: number;
  updated_at: number;
  last_login_at: number | null;
}

export type LinkStatus =
  | 'created'
  | 'sent'
  | 'delivered'
  | 'delivery_failed'
  | 'opened'
  | 'redeemed'
  | 'revoked';
/** Statuses from which a link can still be redeemed (when not past its expiry). */
export const OUTSTANDING: LinkStatus[] = ['created', 'sent', 'delivered', 'delivery_failed', 'opened'];
export type LinkType = 'login' | 'verify_identifier' | 'invite';
export const LINK_TYPES: readonly LinkType[] = ['login', 'verify_identifier', 'invite'];
export type Channel = 'email' | 'phone';

export interface MagicLinksTable {
  id: string;
  app_id: string;
  user_id: string;
  identifier: string;
  identifier_kind: Channel;
  channel: Channel | null;
  type: LinkType;
  token_hash: string;
  redirect_url: string | null;
  magic_link_path: string | null;
  code_challenge: string | null;
  language: string | null;
  ttl_minutes: number;
  status: LinkStatus;
  metadata: string;
  created_at: number;
  expires_at: number;
  /** When a transport first took a message carrying the link. */
  sent_at: number | null;
  /** When the receiving server first confirmed it accepted such a message (an SMTP 250). */
  delivered_at: number | null;
  /** When a message carrying the link was given up (its last attempt failed, or it was refused for good). */
  delivery_failed_at: number | null;
  opened_at: number | null;
  redeemed_at: number | null;
  revoked_at: number | null;
  session_id: string | null;
  /** When the expiry sweeper looked at the link past its expiry (and wrote `magic_link.expired` if due). */
  expiry_swept_at?: number | null;
  /**
   * The campaign (a named bulk request) that made the link; null for every other link. Optional here because only
   * link creation through `links/link-service.ts` sets it: other writers leave it to the column's default.
   */
  campaign_id?: string | null;
}

export type Amr = 'magic_link' | 'signed_link' | 'otp';

export interface SessionsTable {
  id: string;
  app_id: string;
  user_id: string;
  amr: Amr;
  link_id: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: number;
  expires_at: number;
  last_refreshed_at: number | null;
  revoked_at: number | null;
}

export interface RefreshTokensTable {
  token_hash: string;
  session_id: string;
  app_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface ExchangeCodesTable {
  code_hash: string;
  app_id: string;
  session_id: string;
  user_id: string;
  redirect_url: string | null;
  code_challenge: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface EventsTable {
  id: string;
  app_id: string | null;
  type: string;
  /** The main object the event is about (link, user, session or key id), for filtering. */
  subject_id: string | null;
  data: string;
  created_at: number;
}

export interface SessionKeysTable {
  kid: string;
  alg: string;
  /** Private JWK, sealed with AES-256-GCM under the master key. */
  private_jwk: string;
  public_jwk: string;
  created_at: number;
  retired_at: number | null;
}

export interface SigningKeysTable {
  kid: string;
  app_id: string;
  label: string;
  algorithm: 'HS256';
  /** The HMAC secret, sealed under the master key. */
  secret: string;
  /** The first characters of the secret, for recognising it in a list. */
  secret_hint: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface UsedTokensTable {
  app_id: string;
  /** `jti:<jti>` or `sha256:<hash of the whole token>`. */
  token_key: string;
  expires_at: number;
  used_at: number;
}

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

export interface OutboxTable {
  id: string;
  app_id: string;
  link_id: string | null;
  /** `webhook` rows carry an event to an endpoint: `recipient` is the endpoint id, `payload` the event id. */
  channel: Channel | 'webhook';
  recipient: string;
  /** Sealed JSON of `OutboxPayload`. */
  payload: string;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  worker: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
  /** The W3C `traceparent` of the request that queued the message (null when tracing was off): its send's parent. */
  trace_parent: string | null;
  /** The W3C `tracestate` that came with it, if any. */
  trace_state: string | null;
}

/** How a visit of a hosted link's page was judged when it was recorded (links/link-visits.ts). */
export type VisitVerdict = 'person' | 'likely_scanner';
export type VisitMethod = 'GET' | 'HEAD' | 'POST';

/** One request for a hosted link's page: GET and HEAD (which never spend it) and the confirm POST. */
export interface LinkVisitsTable {
  id: string;
  app_id: string;
  link_id: string;
  at: number;
  method: VisitMethod;
  verdict: VisitVerdict;
  /** Why, in words: `HEAD request`, `known scanner user agent: Slackbot`, `opened in a browser`, … */
  reason: string;
  /** The request's User-Agent, cut to 200 characters; null when it sent none. Nothing about its address is kept. */
  user_agent: string | null;
}

/** One send of an email or SMS message and what the provider answered. */
export interface OutboxAttemptsTable {
  id: string;
  message_id: string;
  app_id: string;
  link_id: string | null;
  /** The message's `attempts` count when it was sent: 1 for the first try. */
  attempt: number;
  at: number;
  ok: number;
  /** 1 when the failure was final (retrying cannot help); 0 for a success or a failure worth retrying. */
  permanent: number;
  /** The provider's answer on one line (`250 2.0.0 OK queued`, the failure as in `outbox.last_error`), scrubbed. */
  answer: string;
  duration_ms: number;
}

export interface TemplatesTable {
  app_id: string;
  type: LinkType;
  language: string;
  subject: string | null;
  text: string | null;
  html: string | null;
  sms: string | null;
  updated_at: number;
}

export type LoginFlowStatus = 'pending' | 'approved' | 'denied' | 'completed';

/** A sign-in started on the hosted login page (`login/`); secrets are stored only as hashes. */
export interface LoginFlowsTable {
  id: string;
  app_id: string;
  identifier: string;
  identifier_kind: Channel;
  /** 0 when nothing was sent (an unknown identifier and an app that does not create users on demand). */
  deliverable: number;
  browser_hash: string;
  link_hash: string;
  /** A keyed hash (HMAC under the master key) of the short code: a plain hash of 40 bits could be searched. */
  code_hash: string;
  code_attempts: number;
  redirect_url: string;
  code_challenge: string | null;
  language: string | null;
  status: LoginFlowStatus;
  requested_ip: string | null;
  requested_user_agent: string | null;
  created_at: number;
  expires_at: number;
  link_used_at: number | null;
  decided_at: number | null;
  completed_at: number | null;
  session_id: string | null;
}

/** Instance-wide facts, such as "the default app was created", written once. */
export interface MetaTable {
  key: string;
  value: string;
  created_at: number;
}

/** A fixed-window counter of the database rate limiter (rate-limit/database-rate-limiter.ts). */
export interface RateLimitsTable {
  /** SHA-256 (hex) of the bucket, the counted key and the window length: never the raw IP or identifier. */
  key_hash: string;
  window_start: number;
  count: number;
  expires_at: number;
}

/** A stored answer to a request made with an `Idempotency-Key`, replayed for 24 hours. */
export interface IdempotencyKeysTable {
  api_key_id: string;
  /** SHA-256 of the client's key: the key is the client's and is not kept. */
  key_hash: string;
  /** SHA-256 of method, path and body: the same key with another request is refused. */
  fingerprint: string;
  state: 'pending' | 'done';
  response_status: number | null;
  response_type: string | null;
  /** The answer, sealed under the master key. */
  response_body: string | null;
  created_at: number;
  expires_at: number;
}

export type WebhookEndpointStatus = 'enabled' | 'disabled';

export interface WebhookEndpointsTable {
  id: string;
  app_id: string;
  url: string;
  description: string;
  /** `*`, or `,type,type,`. */
  event_types: string;
  /** Sealed under the master key. */
  secret: string;
  secret_hint: string;
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
  status: WebhookEndpointStatus;
  disabled_reason: string | null;
  failing_since: number | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookAttemptsTable {
  id: string;
  app_id: string;
  endpoint_id: string;
  event_id: string;
  message_id: string;
  attempt: number;
  ok: number;
  status_code: number | null;
  latency_ms: number;
  response_excerpt: string | null;
  error: string | null;
  created_at: number;
}

export interface LinkStatsDaysTable {
  app_id: string;
  /** Midnight UTC of the day the links were created, epoch ms. */
  day: number;
  type: LinkType;
  created: number;
  sent: number;
  delivered: number;
  delivery_failed: number;
  opened: number;
  redeemed: number;
  sent_redeemed: number;
  revoked: number;
  expired: number;
  invites_matured: number;
  active_7d: number;
  redeem_histogram: string;
  rolled_at: number;
}

/** A person who may use the dashboard, and what they may do in it. */
export interface OperatorsTable {
  id: string;
  email: string;
  role: OperatorRole;
  /** The operator's user in the internal app, which the sign-in flow signs in. */
  user_id: string;
  /** The operator who invited them, `config` (LATCHKEY_DASHBOARD_OPERATORS), `cli` or `first_start`. */
  invited_by: string | null;
  created_at: number;
  updated_at: number;
  last_sign_in_at: number | null;
}

export type OperatorRole = 'owner' | 'admin' | 'operator' | 'viewer';

export interface OperatorSessionsTable {
  id: string;
  operator_id: string;
  /** SHA-256 of the cookie's secret. */
  secret_hash: string;
  created_at: number;
  /** Written at most once a minute; the session ends after 30 idle minutes. */
  last_seen_at: number;
  /** The absolute end: 8 hours after sign-in. */
  expires_at: number;
  /** When the operator last entered a fresh code: sensitive changes need one from the last few minutes. */
  reauth_at: number | null;
  revoked_at: number | null;
}

export interface OperatorTokensTable {
  token_hash: string;
  operator_id: string | null;
  purpose: 'sign_in' | 'first_owner';
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export type CampaignStatus = 'running' | 'done' | 'revoked';

/** A named bulk request (links/campaigns/): who started it, how far it got, and whether it was revoked. */
export interface CampaignsTable {
  id: string;
  app_id: string;
  name: string;
  created_at: number;
  /** The API key id (`key_…`) or dashboard operator id (`op_…`) that started it. */
  created_by: string;
  /** Rows in the request. */
  rows_total: number;
  /** Rows answered so far, as the request's batches commit. */
  rows_created: number;
  rows_failed: number;
  /** 1 when the request asked to send the links of rows that did not say (`?send=true`). */
  send: number;
  status: CampaignStatus;
  /** When the request stopped: every row answered, or the client went away, or the campaign was revoked. */
  finished_at: number | null;
  revoked_at: number | null;
}

export interface Database {
  campaigns: CampaignsTable;
  link_stats_days: LinkStatsDaysTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_attempts: WebhookAttemptsTable;
  latchkey_meta: MetaTable;
  outbox: OutboxTable;
  outbox_attempts: OutboxAttemptsTable;
  link_visits: LinkVisitsTable;
  templates: TemplatesTable;
  signing_keys: SigningKeysTable;
  used_tokens: UsedTokensTable;
  apps: StoredAppsTable;
  api_keys: ApiKeysTable;
  users: UsersTable;
  magic_links: MagicLinksTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  exchange_codes: ExchangeCodesTable;
  events: EventsTable;
  session_keys: SessionKeysTable;
  login_flows: LoginFlowsTable;
  rate_limits: RateLimitsTable;
  idempotency_keys: IdempotencyKeysTable;
  operators: OperatorsTable;
  operator_sessions: OperatorSessionsTable;
  operator_tokens: OperatorTokensTable;
}
