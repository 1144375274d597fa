import { Type } from 'typebox';
import { actingApp } from '../http/auth.js';
import { iso, listResponse } from '../http/present.js';
import type { RouteGroups } from '../http/routes.js';
import { Id, PageQuery } from '../http/schemas.js';
import type { EventRow } from '../storage/rows.js';
import { getEventOrThrow, listEvents } from './event-service.js';
import type { EventContext } from './event-store.js';

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
export function eventRoutes(ctx: EventContext): RouteGroups {
  return {
    apiKey: async (app) => {
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
          const appId = actingApp(request);
          const { limit = 50, cursor, type, since } = request.query;
          const rows = await listEvents(ctx, appId, { type, since }, { limit, cursor });
          return listResponse(rows, limit, presentEvent);
        },
      );

      app.get(
        '/v1/events/:id',
        { schema: { tags: ['events'], summary: 'Read one event', params: Type.Object({ id: Id('evt') }) } },
        async (request) => {
          const appId = actingApp(request);
          return presentEvent(await getEventOrThrow(ctx, appId, request.params.id));
        },
      );
    },
  };
}
