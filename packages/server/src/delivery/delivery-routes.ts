import { ApiError } from '../errors/api-error.js';
import { actingApp } from '../http/auth.js';
import type { RouteGroups } from '../http/routes.js';
import { checkDelivery, describeDelivery } from './delivery-status.js';
import type { DeliveryContext } from './outbox-store.js';

/**
 * Delivery as the server sees it (its transports, secrets masked, and the doctor's checks of them), and the
 * development outbox.
 */
export function deliveryRoutes(ctx: DeliveryContext): RouteGroups {
  return {
    apiKey: async (app) => {
      app.get(
        '/v1/delivery/status',
        {
          schema: {
            tags: ['delivery'],
            summary: 'The email and SMS transports this server sends with, every secret masked',
          },
        },
        // The installation's, not an app's: any key may read it (an admin key need not name an app). Nothing in it
        // is secret; the password, tokens and keys are masked.
        async () => describeDelivery(ctx.config, ctx.delivery),
      );

      app.post(
        '/v1/delivery/test',
        {
          schema: {
            tags: ['delivery'],
            summary: 'Check both transports as `latchkey doctor` does (connect and log in; sends nothing)',
          },
        },
        async () => {
          const checks = await checkDelivery(ctx.delivery);
          return { ok: checks.every((check) => check.ok), checks };
        },
      );

      /**
       * The development outbox: what the `log` transports "sent", newest first, so a developer can follow a link
       * without a mail server. It exists only on a development server while the development email transport is in
       * use, and shows only the caller's app.
       */
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
