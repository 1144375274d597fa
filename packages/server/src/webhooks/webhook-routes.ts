import { Type } from 'typebox';
import { actingApp, principalOf } from '../http/auth.js';
import { errorResponse } from '../http/openapi.js';
import { listResponse } from '../http/present.js';
import type { RouteGroups } from '../http/routes.js';
import { Id, Page, PageQuery } from '../http/schemas.js';
import { WEBHOOK_EVENT_TYPES } from './event-types.js';
import { sendTestEvent } from './test-event-service.js';
import {
  presentAttempt,
  presentEndpoint,
  presentEventType,
  Redelivery,
  WebhookAttempt,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
  WebhookEventTypeInfo,
} from './webhook-present.js';
import {
  createEndpoint,
  deleteEndpoint,
  getEndpoint,
  listAttempts,
  listEndpoints,
  redeliver,
  rotateSecret,
  updateEndpoint,
} from './webhook-service.js';
import type { WebhookContext } from './webhook-store.js';

const EventTypes = Type.Array(
  Type.Union([Type.Literal('*'), ...WEBHOOK_EVENT_TYPES.map((t) => Type.Literal(t))]),
  { minItems: 1, maxItems: 50, description: 'Event types to receive; `["*"]` or left out: all of them.' },
);
const Url = Type.String({ minLength: 1, maxLength: 2048, description: 'http(s) URL that receives POSTs.' });
const Description = Type.String({ maxLength: 500 });
const Params = Type.Object({ id: Id('whe') });

const CreateBody = Type.Object(
  { url: Url, event_types: Type.Optional(EventTypes), description: Type.Optional(Description) },
  {
    additionalProperties: false,
    examples: [
      {
        url: 'https://api.example.com/latchkey/webhooks',
        event_types: ['magic_link.redeemed', 'session.created'],
        description: 'Sign-ins for the billing backend',
      },
    ],
  },
);

const PatchBody = Type.Object(
  {
    url: Type.Optional(Url),
    event_types: Type.Optional(EventTypes),
    description: Type.Optional(Description),
    enabled: Type.Optional(
      Type.Boolean({
        description:
          '`false` disables the endpoint; `true` enables it again (also one disabled for failing).',
      }),
    ),
  },
  { additionalProperties: false, examples: [{ enabled: true }] },
);

const Deleted = Type.Object(
  { id: Id('whe'), deleted: Type.Literal(true) },
  { description: 'Deleted, with its delivery log' },
);

export function webhookRoutes(ctx: WebhookContext): RouteGroups {
  return {
    apiKey: async (app) => {
      const tags = ['webhooks'];

      // What an endpoint may subscribe to, so a form can offer the list instead of asking for names by heart.
      app.get(
        '/v1/webhook-event-types',
        {
          schema: {
            operationId: 'listWebhookEventTypes',
            tags,
            summary: 'The event types an endpoint may subscribe to, each with what it means',
            response: { 200: Page(WebhookEventTypeInfo, 'Every event type, on one page') },
          },
        },
        async () => ({ data: WEBHOOK_EVENT_TYPES.map(presentEventType), next_cursor: null }),
      );

      app.post(
        '/v1/webhook-endpoints',
        {
          schema: {
            operationId: 'createWebhookEndpoint',
            tags,
            summary: 'Create a webhook endpoint (its signing secret is shown once)',
            description:
              'The URL must be public http(s) (private and loopback addresses are refused unless the server allows them). The answer holds the signing secret, which is never shown again.',
            body: CreateBody,
            response: { 201: WebhookEndpointWithSecret },
          },
        },
        async (request, reply) => {
          const appId = actingApp(request);
          const created = await createEndpoint(ctx, appId, request.body, principalOf(request));
          return reply.code(201).send({ ...presentEndpoint(created.row), secret: created.secret });
        },
      );

      app.get(
        '/v1/webhook-endpoints',
        {
          schema: {
            operationId: 'listWebhookEndpoints',
            tags,
            summary: 'List webhook endpoints (never the secrets)',
            querystring: PageQuery,
            response: { 200: Page(WebhookEndpoint, 'A page of endpoints, newest first') },
          },
        },
        async (request) => {
          const appId = actingApp(request);
          const { limit = 50, cursor } = request.query;
          return listResponse(await listEndpoints(ctx, appId, { limit, cursor }), limit, presentEndpoint);
        },
      );

      app.get(
        '/v1/webhook-endpoints/:id',
        {
          schema: {
            operationId: 'getWebhookEndpoint',
            tags,
            summary: 'Read a webhook endpoint',
            params: Params,
            response: { 200: WebhookEndpoint },
          },
        },
        async (request) => {
          const appId = actingApp(request);
          return presentEndpoint(await getEndpoint(ctx, appId, request.params.id));
        },
      );

      app.patch(
        '/v1/webhook-endpoints/:id',
        {
          schema: {
            operationId: 'updateWebhookEndpoint',
            tags,
            summary: 'Change an endpoint; `enabled: false` disables it, `enabled: true` enables it again',
            params: Params,
            body: PatchBody,
            response: { 200: { ...WebhookEndpoint, description: 'The endpoint as changed' } },
          },
        },
        async (request) => {
          const appId = actingApp(request);
          return presentEndpoint(
            await updateEndpoint(ctx, appId, request.params.id, request.body, principalOf(request)),
          );
        },
      );

      app.delete(
        '/v1/webhook-endpoints/:id',
        {
          schema: {
            operationId: 'deleteWebhookEndpoint',
            tags,
            summary: 'Delete an endpoint and its delivery log',
            params: Params,
            response: { 200: Deleted },
          },
        },
        async (request) => {
          const appId = actingApp(request);
          await deleteEndpoint(ctx, appId, request.params.id, principalOf(request));
          return { id: request.params.id, deleted: true as const };
        },
      );

      app.post(
        '/v1/webhook-endpoints/:id/rotate-secret',
        {
          schema: {
            operationId: 'rotateWebhookEndpointSecret',
            tags,
            summary: 'Replace the signing secret; the old one keeps signing beside it for 24 hours',
            params: Params,
            response: {
              200: {
                ...WebhookEndpointWithSecret,
                description: 'The endpoint with its new secret, shown this once',
              },
            },
          },
        },
        async (request) => {
          const appId = actingApp(request);
          const rotated = await rotateSecret(ctx, appId, request.params.id, principalOf(request));
          return { ...presentEndpoint(rotated.row), secret: rotated.secret };
        },
      );

      app.get(
        '/v1/webhook-endpoints/:id/attempts',
        {
          schema: {
            operationId: 'listWebhookAttempts',
            tags,
            summary: 'The delivery log: every attempt, newest first',
            params: Params,
            querystring: Type.Intersect([PageQuery, Type.Object({ event_id: Type.Optional(Id('evt')) })]),
            response: { 200: Page(WebhookAttempt, 'A page of attempts, newest first') },
          },
        },
        async (request) => {
          const appId = actingApp(request);
          await getEndpoint(ctx, appId, request.params.id);
          const { limit = 50, cursor, event_id } = request.query;
          return listResponse(
            await listAttempts(ctx, appId, request.params.id, { event_id }, { limit, cursor }),
            limit,
            presentAttempt,
          );
        },
      );

      app.post(
        '/v1/webhook-endpoints/:id/test',
        {
          schema: {
            operationId: 'sendWebhookTest',
            tags,
            summary:
              'Send a webhook.test event to this endpoint now and answer the attempt (also logged); other endpoints get nothing',
            description:
              'A refused or failing receiver is the answer asked for, not an error: the attempt says what the endpoint answered (`ok`, `status_code`, `error`). A disabled endpoint is tested too.',
            params: Params,
            response: { 200: { ...WebhookAttempt, description: 'The attempt, whatever its outcome' } },
          },
        },
        async (request) => {
          const appId = actingApp(request);
          return presentAttempt(await sendTestEvent(ctx, appId, request.params.id));
        },
      );

      app.post(
        '/v1/webhook-endpoints/:id/redeliver',
        {
          schema: {
            operationId: 'redeliverWebhookEvent',
            tags,
            summary: 'Send one event to this endpoint again (same webhook-id)',
            params: Params,
            body: Type.Object(
              { event_id: Id('evt') },
              { additionalProperties: false, examples: [{ event_id: 'evt_01jf3m0a1z9y8x7w6v5t4s3r2q' }] },
            ),
            response: {
              202: Redelivery,
              409: {
                ...errorResponse(409),
                description: 'The endpoint is disabled; enable it (PATCH enabled: true) first.',
              },
            },
          },
        },
        async (request, reply) => {
          const appId = actingApp(request);
          const row = await redeliver(ctx, appId, request.params.id, request.body.event_id);
          return reply
            .code(202)
            .send({ message_id: row.id, event_id: request.body.event_id, status: 'queued' as const });
        },
      );
    },
  };
}
