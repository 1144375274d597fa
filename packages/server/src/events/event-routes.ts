import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Context } from '../context.js';
import { ApiError } from '../errors/api-error.js';
import { resolveApp } from '../http/auth.js';
import { iso, listResponse } from '../http/present.js';
import { Id, PageQuery } from '../http/schemas.js';
import type { EventRow } from '../storage/store.js';

export function presentEvent(row: EventRow) {
  return {
    id: row.id,
    type: row.type,
    subject_id: row.subject_id,
    created_at: iso(row.created_at),
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}

/** The events API: what happened in an app, newest first, for apps that poll rather than receive webhooks. */
export function eventRoutes(ctx: Context): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/events',
      {
        schema: {
          tags: ['events'],
          summary: 'List events, newest first (audit entries included)',
          querystring: Type.Intersect([
            PageQuery,
            Type.Object({
              type: Type.Optional(Type.String({ pattern: '^[a-z_]+\\.[a-z_]+$', maxLength: 100 })),
              since: Type.Optional(
                Type.String({ format: 'date-time', description: 'Only events at or after this time.' }),
              ),
            }),
          ]),
        },
      },
      async (request) => {
        const appId = await resolveApp(ctx, request);
        const { limit = 50, cursor, type, since } = request.query;
        const sinceMs = since === undefined ? undefined : Date.parse(since);
        if (sinceMs !== undefined && Number.isNaN(sinceMs)) {
          throw new ApiError('validation_failed', 'since must be an ISO 8601 date-time.', { param: 'since' });
        }
        const rows = await ctx.store.listEvents(appId, { type, since: sinceMs }, { limit, cursor });
        return listResponse(rows, limit, presentEvent);
      },
    );

    app.get(
      '/v1/events/:id',
      { schema: { tags: ['events'], summary: 'Read one event', params: Type.Object({ id: Id('evt') }) } },
      async (request) => {
        const appId = await resolveApp(ctx, request);
        const row = await ctx.store.getEvent(appId, request.params.id);
        if (!row) throw new ApiError('not_found', `No event ${request.params.id} in this app.`);
        return presentEvent(row);
      },
    );
  };
}
