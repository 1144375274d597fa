/** The store operations of apps, API keys and the installation's own records (apps/app-queries.ts). */

import type { ServiceContext } from '../context.js';
import type { ApiKeyRow, AppRow, EventRow, Page } from '../storage/rows.js';

export interface AppChanges {
  name: string;
  settings: string;
  updated_at: number;
}

/**
 * What `moveAppHost` writes besides the app's own changes, decided once the app holding the host (if any) is known
 * and locked: that app's changes, which must drop the public_url with the host, and the events of both apps.
 */
export type HostMovePlan = (holder: AppRow | undefined) => { holderChanges?: AppChanges; events: EventRow[] };

/**
 * The write of an app would give it a host another app holds (the unique index on `apps.public_host`). Storage
 * knows nothing of HTTP or error codes: the app service turns this into `host_taken`.
 */
export class PublicHostTaken extends Error {
  override readonly name = 'PublicHostTaken';
  readonly host: string;

  constructor(host: string) {
    super(`Another app already holds the host ${host}.`);
    this.host = host;
  }
}

/**
 * Every write of an app's settings also writes the host of their public_url (`publicHostOf`) to `apps.public_host`,
 * which is unique: `insertApp`, `updateApp` and `moveAppHost` throw `PublicHostTaken` when another app holds it, and
 * write nothing.
 */
export interface AppStore {
  insertApp(app: AppRow, keys: ApiKeyRow[], events: EventRow[]): Promise<void>;
  getApp(id: string): Promise<AppRow | undefined>;
  listApps(page: Page): Promise<AppRow[]>;
  updateApp(id: string, changes: AppChanges, events: EventRow[]): Promise<AppRow | undefined>;
  /**
   * `updateApp`, taking the host of the new public_url from the app that holds it, if another does: in one
   * transaction the holder is changed as `plan` says, then the app, and the plan's events are written. `released`
   * is the holder as changed, undefined when no other app held the host; nothing is written when the app is unknown.
   */
  moveAppHost(
    id: string,
    changes: AppChanges,
    plan: HostMovePlan,
  ): Promise<{ app: AppRow | undefined; released: AppRow | undefined }>;
  /** The app that holds `host` (spelled as `publicHostOf` spells it). */
  findAppByHost(host: string): Promise<AppRow | undefined>;
  /** Every held host and its app: each host appears once, the index being unique. */
  listAppHosts(): Promise<Array<{ id: string; host: string }>>;
  countApps(): Promise<number>;

  insertApiKey(key: ApiKeyRow, events: EventRow[]): Promise<void>;
  findApiKeyByHash(keyHash: string): Promise<ApiKeyRow | undefined>;
  /** A key of `appId` (an admin key when null), revoked or not. */
  getApiKey(appId: string | null, id: string): Promise<ApiKeyRow | undefined>;
  /** Admin keys when `appId` is null. */
  listApiKeys(appId: string | null, page: Page): Promise<ApiKeyRow[]>;
  revokeApiKey(
    appId: string | null,
    id: string,
    now: number,
    events: EventRow[],
  ): Promise<ApiKeyRow | undefined>;
  /** Gives a key of `appId` (admin keys when null), revoked or not, a new label; undefined when it has none. */
  relabelApiKey(
    appId: string | null,
    id: string,
    label: string,
    events: EventRow[],
  ): Promise<ApiKeyRow | undefined>;
  touchApiKey(id: string, now: number): Promise<void>;
  /**
   * Records `key` once for the whole installation; true for the one caller that recorded it. Nodes starting
   * together on an empty database use it so that only one of them creates the default app.
   */
  claimOnce(key: string, value: string, now: number): Promise<boolean>;
  getMeta(key: string): Promise<string | undefined>;
  /** Records `key` for the installation, replacing what was there (what the last node to start says of itself). */
  setMeta(key: string, value: string, now: number): Promise<void>;
}

/** What the app and API-key services receive. */
export type AppContext = ServiceContext<AppStore>;
