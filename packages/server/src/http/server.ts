import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { statsRoutes } from '../analytics/stats-routes.js';
import { appRoutes } from '../apps/app-routes.js';
import type { Context } from '../context.js';
import { deliveryRoutes } from '../delivery/delivery-routes.js';
import { templateRoutes } from '../delivery/templates/template-routes.js';
import { eventRoutes } from '../events/event-routes.js';
import { bulkRoutes } from '../links/bulk/bulk-routes.js';
import { embeddedRoutes } from '../links/embedded-routes.js';
import { hostedRoutes } from '../links/hosted-routes.js';
import { linkRoutes } from '../links/link-routes.js';
import { loginPageRoutes } from '../login/login-page-routes.js';
import { loginRoutes } from '../login/login-routes.js';
import { sessionKeyRoutes } from '../sessions/session-key-routes.js';
import { sessionRoutes } from '../sessions/session-routes.js';
import { signedLinkRoutes } from '../signed-links/signed-link-routes.js';
import { signingKeyRoutes } from '../signed-links/signing-key-routes.js';
import type { Database } from '../storage/schema.js';
import { userRoutes } from '../users/user-routes.js';
import { webhookOpenApi } from '../webhooks/event-types.js';
import { webhookRoutes } from '../webhooks/webhook-routes.js';
import { installErrorHandling, sendError, toApiError } from './error-handler.js';
import { createMetrics, opsRoutes } from './ops-routes.js';
import { ErrorBody } from './schemas.js';
import { createValidatorCompiler, refuseNulCharacters } from './validation.js';

export const VERSION = '0.1.0';

/** Builds the HTTP app without listening, so tests can call it through `inject()`. */
export async function buildServer(ctx: Context, db: Kysely<Database>): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    trustProxy: ctx.config.trustProxy,
    bodyLimit: 1024 * 1024,
    genReqId: () => `req_${randomUUID()}`,
    // Room for long tokens (signed links are JWTs); route schemas set the real limits.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 16_384 },
    // Errors the router raises before any route runs (bad percent-encoding, over-long parameters) get the same
    // error body as everything else.
    frameworkErrors: (error, request, reply) => sendError(request, reply, toApiError(error)),
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(createValidatorCompiler());
  app.addHook('preValidation', refuseNulCharacters);

  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    request.principal = null;
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('referrer-policy')) reply.header('referrer-policy', 'no-referrer');
  });
  installErrorHandling(app);
  app.addSchema(ErrorBody);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Latchkey API',
        version: VERSION,
        description:
          'Magic links, sign-in codes and sessions. Errors are `{"error": {"code", "message", "param"?}}`; the codes are listed in docs/errors.md.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'lk_sk_… (app) or lk_admin_… (admin)' },
        },
      },
      security: [{ apiKey: [] }],
      webhooks: webhookOpenApi(),
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const metrics = createMetrics();
  await app.register(opsRoutes(ctx, metrics, db));
  await app.register(appRoutes(ctx));
  await app.register(userRoutes(ctx));
  await app.register(linkRoutes(ctx));
  await app.register(bulkRoutes(ctx));
  await app.register(embeddedRoutes(ctx));
  await app.register(hostedRoutes(ctx));
  await app.register(sessionRoutes(ctx));
  await app.register(sessionKeyRoutes(ctx));
  await app.register(signingKeyRoutes(ctx));
  await app.register(signedLinkRoutes(ctx));
  await app.register(deliveryRoutes(ctx));
  await app.register(templateRoutes(ctx));
  await app.register(loginRoutes(ctx));
  await app.register(loginPageRoutes(ctx));
  await app.register(webhookRoutes(ctx));
  await app.register(eventRoutes(ctx));
  await app.register(statsRoutes(ctx));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
