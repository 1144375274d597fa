import type { Readable } from 'node:stream';
import { type Static, Type } from 'typebox';
import { actingApp, principalOf } from '../http/auth.js';
import { iso, listResponse } from '../http/present.js';
import type { RouteGroups } from '../http/routes.js';
import { Id, Named, Nullable, Page, PageQuery, Timestamp } from '../http/schemas.js';
import { serverSentEvents } from '../http/server-sent-events.js';
import type { EventRow } from '../storage/rows.js';
import { getEventOrThrow, listEvents } from './event-service.js';
import type { EventContext } from './event-store.js';
import { StreamAdmission, streamCursor, tailEvents } from './event-stream.js';

const EventType = Type.String({ pattern: '^[a-z_]+\\.[a-z_]+$', maxLength: 100 });

/** A comment this often keeps proxies from closing a quiet stream (most give up after 30 to 60 s of silence). */
const HEARTBEAT_MS = 15_000;
/** How long a browser waits before reconnecting after the stream ends. */
const RETRY_MS = 3_000;

/** Something that happened in an app, as the events API, its stream and webhooks show it. */
export const LatchkeyEvent = Named(
  'LatchkeyEvent',
  Type.Object(
    {
      id: Id('evt'),
      type: Type.String({
        description:
          'What happened, `<subject>.<change>`: `magic_link.redeemed`, `user.created`, `session.revoked`, …',
        examples: ['magic_link.redeemed'],
      }),
      subject_id: Nullable(
        Type.String({ description: 'The id it is about (`ml_…`, `usr_…`, `ses_…`, `whe_…`, …).' }),
      ),
      created_at: Timestamp,
      data: Type.Record(Type.String(), Type.Unknown(), {
        description: 'The details of the change; each type has its own fields (see the webhooks).',
      }),
    },
    { description: 'An event' },
  ),
);

export function presentEvent(row: EventRow): Static<typeof LatchkeyEvent> {
  return {
    id: row.id,
    type: row.type,
    subject_id: row.subject_id,
    created_at: iso(row.created_at),
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}

/** The events API: what happened in an app, newest first, for apps that poll rather than receive webhooks. */
export function eventRoutes(ctx: EventContext): RouteGroups {
  // One count per server, across the API's routes and the dashboard's copy of them.
  const admission = new StreamAdmission();
  return {
    apiKey: async (app) => {
      const sse = serverSentEvents(app);

      app.get(
        '/v1/events/stream',
        {
          schema: {
            operationId: 'streamEvents',
            tags: ['events'],
            summary:
              'Stream new events as Server-Sent Events (text/event-stream), resuming after Last-Event-ID',
            response: {
              200: {
                description: 'A stream of Server-Sent Events that lasts until the client leaves',
                content: {
                  'text/event-stream': {
                    // The messages as text, written to a stream (the typed reply takes either).
                    schema: Type.Unsafe<string | Readable>({
                      type: 'string',
                      examples: [
                        'retry: 3000\n\nid: evt_01jeq9v3m0a2c4e6g8j0k2m4p6\n\nid: evt_01jeqa0c7p1r3t5v7x9z1b3d5f\nevent: magic_link.redeemed\ndata: {"id":"evt_01jeqa0c7p1r3t5v7x9z1b3d5f","type":"magic_link.redeemed","subject_id":"ml_01jeq9v3kx7m2c8r4t6w0yzb5n","created_at":"2026-12-06T10:02:10.000Z","data":{"magic_link_id":"ml_01jeq9v3kx7m2c8r4t6w0yzb5n"}}\n\n',
                      ],
                    }),
                  },
                },
              },
            },
            description:
              'Each message is `id: evt_…`, `event: <type>`, `data: <the event as GET /v1/events/{id} answers it>`, about one to two seconds after it was written. The stream starts with an `id:` alone (where it starts reading); a client that reconnects with `Last-Event-ID` gets every event after that id, once. A comment line comes every 15 s. At most 5 streams per key at a time (429 `rate_limited` beyond).',
            querystring: Type.Object({
              type: Type.Optional(EventType),
              after: Type.Optional(Id('evt')),
              since: Type.Optional(
                Type.String({
                  format: 'date-time',
                  description: 'Start with the events written at or after this time.',
                }),
              ),
            }),
          },
        },
        async (request, reply) => {
          const appId = actingApp(request);
          const { type, after, since } = request.query;
          const header = request.headers['last-event-id'];
          const cursor = streamCursor(ctx, {
            lastEventId: typeof header === 'string' && header !== '' ? header : undefined,
            after,
            since,
          });
          const release = admission.admit(principalOf(request).keyId);
          return sse.open(reply, { heartbeatMs: HEARTBEAT_MS, retryMs: RETRY_MS }, async (stream) => {
            try {
              await stream.send({ id: cursor });
              await tailEvents(ctx, {
                appId,
                type,
                cursor,
                signal: stream.signal,
                emit: (row) =>
                  stream.send({ id: row.id, event: row.type, data: JSON.stringify(presentEvent(row)) }),
              });
            } finally {
              release();
            }
          });
        },
      );

      app.get(
        '/v1/events',
        {
          schema: {
            operationId: 'listEvents',
            tags: ['events'],
            summary: 'List events, newest first (audit entries included)',
            response: { 200: Page(LatchkeyEvent, 'A page of events, newest first') },
            querystring: Type.Intersect([
              PageQuery,
              Type.Object({
                type: Type.Optional(EventType),
                user_id: Type.Optional(Id('usr')),
                since: Type.Optional(
                  Type.String({ format: 'date-time', description: 'Only events at or after this time.' }),
                ),
                until: Type.Optional(
                  Type.String({ format: 'date-time', description: 'Only events before this time.' }),
                ),
                subject_id: Type.Optional(
                  Type.String({
                    pattern: '^[a-z]+_[0-9a-z]{26}$',
                    description: 'Only events about this id (`ml_…`, `usr_…`, `ses_…`, `whe_…`).',
                  }),
                ),
              }),
            ]),
          },
        },
        async (request) => {
          const appId = actingApp(request);
          const { limit = 50, cursor, type, user_id, since, until, subject_id } = request.query;
          const rows = await listEvents(
            ctx,
            appId,
            { type, user_id, since, until, subject_id },
            { limit, cursor },
          );
          return listResponse(rows, limit, presentEvent);
        },
      );

      app.get(
        '/v1/events/:id',
        {
          schema: {
            operationId: 'getEvent',
            tags: ['events'],
            summary: 'Read one event',
            params: Type.Object({ id: Id('evt') }),
            response: { 200: LatchkeyEvent },
          },
        },
        async (request) => {
          const appId = actingApp(request);
          return presentEvent(await getEventOrThrow(ctx, appId, request.params.id));
        },
      );
    },
  };
}
