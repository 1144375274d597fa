/**
 * What the storage conformance suites share: a migrated store on a fresh database of each dialect, and rows to
 * put in it. Every factory fills a valid row with fresh ids and hashes; `overrides` sets any column.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { hashSecret, newId, randomSecret } from '../crypto/tokens.js';
import { type DatabaseHandle, type DialectName, openDatabase } from '../storage/database.js';
import { migrateToLatest } from '../storage/migrate.js';
import type {
  AppRow,
  EventRow,
  ExchangeCodeRow,
  MagicLinkRow,
  SessionRow,
  UserRow,
} from '../storage/rows.js';
import type { Database } from '../storage/schema.js';
import type { Store } from '../store.js';
import { createStore } from '../store.js';
import { WEBHOOK_EVENT_TYPES } from '../webhooks/event-types.js';
import { createTestDatabase, type TestDatabase } from './databases.js';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const id = (prefix: string, at: number) => newId(prefix, at, randomBytes);
export const secretHash = () => hashSecret(randomSecret(randomBytes));
export const email = () => `${randomBytes(6).toString('hex')}@example.com`;

/** A `plan` that throws, for showing that a call whose plan fails writes nothing. */
export function planFailure(): never {
  throw new Error('plan failed');
}

export interface StoreFixture {
  /** The store under test. */
  store(): Store;
  /** The same database through Kysely, for rows the store has no reader for. */
  db(): Kysely<Database>;
  /** Another store on the same database with a pool of its own, as a second process would have. */
  openStore(): Store;
}

/**
 * Gives the calling `describe` a migrated store on a database of its own: one for the whole suite, or with
 * `perTest` a fresh one for every test. Stores from `openStore` are closed before the database is dropped.
 */
export function useStore(
  dialect: DialectName,
  { perTest = false }: { perTest?: boolean } = {},
): StoreFixture {
  let database: TestDatabase | undefined;
  let handle: DatabaseHandle | undefined;
  let store: Store | undefined;
  const extraHandles: DatabaseHandle[] = [];

  const open = async () => {
    database = await createTestDatabase(dialect);
    handle = openDatabase(database.target);
    await migrateToLatest(handle.db);
    store = createStore(handle, { webhookEventTypes: WEBHOOK_EVENT_TYPES });
  };
  const close = async () => {
    while (extraHandles.length > 0) await extraHandles.pop()?.close();
    await store?.close();
    await database?.drop();
    [database, handle, store] = [undefined, undefined, undefined];
  };
  if (perTest) {
    beforeEach(open);
    afterEach(close);
  } else {
    beforeAll(open);
    afterAll(close);
  }

  const opened = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the store is only open inside a test');
    return value;
  };
  return {
    store: () => opened(store),
    db: () => opened(handle).db,
    openStore: () => {
      const own = openDatabase(opened(database).target);
      extraHandles.push(own);
      return createStore(own, { webhookEventTypes: WEBHOOK_EVENT_TYPES });
    },
  };
}

export function appRow(at: number, overrides: Partial<AppRow> = {}): AppRow {
  return {
    id: id('app', at),
    name: 'Acme',
    settings: '{}',
    created_at: at,
    updated_at: at,
    internal: 0,
    ...overrides,
  };
}

export function userRow(appId: string, at: number, overrides: Partial<UserRow> = {}): UserRow {
  return {
    id: id('usr', at),
    app_id: appId,
    external_id: null,
    email: null,
    email_verified: 0,
    phone: null,
    phone_verified: 0,
    metadata: '{}',
    created_at: at,
    updated_at: at,
    last_login_at: null,
    ...overrides,
  };
}

/** An outstanding email login link for `user`, valid for 15 minutes from `at`. */
export function linkRow(user: UserRow, at: number, overrides: Partial<MagicLinkRow> = {}): MagicLinkRow {
  return {
    id: id('ml', at),
    app_id: user.app_id,
    user_id: user.id,
    identifier: user.email ?? 'someone@example.com',
    identifier_kind: 'email',
    channel: 'email',
    type: 'login',
    token_hash: secretHash(),
    redirect_url: 'https://app.example.com/welcome',
    magic_link_path: null,
    code_challenge: null,
    language: null,
    ttl_minutes: 15,
    status: 'created',
    metadata: '{}',
    created_at: at,
    expires_at: at + 15 * MINUTE,
    sent_at: null,
    delivered_at: null,
    delivery_failed_at: null,
    opened_at: null,
    redeemed_at: null,
    revoked_at: null,
    session_id: null,
    expiry_swept_at: null,
    campaign_id: null,
    ...overrides,
  };
}

/** A magic-link session of 30 days; the link it came from is `link_id` in `overrides`. */
export function sessionRow(
  appId: string,
  userId: string,
  at: number,
  overrides: Partial<SessionRow> = {},
): SessionRow {
  return {
    id: id('ses', at),
    app_id: appId,
    user_id: userId,
    amr: 'magic_link',
    link_id: null,
    ip: null,
    user_agent: null,
    created_at: at,
    expires_at: at + 30 * DAY,
    last_refreshed_at: null,
    revoked_at: null,
    ...overrides,
  };
}

export function exchangeCodeRow(
  session: SessionRow,
  at: number,
  overrides: Partial<ExchangeCodeRow> = {},
): ExchangeCodeRow {
  return {
    code_hash: secretHash(),
    app_id: session.app_id,
    session_id: session.id,
    user_id: session.user_id,
    redirect_url: null,
    code_challenge: null,
    created_at: at,
    expires_at: at + MINUTE,
    used_at: null,
    ...overrides,
  };
}

export function eventRow(
  appId: string | null,
  type: string,
  subjectId: string | null,
  at: number,
  overrides: Partial<EventRow> = {},
): EventRow {
  return {
    id: id('evt', at),
    app_id: appId,
    type,
    subject_id: subjectId,
    data: '{}',
    created_at: at,
    ...overrides,
  };
}
