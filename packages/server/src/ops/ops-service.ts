import { ApiError } from '../errors/api-error.js';
import type { OpsContext } from './ops-store.js';

/**
 * Throws `not_ready` unless the database answers, its schema is up to date and, with REDIS_URL, Redis answers: the
 * public sign-in endpoints refuse requests while the Redis that counts their limits is down, so a node without it is
 * not ready for traffic.
 */
export async function checkReady(
  ctx: OpsContext,
): Promise<{ status: 'ready'; database: string; rate_limits: 'redis' | 'database' }> {
  let migrated: boolean;
  try {
    await ctx.store.ping();
    migrated = await ctx.store.migrationsDone();
  } catch {
    throw new ApiError('not_ready', 'The database does not answer.');
  }
  if (!migrated) {
    throw new ApiError(
      'not_ready',
      'Migrations have not run yet; run `latchkey migrate` or restart the server.',
    );
  }
  if (ctx.config.redisUrl) {
    try {
      await ctx.rateLimiter.ping();
    } catch {
      throw new ApiError(
        'not_ready',
        'Redis (REDIS_URL) does not answer; the public sign-in endpoints refuse requests until it does.',
      );
    }
  }
  return {
    status: 'ready',
    database: ctx.store.dialect,
    rate_limits: ctx.config.redisUrl ? 'redis' : 'database',
  };
}

/** Messages waiting in the outbox or in flight, shared by every node of the installation. */
export function outboxDepth(ctx: OpsContext): Promise<{ pending: number; sending: number }> {
  return ctx.store.outboxDepth();
}
