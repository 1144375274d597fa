import { actingApp } from '../http/auth.js';
import type { RouteGroups } from '../http/routes.js';
import { AppHealth, appHealth } from './app-health-service.js';
import type { AppHealthContext } from './app-health-store.js';

/** `GET /v1/health`: the app's outbox backlog, failing webhook endpoints and the last hour's delivery failures. */
export function appHealthRoutes(ctx: AppHealthContext): RouteGroups {
  return {
    apiKey: async (app) => {
      app.get(
        '/v1/health',
        {
          schema: {
            operationId: 'getAppHealth',
            tags: ['operations'],
            summary:
              "The app's delivery health: outbox backlog, failing webhook endpoints, failures in the last hour",
            response: { 200: AppHealth },
          },
        },
        async (request, reply) => {
          const health = await appHealth(ctx, actingApp(request));
          return reply.header('cache-control', 'no-store').send(health);
        },
      );
    },
  };
}
