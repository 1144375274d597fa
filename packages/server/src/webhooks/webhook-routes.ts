import { Type } from 'typebox';
import { actingApp, principalOf } from '../http/auth.js';
import { iso, isoOrNull, listResponse } from '../http/present.js';
import type { RouteGroups } from '../http/routes.js';
import { Id, PageQuery } from '../http/schemas.js';
import type { WebhookAttemptRow, WebhookEndpointRow } from '../storage/rows.js';
import { WEBHOOK_EVENT_TYPES, WEBHOOK_EVENTS } from './event-types.js';
import { sendTestEvent, TEST_MESSAGE_PREFIX } from './test-event-service.js';
import {
  createEndpoint,
  decodeEventTypes,
  deleteEndpoint,
  getEndpoint,
  listAttempts,
  listEndpoints,
  redeliver,
  rotateSecret,
  updateEndpoint,
} from './webhook-service.js';
import type { WebhookContext } from './webhook-store.js';

export function presentEndpoint(row: WebhookEndpointRow) {
  return {
    id: row.id,
    app_id: row.app_id,
    url: row.url,
    description: row.description,
    event_types: decodeEventTypes(row.event_types),
    status: row.status,
    disabled_reason: row.disabled_reason,
    secret_hint: row.secret_hint,
    previous_secret_expires_at:
      row.previous_secret_expires_at === null ? null : iso(row.previous_secret_expires_at),
    failing_since: isoOrNull(row.failing_since),
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

export function presentAttempt(row: WebhookAttemptRow) {
  return {
    id: row.id,
    webhook_endpoint_id: row.endpoint_id,
    event_id: row.event_id,
    message_id: row.message_id,
    /** A `webhook.test` sent on request: its event is not stored and no outbox message carries it. */
    test: row.message_id.startsWith(`${TEST_MESSAGE_PREFIX}_`),
    attempt: row.attempt,
    ok: row.ok === 1,
    status_code: row.status_code,
    latency_ms: row.latency_ms,
    response_excerpt: row.response_excerpt,
    error: row.error,
    created_at: iso(row.created_at),
  };
}

const EventTypes = Type.Array(
  Type.Union([Type.Literal('*'), ...WEBHOOK_EVENT_TYPES.map((t) => Type.Literal(t))]),
  { minItems: 1, maxItems: 50, description: 'Event types to receive; `["*"]` or left out: all of them.' },
);
const Url = Type.String({ minLength: 1, maxLength: 2048, description: 'http(s) URL that receives POSTs.' });
const Description = Type.String({ maxLength: 500 });
const Params = Type.Object({ id: Id('whe') });

export function webhookRoutes(ctx: WebhookContext): RouteGroups {
  return {
    apiKey: async (app) => {
      // What an endpoint may subscribe to, so a form can offer the list instead of asking for names by heart.
      app.get(
        '/v1/webhook-event-types',
        {
          schema: {
            tags: ['webhooks'],
            summary: 'The event types an endpoint may subscribe to, each with what it means',
          },
        },
        async () => ({
          data: WEBHOOK_EVENT_TYPES.map((type) => ({
            type,
            description: WEBHOOK_EVENTS[type as keyof typeof WEBHOOK_EVENTS].description,
          })),
          next_cursor: null,
        }),
      );

      app.post(
        '/v1/webhook-endpoints',
        {
          schema: {
            tags: ['webhooks'],
            summary: 'Create a webhook endpoint (its signing secret is shown once)',
            body: Type.Object(
              { url: Url, event_types: Type.Optional(EventTypes), description: Type.Optional(Description) },
              { additionalProperties: false },
            ),
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
            tags: ['webhooks'],
            summary: 'List webhook endpoints (never the secrets)',
            querystring: PageQuery,
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
        { schema: { tags: ['webhooks'], summary: 'Read a webhook endpoint', params: Params } },
        async (request) => {
          const appId = actingApp(request);
          return presentEndpoint(await getEndpoint(ctx, appId, request.params.id));
        },
      );

      app.patch(
        '/v1/webhook-endpoints/:id',
        {
          schema: {
            tags: ['webhooks'],
            summary: 'Change an endpoint; `enabled: false` disables it, `enabled: true` enables it again',
            params: Params,
            body: Type.Object(
              {
                url: Type.Optional(Url),
                event_types: Type.Optional(EventTypes),
                description: Type.Optional(Description),
                enabled: Type.Optional(Type.Boolean()),
              },
              { additionalProperties: false },
            ),
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
          schema: { tags: ['webhooks'], summary: 'Delete an endpoint and its delivery log', params: Params },
        },
        async (request) => {
          const appId = actingApp(request);
          await deleteEndpoint(ctx, appId, request.params.id, principalOf(request));
          return { id: request.params.id, deleted: true };
        },
      );

      app.post(
        '/v1/webhook-endpoints/:id/rotate-secret',
        {
          schema: {
            tags: ['webhooks'],
            summary: 'Replace the signing secret; the old one keeps signing beside it for 24 hours',
            params: Params,
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
            tags: ['webhooks'],
            summary: 'The delivery log: every attempt, newest first',
            params: Params,
            querystring: Type.Intersect([PageQuery, Type.Object({ event_id: Type.Optional(Id('evt')) })]),
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
            tags: ['webhooks'],
            summary:
              'Send a webhook.test event to this endpoint now and answer the attempt (also logged); other endpoints get nothing',
            params: Params,
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
            tags: ['webhooks'],
            summary: 'Send one event to this endpoint again (same webhook-id)',
            params: Params,
            body: Type.Object({ event_id: Id('evt') }, { additionalProperties: false }),
          },
        },
        async (request, reply) => {
          const appId = actingApp(request);
          const row = await redeliver(ctx, appId, request.params.id, request.body.event_id);
          return reply
            .code(202)
            .send({ message_id: row.id, event_id: request.body.event_id, status: 'queued' });
        },
      );
    },
  };
}
