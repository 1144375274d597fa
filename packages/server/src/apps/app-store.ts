/** The store operations of apps, API keys and the installation's own records (apps/app-queries.ts). */

import type { ServiceContext } from '../context.js';
import type { ApiKeyRow, AppRow, EventRow, Page } from '../storage/rows.js';

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
  /**
   * Records `key` once for the whole installation; true for the one caller that recorded it. Nodes starting
   * together on an empty database use it so that only one of them creates the default app.
   */
  claimOnce(key: string, value: string, now: number): Promise<boolean>;
  getMeta(key: string): Promise<string | undefined>;
}

/** What the app and API-key services receive. */
export type AppContext = ServiceContext<AppStore>;
