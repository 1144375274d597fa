/**
 * The storage contract: the operations the service needs, each one atomic. One implementation on Kysely serves
 * SQLite and PostgreSQL (`createStore`), and `store.conformance.test.ts` runs the same suite against both.
 */

import type { DialectName } from './database.js';
import type { RateLimitStore } from './rate-limit-queries.js';
import type {
  ApiKeysTable,
  AppsTable,
  EventsTable,
  ExchangeCodesTable,
  IdempotencyKeysTable,
  LinkStatus,
  LinkType,
  LoginFlowStatus,
  LoginFlowsTable,
  MagicLinksTable,
  OutboxTable,
  RefreshTokensTable,
  SessionKeysTable,
  SessionsTable,
  SigningKeysTable,
  TemplatesTable,
  UsersTable,
  WebhookAttemptsTable,
  WebhookEndpointsTable,
} from './schema.js';

export type AppRow = AppsTable;
export type ApiKeyRow = ApiKeysTable;
export type UserRow = UsersTable;
export type MagicLinkRow = MagicLinksTable;
export type SessionRow = SessionsTable;
export type RefreshTokenRow = RefreshTokensTable;
export type ExchangeCodeRow = ExchangeCodesTable;
export type EventRow = EventsTable;
export type SessionKeyRow = SessionKeysTable;
export type SigningKeyRow = SigningKeysTable;
export type OutboxRow = OutboxTable;
export type TemplateRow = TemplatesTable;
export type LoginFlowRow = LoginFlowsTable;
export type IdempotencyRow = IdempotencyKeysTable;
export type WebhookEndpointRow = WebhookEndpointsTable;
export type WebhookAttemptRow = WebhookAttemptsTable;

/** Newest first; `cursor` is the id of the last row of the previous page. */
export interface Page {
  limit: number;
  cursor?: string | undefined;
}

export interface UserFilter {
  email?: string | undefined;
  phone?: string | undefined;
  external_id?: string | undefined;
}

export interface LinkFilter {
  user_id?: string | undefined;
  /** `expired` is derived: not redeemed or revoked, and past `expires_at`. */
  status?: LinkStatus | 'expired' | undefined;
  type?: LinkType | undefined;
  created_from?: number | undefined;
  created_to?: number | undefined;
}

export type UserIdentifierField = 'email' | 'phone' | 'external_id';

export interface UserPatch {
  email?: string | null;
  email_verified?: number;
  phone?: string | null;
  phone_verified?: number;
  external_id?: string | null;
  metadata?: string;
  updated_at: number;
}

/** What a successful link redemption writes, decided by the service once it has seen the link. */
export interface RedemptionWrites {
  session: SessionRow;
  exchangeCode?: ExchangeCodeRow;
  refreshToken?: RefreshTokenRow;
  /** Which identifier the click proved control of (null when the user's identifier changed since). */
  verified: 'email' | 'phone' | null;
  events: EventRow[];
}

export type RedeemResult =
  | { ok: true; link: MagicLinkRow; user: UserRow }
  | { ok: false; link: MagicLinkRow | undefined };

export type ExchangeResult =
  | { ok: true; code: ExchangeCodeRow; session: SessionRow; user: UserRow }
  | { ok: false };

export type RefreshResult =
  | { ok: true; session: SessionRow; user: UserRow }
  | { ok: false; reason: 'invalid' | 'reused' };

export interface AppStore {
  insertApp(app: AppRow, keys: ApiKeyRow[], events: EventRow[]): Promise<void>;
  getApp(id: string): Promise<AppRow | undefined>;
  listApps(page: Page): Promise<AppRow[]>;
  updateApp(
    id: string,
    changes: { name: string; settings: string; updated_at: number },
    events: EventRow[],
  ): Promise<AppRow | undefined>;
  countApps(): Promise<number>;

  insertApiKey(key: ApiKeyRow, events: EventRow[]): Promise<void>;
  findApiKeyByHash(keyHash: string): Promise<ApiKeyRow | undefined>;
  /** Admin keys when `appId` is null. */
  listApiKeys(appId: string | null, page: Page): Promise<ApiKeyRow[]>;
  revokeApiKey(
    appId: string | null,
    id: string,
    now: number,
    events: EventRow[],
  ): Promise<ApiKeyRow | undefined>;
  touchApiKey(id: string, now: number): Promise<void>;
}

export interface UserStore {
  insertUser(user: UserRow, events: EventRow[]): Promise<void>;
  getUser(appId: string, id: string): Promise<UserRow | undefined>;
  findUser(appId: string, field: UserIdentifierField, value: string): Promise<UserRow | undefined>;
  listUsers(appId: string, filter: UserFilter, page: Page): Promise<UserRow[]>;
  updateUser(appId: string, id: string, patch: UserPatch, events: EventRow[]): Promise<UserRow | undefined>;
  /** Deletes the user and, in the same transaction, revokes its links and sessions (with an event for each). */
  deleteUser(
    appId: string,
    id: string,
    now: number,
    events: EventRow[],
    linkEvent: (link: MagicLinkRow) => EventRow,
    sessionEvent: (session: SessionRow) => EventRow,
  ): Promise<boolean>;
}

/** One link as `createLinks` writes it. */
export interface NewLinkRows {
  link: MagicLinkRow;
  newUser: UserRow | undefined;
  events: EventRow[];
  message: OutboxRow | undefined;
}

export interface LinkStore {
  /**
   * Inserts the link, the user it creates on demand and the message that delivers it (when asked to send), with
   * their events, in one transaction.
   */
  createLink(
    link: MagicLinkRow,
    newUser: UserRow | undefined,
    events: EventRow[],
    message?: OutboxRow,
  ): Promise<void>;
  /**
   * Writes many links (with their new users, messages and events) in one transaction, all or none. Bulk creation
   * uses it to commit a batch at once; `createLink` per row is the fallback when a batch fails.
   */
  createLinks(items: NewLinkRows[]): Promise<void>;
  getLink(appId: string, id: string): Promise<MagicLinkRow | undefined>;
  findLinkByTokenHash(tokenHash: string): Promise<MagicLinkRow | undefined>;
  listLinks(appId: string, filter: LinkFilter, page: Page, now: number): Promise<MagicLinkRow[]>;
  /** Records the first open; later opens change nothing. True when this call recorded it. */
  markLinkOpened(linkId: string, now: number, event: EventRow): Promise<boolean>;
  /** Revokes one outstanding link. Returns the link as it is after the call, or undefined if unknown. */
  revokeLink(
    appId: string,
    id: string,
    now: number,
    event: (link: MagicLinkRow) => EventRow,
  ): Promise<{ revoked: boolean; link: MagicLinkRow } | undefined>;
  revokeUserLinks(
    appId: string,
    userId: string,
    now: number,
    event: (link: MagicLinkRow) => EventRow,
  ): Promise<number>;
  /**
   * Consumes the link if it is still redeemable (exactly one caller wins under any concurrency), recording
   * `sessionId` on it, then writes what `plan` returns (a session with that id) in the same transaction. If `plan`
   * throws, nothing is consumed.
   */
  redeemLink(
    tokenHash: string,
    now: number,
    sessionId: string,
    plan: (link: MagicLinkRow, user: UserRow) => RedemptionWrites,
  ): Promise<RedeemResult>;
}

export interface SessionStore {
  /** Spends an exchange code once; `plan` runs in the same transaction and may throw to leave the code unspent. */
  consumeExchangeCode(
    codeHash: string,
    now: number,
    plan: (
      code: ExchangeCodeRow,
      session: SessionRow,
    ) => { refreshToken: RefreshTokenRow; events: EventRow[] },
  ): Promise<ExchangeResult>;
  /**
   * Spends a refresh token and stores its successor. Presenting a spent token revokes the session (reuse
   * detection) and answers `reused`.
   */
  rotateRefreshToken(
    tokenHash: string,
    now: number,
    plan: (session: SessionRow) => { refreshToken: RefreshTokenRow; events: EventRow[] },
    onReuse: (session: SessionRow) => EventRow,
  ): Promise<RefreshResult>;
  /** For embedded redemption, where the session's first refresh token is issued right away. */
  getSession(appId: string, id: string): Promise<SessionRow | undefined>;
  listSessions(
    appId: string,
    filter: { user_id?: string | undefined; active_at?: number | undefined },
    page: Page,
  ): Promise<SessionRow[]>;
  revokeSession(appId: string, id: string, now: number, event: EventRow): Promise<SessionRow | undefined>;

  listSessionKeys(): Promise<SessionKeyRow[]>;
  insertSessionKey(key: SessionKeyRow): Promise<void>;
  /** Retires every active session key except `keepKid`, with the events, in one transaction; answers how many. */
  retireSessionKeys(keepKid: string, now: number, events: EventRow[]): Promise<number>;
}

/** A stateless token on its way to a session: who it names, and whether it may be spent only once. */
export interface SignedTokenRedemption {
  appId: string;
  /** Recorded so the token signs in once; null when the app allows reuse until expiry. */
  tokenKey: string | null;
  tokenExpiresAt: number;
  /** A `usr_…` id the token's `sub` may name directly. */
  userId: string | undefined;
  externalId: string;
  /** The user to create when none matches; undefined when the app does not create users on demand. */
  newUser: UserRow | undefined;
}

export type SignedTokenResult =
  | { ok: true; user: UserRow; created: boolean }
  | { ok: false; reason: 'used' | 'no_user' };

export interface SignedLinkStore {
  insertSigningKey(key: SigningKeyRow, events: EventRow[]): Promise<void>;
  getSigningKey(kid: string): Promise<SigningKeyRow | undefined>;
  /** Newest first, revoked ones included (a token signed with a revoked key is told so). */
  listSigningKeys(appId: string, page: Page): Promise<SigningKeyRow[]>;
  revokeSigningKey(
    appId: string,
    kid: string,
    now: number,
    events: EventRow[],
  ): Promise<SigningKeyRow | undefined>;
  touchSigningKey(kid: string, now: number): Promise<void>;
  /**
   * In one transaction: records the token as used (refusing it when it already is), finds or creates its user,
   * and writes what `plan` returns (the session, the exchange code and the events).
   */
  redeemSignedToken(
    input: SignedTokenRedemption,
    now: number,
    plan: (
      user: UserRow,
      created: boolean,
    ) => { session: SessionRow; exchangeCode: ExchangeCodeRow; events: EventRow[] },
  ): Promise<SignedTokenResult>;
  /** Whether a token was already spent (read-only: the confirm page says so before the button is pressed). */
  isTokenUsed(appId: string, tokenKey: string): Promise<boolean>;
  /** Deletes what has no use after its expiry: used-token records, exchange codes, refresh tokens, old messages. */
  purgeExpired(
    now: number,
  ): Promise<{ outboxMessages: number; usedTokens: number; exchangeCodes: number; refreshTokens: number }>;
}

export interface OutboxOutcome {
  id: string;
  worker: string;
  now: number;
  events: EventRow[];
}

export interface OutboxStore {
  /**
   * Claims up to `limit` messages that are due, or whose previous worker's lease ran out, leasing them to `worker`
   * until `leaseUntil`. On PostgreSQL concurrent workers skip each other's rows (`FOR UPDATE SKIP LOCKED`).
   */
  claimOutbox(now: number, leaseUntil: number, limit: number, worker: string): Promise<OutboxRow[]>;
  /** Records a sent message and moves its link to `sent` (never back from a later state). */
  markOutboxSent(outcome: OutboxOutcome): Promise<void>;
  /** `markOutboxSent` for several messages in one transaction (a worker's batch). */
  markOutboxSentMany(outcomes: OutboxOutcome[]): Promise<void>;
  /** Schedules another attempt at `retryAt`, or, with `retryAt` null, gives the message up as `delivery_failed`. */
  markOutboxFailed(outcome: OutboxOutcome & { error: string; retryAt: number | null }): Promise<void>;
  listOutboxForLink(appId: string, linkId: string): Promise<OutboxRow[]>;
  /** Messages waiting or in flight, for the metrics. */
  outboxDepth(): Promise<{ pending: number; sending: number }>;

  upsertTemplate(row: TemplateRow): Promise<void>;
  getTemplate(appId: string, type: LinkType, language: string): Promise<TemplateRow | undefined>;
  listTemplates(appId: string): Promise<TemplateRow[]>;
  deleteTemplate(appId: string, type: LinkType, language: string): Promise<boolean>;
}

/** What finishing a login flow writes, decided by the service once it knows the user. */
export interface LoginCompletionWrites {
  session: SessionRow;
  exchangeCode: ExchangeCodeRow;
  events: EventRow[];
}

export type LoginCompletionResult =
  | { ok: true; flow: LoginFlowRow; user: UserRow; created: boolean }
  | { ok: false; reason: 'not_open' | 'no_user'; flow: LoginFlowRow | undefined };

export interface LoginFlowStore {
  /** Inserts the flow and, when there is someone to send to, the message carrying its link and code. */
  insertLoginFlow(flow: LoginFlowRow, message: OutboxRow | undefined, events: EventRow[]): Promise<void>;
  findLoginFlowByLinkHash(linkHash: string): Promise<LoginFlowRow | undefined>;
  /** The newest flow this browser started for the app, whatever its state. */
  latestLoginFlowForBrowser(appId: string, browserHash: string): Promise<LoginFlowRow | undefined>;
  /** The newest flow for the identifier that can still be finished (pending or approved, not expired). */
  latestOpenLoginFlow(appId: string, identifier: string, now: number): Promise<LoginFlowRow | undefined>;
  /**
   * Counts one code attempt in a single guarded UPDATE, unless `max` attempts were already counted or the flow can
   * no longer be finished; answers the new count, or null when nothing was counted. Concurrency-safe: of any number
   * of simultaneous attempts at most `max` are ever counted.
   */
  countCodeAttempt(flowId: string, max: number, now: number): Promise<number | null>;
  /**
   * Approval or refusal from another device through the link: spends the link (once) of a pending flow that has not
   * expired. Answers the updated flow, or undefined when the link was used, the flow ended or it expired.
   */
  decideLoginFlow(
    flowId: string,
    decision: 'approved' | 'denied',
    now: number,
    events: EventRow[],
  ): Promise<LoginFlowRow | undefined>;
  /**
   * Finishes a flow that is in one of `from` and not expired: marks it completed (spending its link), finds the user
   * by the flow's identifier or creates `newUser`, and writes what `plan` returns, all in one transaction. If `plan`
   * throws, nothing is written.
   */
  completeLoginFlow(
    input: { flowId: string; from: LoginFlowStatus[]; now: number; newUser: UserRow | undefined },
    plan: (flow: LoginFlowRow, user: UserRow, created: boolean) => LoginCompletionWrites,
  ): Promise<LoginCompletionResult>;
  /** Deletes flows that ended (or expired) more than a day ago. */
  purgeLoginFlows(now: number): Promise<number>;
}

export interface EventStore {
  listEvents(
    appId: string,
    filter: { type?: string | undefined; subject_id?: string | undefined; since?: number | undefined },
    page: Page,
  ): Promise<EventRow[]>;
}

/** What `beginIdempotentRequest` found: go ahead, replay the stored answer, or refuse. */
export type IdempotencyBegin =
  | { outcome: 'started' }
  | { outcome: 'replay'; row: IdempotencyRow }
  | { outcome: 'mismatch' }
  | { outcome: 'in_progress' };

export interface IdempotencyStore {
  /**
   * Claims `(api_key_id, key_hash)` for this request with a `pending` row. Exactly one of several concurrent callers
   * gets `started`; the others get `in_progress` (same request) or `mismatch` (another request under the same key).
   * A finished row answers `replay` for the same request. An expired row, or a `pending` one created before
   * `staleBefore` (its request died), is taken over.
   */
  beginIdempotentRequest(row: IdempotencyRow, staleBefore: number): Promise<IdempotencyBegin>;
  /** Stores the answer of a started request; from now on the key replays it. */
  completeIdempotentRequest(
    apiKeyId: string,
    keyHash: string,
    response: { status: number; type: string; body: string },
  ): Promise<void>;
  /** Forgets a started request that failed, so a retry with the same key runs again. Finished rows are kept. */
  releaseIdempotentRequest(apiKeyId: string, keyHash: string): Promise<void>;
  /** Deletes rows past `expires_at`; answers how many. */
  purgeIdempotencyKeys(now: number): Promise<number>;
}

export type WebhookEndpointChanges = Partial<
  Pick<
    WebhookEndpointRow,
    | 'url'
    | 'description'
    | 'event_types'
    | 'status'
    | 'disabled_reason'
    | 'failing_since'
    | 'secret'
    | 'secret_hint'
    | 'previous_secret'
    | 'previous_secret_expires_at'
  >
> & { updated_at: number };

export interface WebhookStore {
  insertWebhookEndpoint(row: WebhookEndpointRow, events: EventRow[]): Promise<void>;
  getWebhookEndpoint(appId: string, id: string): Promise<WebhookEndpointRow | undefined>;
  listWebhookEndpoints(appId: string, page: Page): Promise<WebhookEndpointRow[]>;
  updateWebhookEndpoint(
    appId: string,
    id: string,
    changes: WebhookEndpointChanges,
    events: EventRow[],
  ): Promise<WebhookEndpointRow | undefined>;
  /** Deletes the endpoint and its attempt log; its queued messages fail when a worker claims them. */
  deleteWebhookEndpoint(appId: string, id: string, events: EventRow[]): Promise<boolean>;
  /**
   * Logs one attempt and keeps the endpoint's health: a success clears `failing_since`; a failure starts it, and
   * when the run of failures began at or before `disableIfFailingSince` the endpoint is disabled and
   * `disabledEvent` written, all in one transaction. Answers whether this call disabled it.
   */
  recordWebhookAttempt(
    attempt: WebhookAttemptRow,
    disableIfFailingSince: number,
    disabledEvent: (endpoint: WebhookEndpointRow) => EventRow,
  ): Promise<{ disabled: boolean }>;
  listWebhookAttempts(
    appId: string,
    endpointId: string,
    filter: { event_id?: string | undefined },
    page: Page,
  ): Promise<WebhookAttemptRow[]>;
  /** Queues one more delivery of an event to an endpoint (manual redelivery). */
  queueWebhookMessage(row: OutboxRow): Promise<void>;
  getEvent(appId: string, id: string): Promise<EventRow | undefined>;
  /**
   * Marks up to `limit` links past their expiry that were not looked at yet, and writes `event(link)` for those that
   * expired unused (not redeemed, not revoked), in one transaction. Each link is marked once, on any number of
   * nodes. Answers how many links were marked.
   */
  sweepExpiredLinks(now: number, limit: number, event: (link: MagicLinkRow) => EventRow): Promise<number>;
}

export interface LinkStatsQuery {
  appId: string;
  /** Links created in [from, to). */
  from: number;
  to: number;
  type?: LinkType | undefined;
  /** For deciding which outstanding links have expired. */
  now: number;
}

export interface DayCounts {
  created: number;
  sent: number;
  delivered: number;
  delivery_failed: number;
  opened: number;
  redeemed: number;
  /** Sent and then redeemed: the numerator of the sent→redeemed rate. */
  sent_redeemed: number;
  revoked: number;
  expired: number;
  /** Invite links at least 7 days old: those whose first week is over. */
  invites_matured: number;
  /** Of those, the ones whose user signed in, or refreshed a session, within 7 days of the invite. */
  active_7d: number;
}

/** The figures of the links of one type created on one UTC day (`day` is its midnight). */
export interface DayStats extends DayCounts {
  day: number;
  type: LinkType;
  /** Links per bucket of time from send to redemption (storage/redeem-buckets.ts). */
  histogram: number[];
}

export interface LinkStats {
  /** Per day and type; days and types without links left out. */
  days: DayStats[];
  failures: Array<{ type: string; reason: string | null; count: number }>;
}

export interface AnalyticsStore {
  linkStats(query: LinkStatsQuery): Promise<LinkStats>;
  /**
   * Writes the final figures of up to `maxGroups` (app, day, type) whose links are all settled and that are not
   * written yet; answers how many it wrote. Safe on several nodes at once (a group is written once).
   */
  rollupLinkStats(now: number, maxGroups: number): Promise<number>;
}

export interface Store
  extends IdempotencyStore,
    AppStore,
    UserStore,
    LinkStore,
    SessionStore,
    EventStore,
    SignedLinkStore,
    OutboxStore,
    LoginFlowStore,
    RateLimitStore,
    WebhookStore,
    AnalyticsStore {
  readonly dialect: DialectName;
  /**
   * Records `key` once for the whole installation; true for the one caller that recorded it. Nodes starting
   * together on an empty database use it so that only one of them creates the default app.
   */
  claimOnce(key: string, value: string, now: number): Promise<boolean>;
  getMeta(key: string): Promise<string | undefined>;
  /** Cheap round trip for /readyz. */
  ping(): Promise<void>;
  /** True when every known migration has been applied (for /readyz). */
  migrationsDone(): Promise<boolean>;
  close(): Promise<void>;
}
