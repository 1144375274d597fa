/**
 * The top floor: builds the HTTP app and registers every capability's routes in the scope their group asks for
 * (http/auth.ts). Nothing below this file knows which capabilities exist.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RouteOptions } from 'fastify';
import { statsRoutes } from './analytics/stats-routes.js';
import { principalForKey } from './apps/api-key-auth.js';
import { appRoutes } from './apps/app-routes.js';
import { findApp } from './apps/app-service.js';
import { dashboardAccess } from './dashboard/dashboard-access.js';
import { dashboardRoutes } from './dashboard/dashboard-routes.js';
import { dashboardStaticRoutes } from './dashboard/dashboard-static.js';
import { DASHBOARD_API } from './dashboard/roles.js';
import { deliveryRoutes } from './delivery/delivery-routes.js';
import { outboxRoutes } from './delivery/outbox-routes.js';
import { templateRoutes } from './delivery/templates/template-routes.js';
import { eventRoutes } from './events/event-routes.js';
import { type Authenticator, adminScope, apiKeyScope, operatorScope, publicScope } from './http/auth.js';
import { clientErrorHandler, installErrorHandling, sendError, toApiError } from './http/error-handler.js';
import { lazySerializers, lazyValidators } from './http/lazy-compilers.js';
import { docsRoutes, registerOpenApi } from './http/openapi.js';
import { REQUEST_ID_HEADER, requestIdOf } from './http/request-id.js';
import { traceRequests } from './http/request-tracing.js';
import { checkResponses } from './http/response-check.js';
import type { RouteGroups, Routes } from './http/routes.js';
import { ErrorBody } from './http/schemas.js';
import { createValidatorCompiler, refuseNulCharacters } from './http/validation.js';
import { bulkRoutes } from './links/bulk/bulk-routes.js';
import { campaignRoutes } from './links/campaigns/campaign-routes.js';
import { embeddedRoutes } from './links/embedded-routes.js';
import { hostedRoutes } from './links/hosted-routes.js';
import { linkRoutes } from './links/link-routes.js';
import { qrRoutes } from './links/qr-routes.js';
import { loginPageRoutes } from './login/login-page-routes.js';
import { loginRoutes } from './login/login-routes.js';
import { appHealthRoutes } from './ops/app-health-routes.js';
import { countRequests, createMetrics, opsRoutes } from './ops/ops-routes.js';
import { limitApiKey } from './rate-limit/enforce.js';
import type { Context } from './runtime.js';
import { sessionKeyRoutes } from './sessions/session-key-routes.js';
import { sessionRoutes } from './sessions/session-routes.js';
import { signedLinkRoutes } from './signed-links/signed-link-routes.js';
import { signingKeyRoutes } from './signed-links/signing-key-routes.js';
import { tracingActive } from './tracing/tracing.js';
import { userRoutes } from './users/user-routes.js';
import { webhookOpenApi } from './webhooks/event-types.js';
import { webhookRoutes } from './webhooks/webhook-routes.js';
import { welcomeRoutes } from './welcome/welcome-routes.js';

export const VERSION = '0.1.0';

export interface ServerOptions {
  /** Sees every route as it is registered (the route inventory test keeps them, to read their scope). */
  onRoute?: (route: RouteOptions) => void;
  /** Where the built dashboard is (tests serve a folder of their own); packages/server/dashboard by default. */
  dashboardDir?: string;
  /** Hold every answer to the documented responses (http/response-check.ts); the test servers switch it on. */
  checkResponses?: boolean;
}

/** Builds the HTTP app without listening, so tests can call it through `inject()`. */
export async function buildServer(ctx: Context, options: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    trustProxy: ctx.config.trustProxy,
    bodyLimit: 1024 * 1024,
    // The caller's X-Request-Id when it is well-formed (http/request-id.ts); every answer carries it back.
    genReqId: requestIdOf,
    // Room for long tokens (signed links are JWTs); route schemas set the real limits.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 16_384 },
    // Errors the router raises before any route runs (bad percent-encoding, over-long parameters) get the same
    // error body as everything else.
    frameworkErrors: (error, request, reply) => sendError(request, reply, toApiError(error)),
    // Requests Node's HTTP parser refuses before any of the above runs (oversized headers, broken chunked bodies,
    // garbage) get the same error body too, instead of Fastify's or Node's own.
    clientErrorHandler: clientErrorHandler(ctx.logger),
    // Each route's serializers, like its validators below, are made on its first answer (http/lazy-compilers.ts).
    schemaController: { compilersFactory: { buildSerializer: lazySerializers() } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  if (options.onRoute) app.addHook('onRoute', options.onRoute);
  if (tracingActive()) traceRequests(app);
  app.setValidatorCompiler(lazyValidators(createValidatorCompiler()));
  app.addHook('preValidation', refuseNulCharacters);
  app.decorateRequest('auth', null);
  app.addHook('onSend', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('referrer-policy')) reply.header('referrer-policy', 'no-referrer');
  });
  installErrorHandling(app);
  app.addSchema(ErrorBody);
  if (options.checkResponses) await checkResponses(app, [ErrorBody]);
  await registerOpenApi(app, {
    version: VERSION,
    publicUrl: ctx.config.publicUrl,
    webhooks: webhookOpenApi(),
  });

  const metrics = createMetrics(ctx);
  countRequests(app, metrics);
  const groups: RouteGroups[] = [
    opsRoutes(ctx, metrics),
    appRoutes(ctx),
    userRoutes(ctx),
    linkRoutes(ctx),
    qrRoutes(ctx),
    bulkRoutes(ctx),
    campaignRoutes(ctx),
    embeddedRoutes(ctx),
    hostedRoutes(ctx),
    sessionRoutes(ctx),
    welcomeRoutes(ctx),
    sessionKeyRoutes(ctx),
    signingKeyRoutes(ctx),
    signedLinkRoutes(ctx),
    deliveryRoutes(ctx),
    outboxRoutes(ctx),
    templateRoutes(ctx),
    loginRoutes(ctx),
    loginPageRoutes(ctx),
    webhookRoutes(ctx),
    eventRoutes(ctx),
    statsRoutes(ctx),
    appHealthRoutes(ctx),
    ...(ctx.config.dashboard.enabled ? [dashboardStaticRoutes(options.dashboardDir)] : []),
  ];
  if (ctx.config.dashboard.enabled) groups.push(dashboardRoutes(ctx));
  const auth: Authenticator = {
    principalOf: (key) => principalForKey(ctx, key),
    limit: (principal) => limitApiKey(ctx, principal),
    // The dashboard's internal app is the installation's own: no key reaches it, not even an admin key.
    appExists: async (appId) => (await findApp(ctx, appId))?.internal === 0,
  };
  const of = (access: keyof RouteGroups): Routes[] => groups.flatMap((group) => group[access] ?? []);
  await app.register(publicScope([docsRoutes, ...of('public')]));
  await app.register(apiKeyScope(auth, of('apiKey')));
  await app.register(adminScope(auth, of('admin')));
  if (ctx.config.dashboard.enabled) {
    // The dashboard's own routes, and the API's routes again under /dashboard/api, behind the session cookie: the
    // dashboard can do nothing the API cannot, and the operator's role narrows what it may (dashboard/roles.ts).
    const access = dashboardAccess(ctx);
    const publicOrigin = new URL(ctx.config.publicUrl).origin;
    await app.register(operatorScope(access, of('operator'), { prefix: '', publicOrigin }));
    await app.register(
      operatorScope(access, [...of('apiKey'), ...of('admin')], { prefix: DASHBOARD_API, publicOrigin }),
    );
  }
  return app;
}
