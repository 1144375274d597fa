import { Type } from 'typebox';
import { getAppOrThrow } from '../apps/app-service.js';
import { actingApp } from '../http/auth.js';
import { listResponse } from '../http/present.js';
import type { RouteGroups } from '../http/routes.js';
import { Id, PageQuery } from '../http/schemas.js';
import { presentUser } from '../users/user-present.js';
import type { SessionContext } from './session-context.js';
import { sessionJwks } from './session-key-service.js';
import { presentSession } from './session-present.js';
import {
  exchangeCode,
  getSessionOrThrow,
  listSessions,
  refreshSession,
  revokeSession,
} from './session-service.js';

const SessionParams = Type.Object({ session_id: Id('ses') });

export function sessionRoutes(ctx: SessionContext): RouteGroups {
  return {
    apiKey: async (app) => {
      app.post(
        '/v1/sessions/exchange',
        {
          schema: {
            tags: ['sessions'],
            summary: 'Exchange an lk_code for the session (API key)',
            body: Type.Object(
              {
                code: Type.String({ minLength: 1, maxLength: 256 }),
                code_verifier: Type.Optional(Type.String({ maxLength: 128 })),
              },
              { additionalProperties: false },
            ),
          },
        },
        async (request) => {
          const appId = actingApp(request);
          const result = await exchangeCode(ctx, appId, request.body.code, request.body.code_verifier);
          return {
            user: presentUser(result.user),
            session: result.session,
            redirect_url: result.redirect_url,
          };
        },
      );

      app.post(
        '/v1/sessions/refresh',
        {
          schema: {
            tags: ['sessions'],
            summary: 'Rotate a refresh token for a new session token',
            body: Type.Object(
              { refresh_token: Type.String({ minLength: 1, maxLength: 256 }) },
              { additionalProperties: false },
            ),
          },
        },
        async (request) => {
          const appId = actingApp(request);
          const result = await refreshSession(ctx, appId, request.body.refresh_token);
          return { user: presentUser(result.user), session: result.session };
        },
      );

      app.get(
        '/v1/sessions',
        {
          schema: {
            tags: ['sessions'],
            summary: 'List sessions',
            querystring: Type.Intersect([
              PageQuery,
              Type.Object({ user_id: Type.Optional(Id('usr')), active: Type.Optional(Type.Boolean()) }),
            ]),
          },
        },
        async (request) => {
          const appId = actingApp(request);
          const { limit = 50, cursor, user_id, active } = request.query;
          const now = ctx.clock();
          const rows = await listSessions(
            ctx,
            appId,
            { ...(user_id ? { user_id } : {}), ...(active ? { active } : {}) },
            { limit, cursor },
          );
          return listResponse(rows, limit, (row) => presentSession(row, now));
        },
      );

      app.get(
        '/v1/sessions/:session_id',
        { schema: { tags: ['sessions'], summary: 'Read a session', params: SessionParams } },
        async (request) => {
          const appId = actingApp(request);
          return presentSession(await getSessionOrThrow(ctx, appId, request.params.session_id), ctx.clock());
        },
      );

      const revoke = { tags: ['sessions'], summary: 'Revoke a session', params: SessionParams };
      app.post('/v1/sessions/:session_id/revoke', { schema: revoke }, async (request) => {
        const appId = actingApp(request);
        return presentSession(await revokeSession(ctx, appId, request.params.session_id), ctx.clock());
      });
      app.delete('/v1/sessions/:session_id', { schema: revoke }, async (request) => {
        const appId = actingApp(request);
        return presentSession(await revokeSession(ctx, appId, request.params.session_id), ctx.clock());
      });
    },

    public: async (app) => {
      // The same key set serves every app: tokens differ by `aud` (the app id), which verifiers must check.
      app.get(
        '/.well-known/jwks.json',
        { schema: { tags: ['sessions'], summary: 'Public keys for session tokens' } },
        async (_request, reply) =>
          reply.header('cache-control', 'public, max-age=300').send(await sessionJwks(ctx)),
      );
      app.get(
        '/v1/apps/:app_id/.well-known/jwks.json',
        {
          schema: {
            tags: ['sessions'],
            summary: "Public keys for an app's session tokens",
            params: Type.Object({ app_id: Id('app') }),
          },
        },
        async (request, reply) => {
          await getAppOrThrow(ctx, request.params.app_id);
          return reply.header('cache-control', 'public, max-age=300').send(await sessionJwks(ctx));
        },
      );
    },
  };
}
