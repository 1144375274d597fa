/** The store operations of stateless links and their signing keys (signed-links/signed-link-queries.ts). */

import type { ServiceContext } from '../context.js';
import type { LinkContext } from '../links/link-store.js';
import type { EventRow, ExchangeCodeRow, Page, SessionRow, SigningKeyRow, UserRow } from '../storage/rows.js';

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
  /** Deletes records of used tokens past their expiry; answers how many. */
  purgeUsedTokens(now: number): Promise<number>;
}

/** What the stateless-link services receive. */
export type SignedLinkContext = LinkContext & ServiceContext<SignedLinkStore>;
