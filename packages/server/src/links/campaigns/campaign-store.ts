/** The store operations of campaigns (links/campaigns/campaign-queries.ts). */

import type { DayCounts } from '../../analytics/analytics-store.js';
import type { ServiceContext } from '../../context.js';
import type { CampaignRow, EventRow, MagicLinkRow, Page } from '../../storage/rows.js';
import type { CampaignStatus } from '../../storage/schema.js';
import type { LinkContext } from '../link-store.js';

/** How many of a campaign's links reached each step: GET /v1/stats's counts, without its invite figures. */
export type CampaignCounts = Omit<DayCounts, 'invites_matured' | 'active_7d'>;

/** How many links reached a step on one UTC day (`day` is its midnight, epoch ms), by when the step happened. */
export interface CampaignDay {
  day: number;
  created: number;
  sent: number;
  opened: number;
  redeemed: number;
}

export interface CampaignFigures {
  counts: CampaignCounts;
  days: CampaignDay[];
  /** The latest expiry of the campaign's links: no redemption happens after it. Null for a campaign of no links. */
  last_expires_at: number | null;
}

export interface CampaignStore {
  createCampaign(row: CampaignRow): Promise<void>;
  getCampaign(appId: string, id: string): Promise<CampaignRow | undefined>;
  listCampaigns(
    appId: string,
    filter: { status?: CampaignStatus | undefined },
    page: Page,
  ): Promise<CampaignRow[]>;
  /**
   * Sets how many rows the run has answered so far and answers the campaign's status after the write, so the run
   * learns in the same statement whether the campaign was revoked meanwhile.
   */
  recordCampaignProgress(id: string, created: number, failed: number): Promise<CampaignStatus | undefined>;
  /** The run ended: records the final counts and its end; a running campaign becomes `done`, a revoked one stays so. */
  finishCampaign(id: string, created: number, failed: number, now: number): Promise<void>;
  /** Marks the campaign revoked (once: a second call keeps the first time). Answers the row after the call. */
  markCampaignRevoked(appId: string, id: string, now: number): Promise<CampaignRow | undefined>;
  /**
   * Revokes up to `limit` of the campaign's outstanding links (not redeemed, revoked or expired), with `event(link)`
   * for each, in one transaction. Answers how many it revoked.
   */
  revokeCampaignLinks(
    appId: string,
    id: string,
    now: number,
    limit: number,
    event: (link: MagicLinkRow) => EventRow,
  ): Promise<number>;
  campaignFigures(appId: string, id: string, now: number): Promise<CampaignFigures>;
  /** The campaign's links by id (creation time), `limit` after the link `after` (for an export read page by page). */
  campaignLinks(appId: string, id: string, after: string | undefined, limit: number): Promise<MagicLinkRow[]>;
}

/** What the campaign services receive: links (a campaign makes them through bulk creation), and campaigns. */
export type CampaignContext = LinkContext & ServiceContext<CampaignStore>;
