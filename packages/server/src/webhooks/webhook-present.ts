/**
 * Webhook endpoints and their delivery log as the API shows them. Never a secret: only its first characters
 * (`secret_hint`), except in the answers that create or rotate one, which show it once (`WebhookEndpointWithSecret`).
 */
import { type Static, Type } from 'typebox';
import { iso, isoOrNull } from '../http/present.js';
import { Id, Named, Nullable, Timestamp } from '../http/schemas.js';
import type { WebhookAttemptRow, WebhookEndpointRow } from '../storage/rows.js';
import { WEBHOOK_EVENT_TYPES, WEBHOOK_EVENTS, type WebhookEventType } from './event-types.js';
import { TEST_MESSAGE_PREFIX } from './test-event-service.js';
import { decodeEventTypes } from './webhook-service.js';

const EXAMPLE_ENDPOINT = {
  id: 'whe_01jf3k8m9q2x7v5t4r6n8p0c2d',
  app_id: 'app_01jf3k2b7c9d4e6f8g0h1j3k5m',
  url: 'https://api.example.com/latchkey/webhooks',
  description: 'Sign-ins for the billing backend',
  event_types: ['magic_link.redeemed', 'session.created'],
  status: 'enabled',
  disabled_reason: null,
  secret_hint: 'whsec_Zk3q…',
  previous_secret_expires_at: null,
  failing_since: null,
  created_at: '2026-12-06T10:00:00.000Z',
  updated_at: '2026-12-06T10:00:00.000Z',
};

// One string with the types as its enum (as the error codes are): the reference lists them, the serializer checks one
// type rather than trying twenty literals.
const SubscribedType = Type.Unsafe<WebhookEventType | '*'>({
  type: 'string',
  enum: ['*', ...WEBHOOK_EVENT_TYPES],
});

const endpointFields = {
  id: Id('whe'),
  app_id: Id('app'),
  url: Type.String({ description: 'The http(s) URL that receives the POSTs.' }),
  description: Type.String({ description: 'Empty when none was given.' }),
  event_types: Type.Array(SubscribedType, { description: '`["*"]` for every event type.' }),
  status: Type.Union([Type.Literal('enabled'), Type.Literal('disabled')]),
  disabled_reason: Nullable(
    Type.Union([Type.Literal('manual'), Type.Literal('failing')], {
      description:
        '`manual` (PATCH enabled: false) or `failing` (deliveries failed for days); null when enabled.',
    }),
  ),
  secret_hint: Type.String({
    description: 'The first characters of the signing secret, to recognise it by.',
  }),
  previous_secret_expires_at: Nullable({
    ...Timestamp,
    description: 'After a rotation, the old secret signs beside the new one until this time.',
  }),
  failing_since: Nullable({ ...Timestamp, description: 'When the current run of failed deliveries began.' }),
  created_at: Timestamp,
  updated_at: Timestamp,
};

/** A webhook endpoint as the API shows it. */
export const WebhookEndpoint = Named(
  'WebhookEndpoint',
  Type.Object(endpointFields, {
    description: 'A webhook endpoint',
    examples: [EXAMPLE_ENDPOINT],
  }),
);

/** An endpoint as creating it or rotating its secret answers: the only answers that show the secret. */
export const WebhookEndpointWithSecret = Named(
  'WebhookEndpointWithSecret',
  Type.Object(
    {
      ...endpointFields,
      secret: Type.String({
        description:
          'The signing secret (`whsec_` and base64): shown in this answer only; store it to verify deliveries.',
      }),
    },
    {
      description: 'The endpoint with its signing secret, shown this once',
      examples: [{ ...EXAMPLE_ENDPOINT, secret: 'whsec_Zk3qT0pN…' }],
    },
  ),
);

export function presentEndpoint(row: WebhookEndpointRow): Static<typeof WebhookEndpoint> {
  return {
    id: row.id,
    app_id: row.app_id,
    url: row.url,
    description: row.description,
    event_types: decodeEventTypes(row.event_types),
    status: row.status,
    // Only these two are ever written (webhook-service.ts, webhook-queries.ts); the column is plain text.
    disabled_reason: row.disabled_reason as Static<typeof WebhookEndpoint>['disabled_reason'],
    secret_hint: row.secret_hint,
    previous_secret_expires_at: isoOrNull(row.previous_secret_expires_at),
    failing_since: isoOrNull(row.failing_since),
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

/** One delivery attempt of one event to one endpoint. */
export const WebhookAttempt = Named(
  'WebhookAttempt',
  Type.Object(
    {
      id: Id('wha'),
      webhook_endpoint_id: Id('whe'),
      event_id: Id('evt'),
      message_id: Type.String({
        description:
          'The outbox message (`whm_…`) that carried the event, stable across its retries; `wht_…` for a test.',
      }),
      test: Type.Boolean({
        description:
          'A `webhook.test` sent on request: its event is not stored and no outbox message carries it.',
      }),
      attempt: Type.Integer({ minimum: 1, description: '1 for the first try, then counting retries.' }),
      ok: Type.Boolean({ description: 'The endpoint answered 2xx.' }),
      status_code: Nullable(
        Type.Integer({ description: 'The HTTP status the endpoint answered; null when it did not answer.' }),
      ),
      latency_ms: Type.Integer({
        minimum: 0,
        description: 'Milliseconds from sending to the answer (or failure).',
      }),
      response_excerpt: Nullable(Type.String({ description: 'The start of the answer’s body.' })),
      error: Nullable(
        Type.String({ description: 'Why the attempt failed, in words; null when it succeeded.' }),
      ),
      created_at: Timestamp,
    },
    {
      description: 'A delivery attempt',
      examples: [
        {
          id: 'wha_01jf3m0a2b4c6d8e9f1g3h5j7k',
          webhook_endpoint_id: 'whe_01jf3k8m9q2x7v5t4r6n8p0c2d',
          event_id: 'evt_01jf3m0a1z9y8x7w6v5t4s3r2q',
          message_id: 'wht_01jf3m0a2b4c6d8e9f1g3h5j7m',
          test: true,
          attempt: 1,
          ok: true,
          status_code: 200,
          latency_ms: 84,
          response_excerpt: 'ok',
          error: null,
          created_at: '2026-12-06T10:05:00.000Z',
        },
      ],
    },
  ),
);

export function presentAttempt(row: WebhookAttemptRow): Static<typeof WebhookAttempt> {
  return {
    id: row.id,
    webhook_endpoint_id: row.endpoint_id,
    event_id: row.event_id,
    message_id: row.message_id,
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

/** An event type an endpoint may subscribe to. */
export const WebhookEventTypeInfo = Named(
  'WebhookEventTypeInfo',
  Type.Object(
    {
      type: Type.Unsafe<WebhookEventType>({ type: 'string', enum: [...WEBHOOK_EVENT_TYPES] }),
      description: Type.String({ description: 'What happened when this event is sent.' }),
    },
    { description: 'An event type' },
  ),
);

export function presentEventType(type: WebhookEventType): Static<typeof WebhookEventTypeInfo> {
  return { type, description: WEBHOOK_EVENTS[type].description };
}

/** The answer of a redelivery: the event is queued for the endpoint once more. */
export const Redelivery = Named(
  'Redelivery',
  Type.Object(
    {
      message_id: Type.String({ description: 'The new outbox message (`whm_…`) that carries the event.' }),
      event_id: Id('evt'),
      status: Type.Literal('queued'),
    },
    {
      description: 'Queued; the attempt appears in the delivery log',
      examples: [
        {
          message_id: 'whm_01jf3m4d6f8h0j2k4m6n8p0q2r',
          event_id: 'evt_01jf3m0a1z9y8x7w6v5t4s3r2q',
          status: 'queued',
        },
      ],
    },
  ),
);
