import { makeEvent } from '../events/event-factory.js';
import type { LinkContext } from './link-store.js';

const BATCH = 500;
/** One maintenance run handles at most this many links; the rest wait for the next run. */
const MAX_PER_RUN = 50_000;

/**
 * Writes `magic_link.expired` once for every link that reached its expiry unused. A link's expiry is derived on read
 * (nothing happens at that moment), so the maintenance loop sweeps for links past it and marks each as it goes.
 * Answers how many links were looked at.
 */
export async function sweepExpiredLinks(ctx: LinkContext): Promise<number> {
  let total = 0;
  for (;;) {
    const now = ctx.clock();
    const marked = await ctx.store.sweepExpiredLinks(now, BATCH, (link) =>
      makeEvent(
        ctx,
        link.app_id,
        'magic_link.expired',
        link.id,
        {
          magic_link_id: link.id,
          user_id: link.user_id,
          type: link.type,
          expired_at: new Date(link.expires_at).toISOString(),
        },
        now,
      ),
    );
    total += marked;
    if (marked < BATCH || total >= MAX_PER_RUN) break;
  }
  if (total > 0) ctx.delivery.wake();
  return total;
}
