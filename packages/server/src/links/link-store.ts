/** The store operations of magic links (links/link-queries.ts). */

import type { AppContext } from '../apps/app-store.js';
import type { ServiceContext } from '../context.js';
import type { QueueContext } from '../delivery/outbox-store.js';
import type { EventContext } from '../events/event-store.js';
import type { RateLimitContext } from '../rate-limit/rate-limit-store.js';
import type { SessionContext } from '../sessions/session-context.js';
import type {
  EventRow,
  ExchangeCodeRow,
  LinkVisitRow,
  MagicLinkRow,
  OutboxAttemptRow,
  OutboxRow,
  Page,
  RefreshTokenRow,
  SessionRow,
  UserRow,
} from '../storage/rows.js';
import type { Channel, LinkStatus, LinkType } from '../storage/schema.js';
import type { UserContext } from '../users/user-store.js';

export interface LinkFilter {
  user_id?: string | undefined;
  /** `expired` is derived: not redeemed or revoked, and past `expires_at`. */
  status?: LinkStatus | 'expired' | undefined;
  type?: LinkType | undefined;
  created_from?: number | undefined;
  created_to?: number | undefined;
  campaign_id?: string | undefined;
  /** A part of the identifier (email address or phone number) the link went to, lower case. */
  identifier?: string | undefined;
  channel?: Channel | undefined;
  language?: string | undefined;
}

/** A webhook send of one of a link's events, with the event's type. */
export interface LinkWebhookAttempt {
  id: string;
  event_id: string;
  event_type: string;
  endpoint_id: string;
  attempt: number;
  ok: number;
  status_code: number | null;
  error: string | null;
  created_at: number;
}

/** What a successful link redemption writes, decided by the service once it has seen the link. */
export interface RedemptionWrites {
  session: SessionRow;
  exchangeCode?: ExchangeCodeRow;
  refreshToken?: RefreshTokenRow;
  /** Which identifier the click proved control of (null when the user's identifier changed since). */
  verified: 'email' | 'phone' | null;
  events: EventRow[];
  /** The confirm POST's visit, written with the redemption (the hosted page). */
  visit?: LinkVisitRow | undefined;
}

/** A link and, where the store reads it in the same statement, its user. */
export interface LinkAndUser {
  link: MagicLinkRow;
  user: UserRow | undefined;
}

export type RedeemResult =
  | { ok: true; link: MagicLinkRow; user: UserRow }
  | { ok: false; link: MagicLinkRow | undefined };

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
  /**
   * What redemption reads before it writes: the link of this token, and on PostgreSQL its user in the same statement
   * (SQLite leaves the user to the redemption's transaction, where a read is no round trip).
   */
  findLinkAndUserByTokenHash(tokenHash: string): Promise<LinkAndUser | undefined>;
  listLinks(appId: string, filter: LinkFilter, page: Page, now: number): Promise<MagicLinkRow[]>;
  /**
   * Records the first open; later opens change nothing. True when this call recorded it. `visit`, when given, is
   * written in the same transaction whether or not this was the first open.
   */
  markLinkOpened(linkId: string, now: number, event: EventRow, visit?: LinkVisitRow): Promise<boolean>;
  /** Writes one visit of a link's page (one INSERT: the page's GET is a hot path). */
  recordLinkVisit(visit: LinkVisitRow): Promise<void>;
  /** The newest `limit` visits of the app's link, newest first. */
  listLinkVisits(appId: string, linkId: string, limit: number): Promise<LinkVisitRow[]>;
  /** Deletes visits recorded before `before`; answers how many. */
  purgeLinkVisits(before: number): Promise<number>;
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
   * throws, nothing is consumed. `read` is the link and its user as the caller just read them by this token: on
   * PostgreSQL the plan is made from it instead of reading them again (the guarded UPDATE still decides whether the
   * link is spent, so a stale `read` can only lose).
   */
  redeemLink(
    tokenHash: string,
    now: number,
    sessionId: string,
    plan: (link: MagicLinkRow, user: UserRow) => RedemptionWrites,
    read?: LinkAndUser,
  ): Promise<RedeemResult>;
  listOutboxForLink(appId: string, linkId: string): Promise<OutboxRow[]>;
  /** The send attempts of every message carrying the link, each message's in order. */
  listLinkAttempts(appId: string, linkId: string): Promise<OutboxAttemptRow[]>;
  /** The newest `limit` webhook sends of the link's events (events whose subject is the link), newest first. */
  listLinkWebhookAttempts(appId: string, linkId: string, limit: number): Promise<LinkWebhookAttempt[]>;
  /**
   * Marks up to `limit` links past their expiry that were not looked at yet, and writes `event(link)` for those that
   * expired unused (not redeemed, not revoked), in one transaction. Each link is marked once, on any number of
   * nodes. Answers how many links were marked.
   */
  sweepExpiredLinks(now: number, limit: number, event: (link: MagicLinkRow) => EventRow): Promise<number>;
}

/** What the link services receive: links, and the apps, users, sessions and limits a link touches. */
export type LinkContext = AppContext &
  UserContext &
  SessionContext &
  RateLimitContext &
  EventContext &
  QueueContext &
  ServiceContext<LinkStore>;
