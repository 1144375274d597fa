/** The store operations of users (users/user-queries.ts). */

import type { ServiceContext } from '../context.js';
import type { EventRow, MagicLinkRow, Page, SessionRow, UserRow } from '../storage/rows.js';

export interface UserFilter {
  email?: string | undefined;
  phone?: string | undefined;
  external_id?: string | undefined;
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

/** A user's stored identifiers, as the identifier review walks them. */
export interface UserIdentifiers {
  id: string;
  app_id: string;
  email: string | null;
  phone: string | null;
}

export interface UserStore {
  insertUser(user: UserRow, events: EventRow[]): Promise<void>;
  getUser(appId: string, id: string): Promise<UserRow | undefined>;
  findUser(appId: string, field: UserIdentifierField, value: string): Promise<UserRow | undefined>;
  listUsers(appId: string, filter: UserFilter, page: Page): Promise<UserRow[]>;
  /** Every user of every app, by id, `limit` after `afterId`: for the identifier review. */
  userIdentifiersPage(afterId: string | null, limit: number): Promise<UserIdentifiers[]>;
  /** Puts one identifier in its canonical form (the review checked no other user has that form). */
  rewriteIdentifier(
    appId: string,
    id: string,
    kind: 'email' | 'phone',
    value: string,
    now: number,
  ): Promise<void>;
  /** The app's `default_phone_region` (null when unset), read only for a number written without `+`. */
  phoneRegionOf(appId: string): Promise<string | null>;
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

/** What the user services receive. */
export type UserContext = ServiceContext<UserStore>;
