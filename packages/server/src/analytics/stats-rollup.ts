import type { AnalyticsContext } from './analytics-store.js';

/** At most this many (app, day, type) groups per maintenance run; a backlog (after an upgrade) takes a few runs. */
const MAX_GROUPS_PER_RUN = 2000;

/** Writes the final figures of the days whose links are all settled (see storage/analytics-queries.ts). */
export function rollupLinkStats(ctx: AnalyticsContext): Promise<number> {
  return ctx.store.rollupLinkStats(ctx.clock(), MAX_GROUPS_PER_RUN);
}
