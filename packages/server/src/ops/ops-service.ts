import { type Static, Type } from 'typebox';
import { ApiError } from '../errors/api-error.js';
import { Named } from '../http/schemas.js';
import type { OpsContext } from './ops-store.js';

/** What `/readyz` answers when the node is ready for traffic. */
export const Readiness = Named(
  'Readiness',
  Type.Object(
    {
      status: Type.Literal('ready'),
      database: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')]),
      rate_limits: Type.Union([Type.Literal('redis'), Type.Literal('database')], {
        description: 'Where rate limits are counted: Redis (REDIS_URL) or the database.',
      }),
    },
    {
      description: 'Ready: the database answers, migrations are done and Redis (with REDIS_URL) answers',
      examples: [{ status: 'ready', database: 'postgres', rate_limits: 'redis' }],
    },
  ),
);

/**
 * Throws `not_ready` unless the database answers, its schema is up to date and, with REDIS_URL, Redis answers: the
 * public sign-in endpoints refuse requests while the Redis that counts their limits is down, so a node without it is
 * not ready for traffic.
 */
export async function checkReady(ctx: OpsContext): Promise<Static<typeof Readiness>> {
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
