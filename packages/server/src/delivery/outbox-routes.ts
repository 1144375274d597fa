import { Type } from 'typebox';
import { actingApp } from '../http/auth.js';
import { errorResponse } from '../http/openapi.js';
import { listResponse } from '../http/present.js';
import type { RouteGroups } from '../http/routes.js';
import { Id, Page, PageQuery } from '../http/schemas.js';
import { OutboxMessage, presentMessage } from './outbox-present.js';
import { getMessage, listMessages, retryMessage } from './outbox-service.js';
import type { DeliveryContext } from './outbox-store.js';

const MessageParams = Type.Object({ message_id: Id('msg') });

/**
 * The app's email and SMS messages with every attempt and the provider's answer to it, and a retry for one that was
 * given up. Never a message's content: its payload holds the live link.
 */
export function outboxRoutes(ctx: DeliveryContext): RouteGroups {
  return {
    apiKey: async (app) => {
      app.get(
        '/v1/outbox',
        {
          schema: {
            operationId: 'listOutboxMessages',
            tags: ['delivery'],
            summary: 'Email and SMS messages with their attempts, newest first',
            response: { 200: Page(OutboxMessage, 'A page of messages, newest first') },
            querystring: Type.Intersect([
              PageQuery,
              Type.Object({
                status: Type.Optional(
                  Type.Union(['pending', 'sending', 'sent', 'failed'].map((s) => Type.Literal(s))),
                ),
                channel: Type.Optional(Type.Union([Type.Literal('email'), Type.Literal('phone')])),
                link_id: Type.Optional(Id('ml')),
                created_from: Type.Optional(Type.String({ format: 'date-time' })),
                created_to: Type.Optional(Type.String({ format: 'date-time' })),
              }),
            ]),
          },
        },
        async (request) => {
          const appId = actingApp(request);
          const { limit = 50, cursor, status, channel, link_id, created_from, created_to } = request.query;
          const filter = {
            status: status as 'pending' | 'sending' | 'sent' | 'failed' | undefined,
            channel,
            link_id,
            created_from: created_from === undefined ? undefined : Date.parse(created_from),
            created_to: created_to === undefined ? undefined : Date.parse(created_to),
          };
          const { messages, attempts } = await listMessages(ctx, appId, filter, { limit, cursor });
          return listResponse(messages, limit, (row) => presentMessage(row, attempts));
        },
      );

      app.get(
        '/v1/outbox/:message_id',
        {
          schema: {
            operationId: 'getOutboxMessage',
            tags: ['delivery'],
            summary: 'One email or SMS message with its attempts',
            params: MessageParams,
            response: { 200: OutboxMessage },
          },
        },
        async (request) => {
          const { message, attempts } = await getMessage(ctx, actingApp(request), request.params.message_id);
          return presentMessage(message, attempts);
        },
      );

      app.post(
        '/v1/outbox/:message_id/retry',
        {
          schema: {
            operationId: 'retryOutboxMessage',
            tags: ['delivery'],
            summary: 'Queue a message that was given up (status failed) again, now',
            params: MessageParams,
            response: {
              200: { ...OutboxMessage, description: 'The message, pending again' },
              400: {
                ...errorResponse(400),
                description:
                  'A production server has no transport for the message’s channel (`delivery_not_configured`), or a parameter is wrong.',
              },
              409: {
                ...errorResponse(409),
                description:
                  'The message is not failed (any more), or its link was used, revoked or has expired: sending it again would deliver a link that does not work.',
              },
            },
          },
        },
        async (request) => {
          const { message, attempts } = await retryMessage(
            ctx,
            actingApp(request),
            request.params.message_id,
          );
          return presentMessage(message, attempts);
        },
      );
    },
  };
}
