/**
 * The events a webhook endpoint may subscribe to, each with its payload schema. A delivery's body is
 * `{"type", "timestamp", "data"}`; `data` follows the schema of its type. Schemas are versioned: fields are only ever
 * added (receivers must ignore fields they do not know); a change that removes or retypes a field would be a new
 * version, announced in the schema's `x-version`.
 */
import { type TSchema, Type } from 'typebox';

const id = (prefix: string, description: string) =>
  Type.String({ pattern: `^${prefix}_[0-9a-z]{26}$`, description });
const userId = id('usr', 'The user.');
const linkId = id('ml', 'The magic link.');
const sessionId = id('ses', 'The session.');
const campaignId = Type.Optional(id('cmp', 'The campaign that made the link, for a link a campaign made.'));
const linkType = Type.Union([
  Type.Literal('login'),
  Type.Literal('verify_identifier'),
  Type.Literal('invite'),
]);
const channel = Type.Union([Type.Literal('email'), Type.Literal('phone')]);

const delivery = {
  magic_link_id: linkId,
  message_id: Type.String({ description: 'The outbox message, stable across its retries.' }),
  channel,
  attempt: Type.Integer({ minimum: 1 }),
};

/** Event type → description and `data` schema (version 1 of each). */
export const WEBHOOK_EVENTS = {
  'user.created': {
    description: 'A user was created (through the API, a magic link or a stateless link).',
    data: {
      user_id: userId,
      via: Type.Optional(Type.String({ description: '`magic_link` or `signed_link`.' })),
    },
  },
  'user.verified': {
    description: 'A user proved control of an identifier for the first time by using a link.',
    data: { user_id: userId, identifier_kind: channel },
  },
  'user.deleted': {
    description: 'A user was deleted; their links and sessions were revoked with it.',
    data: { user_id: userId },
  },
  'magic_link.created': {
    description: 'A magic link was created.',
    data: {
      magic_link_id: linkId,
      user_id: userId,
      type: linkType,
      ttl: Type.Integer({ description: 'Minutes.' }),
      campaign_id: campaignId,
    },
  },
  'magic_link.sent': {
    description:
      'The message carrying a link was handed over: to the SMTP server, the SMS provider or your SMS hook.',
    data: delivery,
  },
  'magic_link.delivered': {
    description:
      "The receiving mail server confirmed it accepted the message (SMTP 250). Not sent for SMS: providers' delivery reports are not read yet.",
    data: delivery,
  },
  'magic_link.delivery_failed': {
    description: 'The message carrying a link was given up after its last attempt (or refused for good).',
    data: { ...delivery, reason: Type.String(), permanent: Type.Boolean() },
  },
  'magic_link.opened': {
    description: 'A link was opened for the first time (its page was shown).',
    data: { magic_link_id: linkId },
  },
  'magic_link.redeemed': {
    description: 'A link was used to sign in.',
    data: { magic_link_id: linkId, user_id: userId, session_id: sessionId },
  },
  'magic_link.revoked': {
    description: 'A link was revoked (by the API, with its campaign, or because its user was deleted).',
    data: {
      magic_link_id: linkId,
      user_id: Type.Optional(userId),
      reason: Type.Optional(Type.String()),
      campaign_id: campaignId,
    },
  },
  'magic_link.expired': {
    description:
      'A link reached its expiry unused. Written once per link by a background sweep, within minutes.',
    data: {
      magic_link_id: linkId,
      user_id: userId,
      type: linkType,
      expired_at: Type.String({ format: 'date-time' }),
    },
  },
  'session.created': {
    description: 'A session was opened.',
    data: {
      session_id: sessionId,
      user_id: userId,
      amr: Type.Array(Type.String(), {
        description: 'How the user proved control: `magic_link`, `signed_link`, `otp`.',
      }),
    },
  },
  'session.revoked': {
    description:
      'A session was revoked (by the API, by deleting the user, or because a refresh token was reused).',
    data: { session_id: sessionId, user_id: Type.Optional(userId), reason: Type.Optional(Type.String()) },
  },
  'login.code_failed': {
    description: 'A wrong sign-in code was entered.',
    data: null,
  },
  'rate_limit.hit': {
    description: 'A request was refused by a rate limit.',
    data: null,
  },
  'webhook_endpoint.disabled': {
    description:
      'An endpoint was disabled after failing for days; enable it again with PATCH once it is fixed.',
    data: {
      webhook_endpoint_id: id('whe', 'The endpoint.'),
      reason: Type.String(),
      failing_since: Type.String({ format: 'date-time' }),
    },
  },
} satisfies Record<string, { description: string; data: Record<string, TSchema> | null }>;

/**
 * The test event: sent only by `POST /v1/webhook-endpoints/{id}/test`, to that one endpoint, at once. It is not an
 * event of the app (not stored, not in the events API), so nobody subscribes to it and no other endpoint receives it;
 * it is documented here beside the others so receivers know its shape.
 */
export const WEBHOOK_TEST_EVENT = {
  'webhook.test': {
    description:
      'A test sent on request (POST /v1/webhook-endpoints/{id}/test) to one endpoint, to check the receiver and its signature check. It changes nothing; acknowledge it like any other event.',
    data: {
      webhook_endpoint_id: id('whe', 'The endpoint the test was sent to.'),
      message: Type.String({ description: 'A sentence saying this is a test.' }),
    },
  },
} satisfies Record<string, { description: string; data: Record<string, TSchema> }>;

export type WebhookEventType = keyof typeof WEBHOOK_EVENTS;

export const WEBHOOK_EVENT_TYPES = Object.keys(WEBHOOK_EVENTS) as WebhookEventType[];

const deliverable = new Set<string>(WEBHOOK_EVENT_TYPES);

export function isWebhookEventType(type: string): type is WebhookEventType {
  return deliverable.has(type);
}

/** `null`: the payload of an event another part of the service defines; any object, documented with its flow. */
function dataSchema(data: Record<string, TSchema> | null): TSchema {
  return data === null ? Type.Record(Type.String(), Type.Unknown()) : Type.Object(data);
}

/** The OpenAPI 3.1 `webhooks` section: one POST per event type, with its body schema. */
// biome-ignore lint/suspicious/noExplicitAny: OpenAPI path items are plain JSON; swagger's own types are stricter
export function webhookOpenApi(): Record<string, any> {
  // biome-ignore lint/suspicious/noExplicitAny: as above
  const out: Record<string, any> = {};
  const documented: Record<string, { description: string; data: Record<string, TSchema> | null }> = {
    ...WEBHOOK_EVENTS,
    ...WEBHOOK_TEST_EVENT,
  };
  for (const [type, spec] of Object.entries(documented)) {
    out[type] = {
      post: {
        summary: type,
        description: `${spec.description} Signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature).`,
        'x-version': 1,
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: Type.Object({
                type: Type.Literal(type),
                timestamp: Type.String({ format: 'date-time', description: 'When the event happened.' }),
                data: dataSchema(spec.data),
              }),
            },
          },
        },
        responses: {
          '2XX': { description: 'Any 2xx answer acknowledges the event; anything else is retried.' },
        },
      },
    };
  }
  return out;
}
