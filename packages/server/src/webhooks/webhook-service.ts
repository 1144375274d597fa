import { newId } from '../crypto/tokens.js';
import { ApiError } from '../errors/api-error.js';
import { makeEvent } from '../events/event-factory.js';
import type { Principal } from '../http/auth.js';
import { newOutboxRow } from '../storage/outbox-rows.js';
import type { OutboxRow, Page, WebhookAttemptRow, WebhookEndpointRow } from '../storage/rows.js';
import { isWebhookEventType, WEBHOOK_EVENT_TYPES, type WebhookEventType } from './event-types.js';
import { checkWebhookUrl, systemResolveHost } from './url-policy.js';
import type { WebhookContext, WebhookEndpointChanges } from './webhook-store.js';

/** After a rotation the old secret keeps signing (beside the new one) this long, so receivers can switch over. */
export const PREVIOUS_SECRET_GRACE_MS = 24 * 60 * 60 * 1000;

export interface CreatedEndpoint {
  row: WebhookEndpointRow;
  /** `whsec_<base64 of 32 bytes>`: shown once. */
  secret: string;
}

export interface EndpointInput {
  url: string;
  event_types?: string[] | undefined;
  description?: string | undefined;
}

function newSecret(ctx: WebhookContext): string {
  return `whsec_${ctx.random(32).toString('base64')}`;
}

const hint = (secret: string) => `${secret.slice(0, 10)}…`;

/** `*` for every type, else the types between commas (see the migration), after checking each is known. */
export function encodeEventTypes(types: string[] | undefined): string {
  if (types === undefined || types.includes('*')) return '*';
  if (types.length === 0) {
    throw new ApiError(
      'validation_failed',
      'event_types must name at least one type (or be left out for all).',
      {
        param: 'event_types',
      },
    );
  }
  const unknown = types.find((t) => !isWebhookEventType(t));
  if (unknown !== undefined) {
    throw new ApiError(
      'validation_failed',
      `event_types: ${unknown} is not a webhook event type; known types are ${WEBHOOK_EVENT_TYPES.join(', ')}.`,
      { param: 'event_types' },
    );
  }
  return `,${[...new Set(types)].sort().join(',')},`;
}

/** The stored types, each checked by `encodeEventTypes` when it was written. */
export function decodeEventTypes(stored: string): Array<WebhookEventType | '*'> {
  if (stored === '*') return ['*'];
  return stored.split(',').filter((t) => t !== '') as WebhookEventType[];
}

const checkUrl = (ctx: WebhookContext, url: string) =>
  checkWebhookUrl(url, ctx.config.webhooks.allowPrivate, ctx.resolveHost ?? systemResolveHost);

export async function createEndpoint(
  ctx: WebhookContext,
  appId: string,
  input: EndpointInput,
  actor: Principal,
): Promise<CreatedEndpoint> {
  const url = await checkUrl(ctx, input.url);
  const eventTypes = encodeEventTypes(input.event_types);
  const now = ctx.clock();
  const secret = newSecret(ctx);
  const id = newId('whe', now, ctx.random);
  const row: WebhookEndpointRow = {
    id,
    app_id: appId,
    url,
    description: input.description ?? '',
    event_types: eventTypes,
    secret: ctx.secretBox.seal(secret, id),
    secret_hint: hint(secret),
    previous_secret: null,
    previous_secret_expires_at: null,
    status: 'enabled',
    disabled_reason: null,
    failing_since: null,
    created_at: now,
    updated_at: now,
  };
  await ctx.store.insertWebhookEndpoint(row, [
    makeEvent(ctx, appId, 'webhook_endpoint.created', id, {
      webhook_endpoint_id: id,
      url,
      event_types: decodeEventTypes(eventTypes),
      actor_key_id: actor.keyId,
    }),
  ]);
  return { row, secret };
}

export async function getEndpoint(
  ctx: WebhookContext,
  appId: string,
  id: string,
): Promise<WebhookEndpointRow> {
  const row = await ctx.store.getWebhookEndpoint(appId, id);
  if (!row) throw new ApiError('not_found', `No webhook endpoint ${id} in this app.`);
  return row;
}

export function listEndpoints(ctx: WebhookContext, appId: string, page: Page): Promise<WebhookEndpointRow[]> {
  return ctx.store.listWebhookEndpoints(appId, page);
}

export interface EndpointPatch {
  url?: string | undefined;
  event_types?: string[] | undefined;
  description?: string | undefined;
  enabled?: boolean | undefined;
}

export async function updateEndpoint(
  ctx: WebhookContext,
  appId: string,
  id: string,
  patch: EndpointPatch,
  actor: Principal,
): Promise<WebhookEndpointRow> {
  // Everything is checked before anything is written.
  const changes: WebhookEndpointChanges = { updated_at: ctx.clock() };
  if (patch.url !== undefined) changes.url = await checkUrl(ctx, patch.url);
  if (patch.event_types !== undefined) changes.event_types = encodeEventTypes(patch.event_types);
  if (patch.description !== undefined) changes.description = patch.description;
  if (patch.enabled !== undefined) {
    changes.status = patch.enabled ? 'enabled' : 'disabled';
    changes.disabled_reason = patch.enabled ? null : 'manual';
    // Enabling again starts a fresh count of failures.
    if (patch.enabled) changes.failing_since = null;
  }
  const changed = Object.keys(patch).filter((k) => (patch as Record<string, unknown>)[k] !== undefined);
  const row = await ctx.store.updateWebhookEndpoint(appId, id, changes, [
    makeEvent(ctx, appId, 'webhook_endpoint.updated', id, {
      webhook_endpoint_id: id,
      changed,
      actor_key_id: actor.keyId,
    }),
  ]);
  if (!row) throw new ApiError('not_found', `No webhook endpoint ${id} in this app.`);
  return row;
}

export async function deleteEndpoint(
  ctx: WebhookContext,
  appId: string,
  id: string,
  actor: Principal,
): Promise<void> {
  const deleted = await ctx.store.deleteWebhookEndpoint(appId, id, [
    makeEvent(ctx, appId, 'webhook_endpoint.deleted', id, {
      webhook_endpoint_id: id,
      actor_key_id: actor.keyId,
    }),
  ]);
  if (!deleted) throw new ApiError('not_found', `No webhook endpoint ${id} in this app.`);
}

/** A new secret; the current one becomes the previous one and keeps signing for 24 hours. */
export async function rotateSecret(
  ctx: WebhookContext,
  appId: string,
  id: string,
  actor: Principal,
): Promise<CreatedEndpoint> {
  const current = await getEndpoint(ctx, appId, id);
  const now = ctx.clock();
  const secret = newSecret(ctx);
  const row = await ctx.store.updateWebhookEndpoint(
    appId,
    id,
    {
      secret: ctx.secretBox.seal(secret, id),
      secret_hint: hint(secret),
      // Resealed under its own label so the two can never be swapped in storage.
      previous_secret: ctx.secretBox.seal(ctx.secretBox.open(current.secret, id), `${id}:previous`),
      previous_secret_expires_at: now + PREVIOUS_SECRET_GRACE_MS,
      updated_at: now,
    },
    [
      makeEvent(ctx, appId, 'webhook_endpoint.secret_rotated', id, {
        webhook_endpoint_id: id,
        previous_secret_expires_at: new Date(now + PREVIOUS_SECRET_GRACE_MS).toISOString(),
        actor_key_id: actor.keyId,
      }),
    ],
  );
  if (!row) throw new ApiError('not_found', `No webhook endpoint ${id} in this app.`);
  return { row, secret };
}

/** The secrets that sign a delivery now: the current one, and the previous one during its grace period. */
export function signingSecrets(ctx: WebhookContext, endpoint: WebhookEndpointRow, now: number): string[] {
  const secrets = [ctx.secretBox.open(endpoint.secret, endpoint.id)];
  if (
    endpoint.previous_secret !== null &&
    endpoint.previous_secret_expires_at !== null &&
    endpoint.previous_secret_expires_at > now
  ) {
    secrets.push(ctx.secretBox.open(endpoint.previous_secret, `${endpoint.id}:previous`));
  }
  return secrets;
}

/** Queues the event for the endpoint once more, whatever became of earlier deliveries. */
export async function redeliver(
  ctx: WebhookContext,
  appId: string,
  endpointId: string,
  eventId: string,
): Promise<OutboxRow> {
  const endpoint = await getEndpoint(ctx, appId, endpointId);
  if (endpoint.status !== 'enabled') {
    throw new ApiError(
      'conflict',
      'This endpoint is disabled; enable it (PATCH enabled: true) before redelivering.',
    );
  }
  const event = await ctx.store.getEvent(appId, eventId);
  if (!event) throw new ApiError('not_found', `No event ${eventId} in this app.`, { param: 'event_id' });
  if (!isWebhookEventType(event.type)) {
    throw new ApiError('validation_failed', `${event.type} events are not delivered to webhooks.`, {
      param: 'event_id',
    });
  }
  const now = ctx.clock();
  const row = newOutboxRow({
    id: newId('whm', now, ctx.random),
    appId,
    linkId: null,
    channel: 'webhook',
    recipient: endpoint.id,
    payload: event.id,
    now,
  });
  await ctx.store.queueWebhookMessage(row);
  ctx.delivery.wake();
  return row;
}

export function listAttempts(
  ctx: WebhookContext,
  appId: string,
  endpointId: string,
  filter: { event_id?: string | undefined },
  page: Page,
): Promise<WebhookAttemptRow[]> {
  return ctx.store.listWebhookAttempts(appId, endpointId, filter, page);
}
