import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Context } from '../context.js';
import { ApiError } from '../errors/api-error.js';
import { resolveApp } from '../http/auth.js';
import { listResponse, presentSession, presentUser } from '../http/present.js';
import { Id, PageQuery } from '../http/schemas.js';
import {
  exchangeCode,
  getSessionOrThrow,
  listSessions,
  refreshSession,
  revokeSession,
} from './session-service.js';

const SessionParams = Type.Object({ session_id: Id('ses') });

/** How stale the keys behind the JWKS may be before the route reloads them from the database. */
const JWKS_REFRESH_MS = 30_000;

export function sessionRoutes(ctx: Context): FastifyPluginAsyncTypebox {
  return async (app) => {
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
        const appId = await resolveApp(ctx, request);
        const result = await exchangeCode(ctx, appId, request.body.code, request.body.code_verifier);
        return { user: presentUser(result.user), session: result.session, redirect_url: result.redirect_url };
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
        const appId = await resolveApp(ctx, request);
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
        const appId = await resolveApp(ctx, request);
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
        const appId = await resolveApp(ctx, request);
        return presentSession(await getSessionOrThrow(ctx, appId, request.params.session_id), ctx.clock());
      },
    );

    const revoke = { tags: ['sessions'], summary: 'Revoke a session', params: SessionParams };
    app.post('/v1/sessions/:session_id/revoke', { schema: revoke }, async (request) => {
      const appId = await resolveApp(ctx, request);
      return presentSession(await revokeSession(ctx, appId, request.params.session_id), ctx.clock());
    });
    app.delete('/v1/sessions/:session_id', { schema: revoke }, async (request) => {
      const appId = await resolveApp(ctx, request);
      return presentSession(await revokeSession(ctx, appId, request.params.session_id), ctx.clock());
    });

    // The same key set serves every app: tokens differ by `aud` (the app id), which verifiers must check.
    const jwks = async () => {
      // A rotation on another node shows up here within 30 seconds.
      await ctx.keyring.refresh(JWKS_REFRESH_MS);
      return ctx.keyring.jwks();
    };
    app.get(
      '/.well-known/jwks.json',
      { schema: { tags: ['sessions'], summary: 'Public keys for session tokens' } },
      async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(await jwks()),
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
        if (!(await ctx.store.getApp(request.params.app_id)))
          throw new ApiError('not_found', `No app with id ${request.params.app_id}.`);
        return reply.header('cache-control', 'public, max-age=300').send(await jwks());
      },
    );
  };
}
