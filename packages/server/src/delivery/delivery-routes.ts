import { ApiError } from '../errors/api-error.js';
import { actingApp } from '../http/auth.js';
import { errorResponse } from '../http/openapi.js';
import type { RouteGroups } from '../http/routes.js';
import { Page } from '../http/schemas.js';
import { DeliveryStatus, DeliveryTestResult, DevOutboxMessage } from './delivery-present.js';
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
            operationId: 'getDeliveryStatus',
            tags: ['delivery'],
            summary: 'The email and SMS transports this server sends with, every secret masked',
            response: { 200: DeliveryStatus },
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
            operationId: 'testDelivery',
            tags: ['delivery'],
            summary: 'Check both transports as `latchkey doctor` does (connect and log in; sends nothing)',
            response: { 200: DeliveryTestResult },
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
        {
          schema: {
            operationId: 'listDevOutboxMessages',
            tags: ['delivery'],
            summary: 'Messages the development transports printed',
            response: {
              200: Page(
                DevOutboxMessage,
                'The last 100 messages printed for this app, newest first, on one page',
              ),
              404: {
                ...errorResponse(404),
                description:
                  'Not a development server, or it sends email for real (LATCHKEY_SMTP_URL): there is no development outbox.',
              },
            },
          },
        },
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
