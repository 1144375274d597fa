import { ApiError } from '../errors/api-error.js';
import { actingApp } from '../http/auth.js';
import type { RouteGroups } from '../http/routes.js';
import type { DeliveryContext } from './outbox-store.js';

/**
 * The development outbox: what the `log` transports "sent", newest first, so a developer can follow a link without
 * a mail server. It exists only on a development server while the development email transport is in use, and shows
 * only the caller's app.
 */
export function deliveryRoutes(ctx: DeliveryContext): RouteGroups {
  return {
    apiKey: async (app) => {
      app.get(
        '/v1/dev/outbox',
        { schema: { tags: ['delivery'], summary: 'Messages the development transports printed' } },
        async (request) => {
          const appId = actingApp(request);
          // Its messages hold live links: a production server keeps none (it never prints), whatever it sends with.
          if (ctx.config.environment === 'production' || ctx.delivery.email.name !== 'log') {
            throw new ApiError(
              'not_found',
              'The development outbox exists only on a development server (NODE_ENV not production) while messages are printed instead of sent (no LATCHKEY_SMTP_URL).',
            );
          }
          return { data: ctx.delivery.devOutbox.list().filter((m) => m.app_id === appId), next_cursor: null };
        },
      );
    },
  };
}
