/**
 * The API reference: the OpenAPI document at /openapi.json, a browsable copy at /docs, and the error answers every
 * documented route can give. Routes declare their own success answers and the errors only they give (a 409, a
 * 410); the errors that follow from how a route is reached (its scope, its parameters, storage) are added here,
 * so no route can forget them and the document says what the server really does.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { DOCS_FAVICON_SVG, DOCS_LOGO_SVG } from './docs-logo.js';
import { hoistNamedSchemas } from './openapi-components.js';
import type { Routes } from './routes.js';

/** Why an error status is answered, in the words the reference shows next to it. */
const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is not valid: a field, parameter or query value is wrong (`error.param` names it).',
  401: 'No API key, or the key is unknown or revoked.',
  403: 'The key may not act on this app or route.',
  404: 'Nothing with this id belongs to the app.',
  409: 'The request conflicts with what is stored.',
  410: 'The link, code or session is spent, revoked or expired.',
  413: 'The body is larger than the route takes.',
  415: 'The body is not JSON (or the content type the route takes).',
  429: 'Too many requests; `Retry-After` says when to try again.',
  500: 'An error of the server; the details are in its log.',
  503: 'Storage (or a service it needs) is unavailable for a moment; retry after `Retry-After` seconds.',
};

/** The documented answer for an error status: the shared error body, whose `code` lists every code. */
export function errorResponse(status: number) {
  return { description: ERROR_DESCRIPTIONS[status] ?? 'An error.', $ref: 'Error#' };
}

/** Error answers a route gives beyond the ones its scope and shape imply (`...errorResponses(409, 410)`). */
export function errorResponses(...statuses: number[]): Record<number, ReturnType<typeof errorResponse>> {
  return Object.fromEntries(statuses.map((status) => [status, errorResponse(status)]));
}

/** How a route is reached, which decides the errors it can answer before its handler runs. */
export interface Reached {
  method: string | string[];
  /** A key is needed (401, 403). */
  withKey: boolean;
  /** The key may name an app (`Latchkey-App`) that does not exist (404), and app keys are limited (429). */
  namesApp: boolean;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A route's schema with the error answers that follow from how it is reached: any route can meet a storage outage
 * or a bug (500, 503); a route with input can refuse it (400), and one that reads a body, its size or type (413,
 * 415; Fastify parses a POST's body even when the route declares none); a path id can name nothing (404); a key
 * can be missing or wrong (401, 403), an admin key can name an unknown app and an app key be over its limit
 * (404, 429). Hidden routes (pages, the dashboard's copy of the API) are left as they are.
 */
export function withErrorResponses(
  schema: FastifySchema | undefined,
  reached: Reached,
): FastifySchema | undefined {
  if (!schema || (schema as { hide?: boolean }).hide) return schema;
  const methods = [reached.method].flat();
  const readsBody = Boolean(schema.body) || methods.some((method) => BODY_METHODS.has(method));
  const statuses = [500, 503];
  if (readsBody || schema.querystring || schema.params) statuses.push(400);
  if (readsBody) statuses.push(413, 415);
  if (schema.params || reached.namesApp) statuses.push(404);
  if (reached.withKey) statuses.push(401, 403);
  if (reached.namesApp) statuses.push(429);
  const response: Record<string, unknown> = { ...((schema.response ?? {}) as Record<string, unknown>) };
  for (const status of statuses) response[status] ??= errorResponse(status);
  // Public routes take no key, whatever the document's default security says.
  return { ...schema, response, ...(reached.withKey ? {} : { security: [] }) };
}

export interface OpenApiOptions {
  version: string;
  publicUrl: string;
  /** The webhook calls Latchkey makes, documented by the webhooks capability. */
  // biome-ignore lint/suspicious/noExplicitAny: the OpenAPI types of @fastify/swagger, which the webhooks' document is written to
  webhooks: Record<string, any>;
}

export async function registerOpenApi(app: FastifyInstance, options: OpenApiOptions): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Latchkey API',
        version: options.version,
        description:
          'Magic links, sign-in codes and sessions. Every error is `{"error": {"code", "message", "param"?}}`; the codes are listed in docs/errors.md and in the `Error` schema.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      servers: [{ url: options.publicUrl, description: 'This installation (LATCHKEY_PUBLIC_URL)' }],
      tags: TAGS,
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'lk_sk_… (app) or lk_admin_… (admin)' },
        },
      },
      security: [{ apiKey: [] }],
      webhooks: options.webhooks,
    },
    transformObject: (document) =>
      'openapiObject' in document ? hoistNamedSchemas(document.openapiObject) : document.swaggerObject,
    // Shared schemas appear under their own names (`#/components/schemas/Error`), not as def-0, def-1….
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
  });
}

/** The groups the reference shows, in the order a newcomer meets them. */
const TAGS = [
  { name: 'magic links', description: 'Create, send, list and revoke one-time links.' },
  { name: 'redemption', description: 'Turn a link into a sign-in: redeem it, activate it (Passage).' },
  {
    name: 'sessions',
    description: 'Exchange codes for sessions, refresh, revoke, and the public keys that verify them.',
  },
  {
    name: 'login',
    description: 'The hosted sign-in page’s API: start, enter a code, wait for another device.',
  },
  { name: 'users', description: 'The people links are for, created on demand or ahead.' },
  { name: 'campaigns', description: 'Links made in bulk from a file, with their funnel.' },
  { name: 'templates', description: 'The email and SMS each link type sends, per language.' },
  { name: 'delivery', description: 'The outbox of messages and the transports that send them.' },
  { name: 'webhooks', description: 'Endpoints that hear about links, sign-ins and deliveries.' },
  { name: 'events', description: 'What happened, to read back or follow live.' },
  { name: 'analytics', description: 'Conversion figures: links made, opened, redeemed.' },
  { name: 'apps', description: 'Apps and their settings (admin keys make and list them).' },
  { name: 'api keys', description: 'Keys an app calls the API with.' },
  {
    name: 'signing keys',
    description: 'Keys an app signs its own sign-in links with (Invoiced-style JWTs).',
  },
  { name: 'session keys', description: 'The keys that sign session tokens.' },
  { name: 'pages', description: 'Pages Latchkey serves to people.' },
  { name: 'operations', description: 'Health, readiness and metrics.' },
];

/** The API reference: the document at /openapi.json and a browsable copy at /docs. */
export const docsRoutes: Routes = async (app) => {
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    logo: { type: 'image/svg+xml', content: DOCS_LOGO_SVG, href: '/docs', target: '_self' },
    theme: {
      title: 'Latchkey API reference',
      favicon: [
        {
          filename: 'favicon.svg',
          rel: 'icon',
          sizes: 'any',
          type: 'image/svg+xml',
          content: DOCS_FAVICON_SVG,
        },
      ],
    },
    uiConfig: { docExpansion: 'list', defaultModelsExpandDepth: 0 },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};
