import { ApiError } from '../errors/api-error.js';
import type { OpsContext } from './ops-store.js';

/** Throws `not_ready` unless the database answers and its schema is up to date. */
export async function checkReady(ctx: OpsContext): Promise<{ status: 'ready'; database: string }> {
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
  return { status: 'ready', database: ctx.store.dialect };
}

/** Messages waiting in the outbox or in flight, shared by every node of the installation. */
export function outboxDepth(ctx: OpsContext): Promise<{ pending: number; sending: number }> {
  return ctx.store.outboxDepth();
}
