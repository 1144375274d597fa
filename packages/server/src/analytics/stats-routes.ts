import { Type } from 'typebox';
import { actingApp } from '../http/auth.js';
import type { RouteGroups } from '../http/routes.js';
import type { AnalyticsContext } from './analytics-store.js';
import { LinkStats } from './stats-present.js';
import { linkStats } from './stats-service.js';

export function statsRoutes(ctx: AnalyticsContext): RouteGroups {
  return {
    apiKey: async (app) => {
      app.get(
        '/v1/stats',
        {
          schema: {
            operationId: 'getStats',
            tags: ['analytics'],
            summary: 'Funnel, conversion, time to redeem, invite activation, failures and a per-day series',
            response: { 200: LinkStats },
            querystring: Type.Object({
              from: Type.Optional(
                Type.String({
                  maxLength: 40,
                  description: 'ISO date or date-time (default: 30 days before `to`).',
                }),
              ),
              to: Type.Optional(
                Type.String({
                  maxLength: 40,
                  description: 'ISO date or date-time, exclusive (default: now).',
                }),
              ),
              type: Type.Optional(
                Type.Union([
                  Type.Literal('login'),
                  Type.Literal('verify_identifier'),
                  Type.Literal('invite'),
                ]),
              ),
            }),
          },
        },
        async (request) => {
          const appId = actingApp(request);
          return linkStats(ctx, appId, request.query);
        },
      );
    },
  };
}
