import { Type } from 'typebox';
import { actingApp } from '../http/auth.js';
import { listResponse } from '../http/present.js';
import type { RouteGroups } from '../http/routes.js';
import { Id, PageQuery } from '../http/schemas.js';
import { presentMessage } from './outbox-present.js';
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
            tags: ['delivery'],
            summary: 'Email and SMS messages with their attempts, newest first',
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
            tags: ['delivery'],
            summary: 'One email or SMS message with its attempts',
            params: MessageParams,
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
            tags: ['delivery'],
            summary: 'Queue a message that was given up (status failed) again, now',
            params: MessageParams,
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
