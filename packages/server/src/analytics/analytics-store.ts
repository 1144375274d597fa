/** The store operations of link analytics (analytics/analytics-queries.ts). */

import type { ServiceContext } from '../context.js';
import type { LinkType } from '../storage/schema.js';

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
  /** Links per bucket of time from send to redemption (analytics/redeem-histogram.ts). */
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

/** What the analytics services receive. */
export type AnalyticsContext = ServiceContext<AnalyticsStore>;
