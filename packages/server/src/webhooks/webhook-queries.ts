import type { RootDb } from '../storage/database.js';
import { insertEvents, paginate } from '../storage/query-helpers.js';
import type { WebhookStore } from './webhook-store.js';

/**
 * `endpoints` is the cache of enabled endpoints that event writes read (query-helpers.ts), when the database has one;
 * every write to `webhook_endpoints` below goes through `changing`.
 */
export function webhookQueries(
  db: RootDb,
  endpoints?: { changing<T>(write: () => Promise<T>): Promise<T> },
): WebhookStore {
  const changing = <T>(write: () => Promise<T>): Promise<T> =>
    endpoints ? endpoints.changing(write) : write();
  return {
    async insertWebhookEndpoint(row, events) {
      await changing(() =>
        db.transaction().execute(async (trx) => {
          await trx.insertInto('webhook_endpoints').values(row).execute();
          await insertEvents(trx, events);
        }),
      );
    },

    getWebhookEndpoint: (appId, id) =>
      db
        .selectFrom('webhook_endpoints')
        .selectAll()
        .where('app_id', '=', appId)
        .where('id', '=', id)
        .executeTakeFirst(),

    listWebhookEndpoints: (appId, page) =>
      paginate(
        db.selectFrom('webhook_endpoints').selectAll().where('app_id', '=', appId),
        'id',
        page,
      ).execute(),

    updateWebhookEndpoint(appId, id, changes, events) {
      return changing(() =>
        db.transaction().execute(async (trx) => {
          const row = await trx
            .updateTable('webhook_endpoints')
            .set(changes)
            .where('app_id', '=', appId)
            .where('id', '=', id)
            .returningAll()
            .executeTakeFirst();
          if (row) await insertEvents(trx, events);
          return row;
        }),
      );
    },

    deleteWebhookEndpoint(appId, id, events) {
      return changing(() =>
        db.transaction().execute(async (trx) => {
          const result = await trx
            .deleteFrom('webhook_endpoints')
            .where('app_id', '=', appId)
            .where('id', '=', id)
            .executeTakeFirst();
          if (Number(result.numDeletedRows) === 0) return false;
          await trx.deleteFrom('webhook_attempts').where('endpoint_id', '=', id).execute();
          await insertEvents(trx, events);
          return true;
        }),
      );
    },

    recordWebhookAttempt(attempt, disableIfFailingSince, disabledEvent) {
      return changing(() =>
        db.transaction().execute(async (trx) => {
          await trx.insertInto('webhook_attempts').values(attempt).execute();
          if (attempt.ok === 1) {
            await trx
              .updateTable('webhook_endpoints')
              .set({ failing_since: null })
              .where('id', '=', attempt.endpoint_id)
              .where('failing_since', 'is not', null)
              .execute();
            return { disabled: false };
          }
          await trx
            .updateTable('webhook_endpoints')
            .set({ failing_since: attempt.created_at })
            .where('id', '=', attempt.endpoint_id)
            .where('failing_since', 'is', null)
            .execute();
          const disabled = await trx
            .updateTable('webhook_endpoints')
            .set({
              status: 'disabled',
              disabled_reason: 'failing',
              updated_at: attempt.created_at,
            })
            .where('id', '=', attempt.endpoint_id)
            .where('status', '=', 'enabled')
            .where('failing_since', '<=', disableIfFailingSince)
            .returningAll()
            .executeTakeFirst();
          if (!disabled) return { disabled: false };
          await insertEvents(trx, [disabledEvent(disabled)]);
          return { disabled: true };
        }),
      );
    },

    async logWebhookAttempt(attempt) {
      // The endpoint row is not written, so the endpoint cache needs no `changing`.
      await db.insertInto('webhook_attempts').values(attempt).execute();
    },

    listWebhookAttempts(appId, endpointId, filter, page) {
      let q = db
        .selectFrom('webhook_attempts')
        .selectAll()
        .where('app_id', '=', appId)
        .where('endpoint_id', '=', endpointId);
      if (filter.event_id !== undefined) q = q.where('event_id', '=', filter.event_id);
      return paginate(q, 'id', page).execute();
    },

    async queueWebhookMessage(row) {
      await db.insertInto('outbox').values(row).execute();
    },
  };
}
