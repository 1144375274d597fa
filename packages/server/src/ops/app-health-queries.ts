import { sql } from 'kysely';
import type { RootDb } from '../storage/database.js';
import type { AppHealthStore } from './app-health-store.js';

export function appHealthQueries(db: RootDb): AppHealthStore {
  return {
    async appHealthFacts(appId, since) {
      const [queued, endpoints, failing, sends, deliveries] = await Promise.all([
        db
          .selectFrom('outbox')
          .select([
            sql<number>`sum(case when status = 'pending' then 1 else 0 end)`.as('pending'),
            sql<number>`sum(case when status = 'sending' then 1 else 0 end)`.as('sending'),
            sql<number | null>`min(created_at)`.as('oldest'),
          ])
          .where('app_id', '=', appId)
          .where('status', 'in', ['pending', 'sending'])
          .executeTakeFirst(),
        db
          .selectFrom('webhook_endpoints')
          .select(sql<number>`count(*)`.as('n'))
          .where('app_id', '=', appId)
          .executeTakeFirst(),
        db
          .selectFrom('webhook_endpoints')
          .select(['id', 'url', 'status', 'failing_since'])
          .where('app_id', '=', appId)
          .where((eb) =>
            eb.or([
              eb.and([eb('status', '=', 'enabled'), eb('failing_since', 'is not', null)]),
              eb.and([eb('status', '=', 'disabled'), eb('disabled_reason', '=', 'failing')]),
            ]),
          )
          .orderBy('id')
          .limit(50)
          .execute(),
        db
          .selectFrom('outbox_attempts')
          .select(sql<number>`count(*)`.as('n'))
          .where('app_id', '=', appId)
          .where('ok', '=', 0)
          .where('at', '>=', since)
          .executeTakeFirst(),
        db
          .selectFrom('webhook_attempts')
          .select(sql<number>`count(*)`.as('n'))
          .where('app_id', '=', appId)
          .where('ok', '=', 0)
          .where('created_at', '>=', since)
          .executeTakeFirst(),
      ]);
      // PostgreSQL answers count and sum as text (bigint); both dialects answer null for a sum of no rows.
      const oldest = queued?.oldest;
      return {
        pending: Number(queued?.pending ?? 0),
        sending: Number(queued?.sending ?? 0),
        oldestQueuedAt: oldest === null || oldest === undefined ? null : Number(oldest),
        endpoints: Number(endpoints?.n ?? 0),
        failingEndpoints: failing.map((row) => ({
          ...row,
          failing_since: row.failing_since === null ? null : Number(row.failing_since),
        })),
        failedSends: Number(sends?.n ?? 0),
        failedWebhookDeliveries: Number(deliveries?.n ?? 0),
      };
    },
  };
}
