import { Type } from 'typebox';
import { getAppOrThrow } from '../apps/app-service.js';
import { actingApp } from '../http/auth.js';
import { errorResponse } from '../http/openapi.js';
import { listResponse } from '../http/present.js';
import type { RouteGroups } from '../http/routes.js';
import { Id, Page, PageQuery } from '../http/schemas.js';
import { presentUser } from '../users/user-present.js';
import type { SessionContext } from './session-context.js';
import { sessionJwks } from './session-key-service.js';
import {
  ExchangeResult,
  Jwks,
  presentJwks,
  presentSession,
  RefreshResult,
  Session,
} from './session-present.js';
import {
  exchangeCode,
  getSessionOrThrow,
  listSessions,
  refreshSession,
  revokeSession,
} from './session-service.js';

const SessionParams = Type.Object({ session_id: Id('ses') });

const ExchangeBody = Type.Object(
  {
    code: Type.String({
      minLength: 1,
      maxLength: 256,
      description: 'The `lk_code` query parameter of the redirect that ended the sign-in.',
    }),
    code_verifier: Type.Optional(
      Type.String({
        maxLength: 128,
        description: 'The PKCE verifier, when the link or sign-in was started with a `code_challenge`.',
      }),
    ),
  },
  { additionalProperties: false, examples: [{ code: 'AAZk3wQx9v…' }] },
);

const RefreshBody = Type.Object(
  {
    refresh_token: Type.String({
      minLength: 1,
      maxLength: 256,
      description: 'The `lk_rt_…` token of the last exchange or refresh; each works once.',
    }),
  },
  { additionalProperties: false, examples: [{ refresh_token: 'lk_rt_AAZk3x…' }] },
);

/** The JWKS changes only on a rotation, and a retired key stays published for a day: five minutes is safe. */
const JWKS_CACHE = 'public, max-age=300';
const JwksAnswer = {
  ...Jwks,
  headers: {
    'cache-control': Type.String({ description: 'Cache for five minutes.', examples: [JWKS_CACHE] }),
  },
};

export function sessionRoutes(ctx: SessionContext): RouteGroups {
  return {
    apiKey: async (app) => {
      app.post(
        '/v1/sessions/exchange',
        {
          schema: {
            operationId: 'exchangeCode',
            tags: ['sessions'],
            summary: 'Exchange an lk_code for the session (API key)',
            description:
              'The last step of every sign-in: the app’s backend trades the one-minute, single-use `lk_code` from the redirect for the user and the session’s tokens.',
            body: ExchangeBody,
            response: {
              200: ExchangeResult,
              400: {
                ...errorResponse(400),
                description:
                  'The code is unknown, expired or already used (`code_invalid`), or its PKCE verifier is missing or wrong (`pkce_required`, `pkce_mismatch`), or the body is not valid.',
              },
            },
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
            operationId: 'refreshSession',
            tags: ['sessions'],
            summary: 'Rotate a refresh token for a new session token',
            description:
              'Answers a new session token and a new refresh token. A refresh token works once: presenting a used one again revokes the session, since one of the two holders must be a thief.',
            body: RefreshBody,
            response: {
              200: RefreshResult,
              401: {
                ...errorResponse(401),
                description:
                  'The refresh token is unknown or expired, or its session ended (`refresh_token_invalid`), or it was already used and the session is now revoked (`refresh_token_reused`); or the API key is missing or wrong (`unauthorized`).',
              },
            },
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
            operationId: 'listSessions',
            tags: ['sessions'],
            summary: 'List sessions',
            response: { 200: Page(Session, 'A page of sessions, newest first') },
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
        {
          schema: {
            operationId: 'getSession',
            tags: ['sessions'],
            summary: 'Read a session',
            params: SessionParams,
            response: { 200: Session },
          },
        },
        async (request) => {
          const appId = actingApp(request);
          return presentSession(await getSessionOrThrow(ctx, appId, request.params.session_id), ctx.clock());
        },
      );

      const revoke = {
        tags: ['sessions'],
        summary: 'Revoke a session',
        description:
          'Its refresh token stops working at once; tokens already issued stay valid until they expire.',
        params: SessionParams,
        response: {
          200: { ...Session, description: 'The session as revoked (revoking again changes nothing)' },
        },
      };
      app.post(
        '/v1/sessions/:session_id/revoke',
        { schema: { ...revoke, operationId: 'revokeSession' } },
        async (request) => {
          const appId = actingApp(request);
          return presentSession(await revokeSession(ctx, appId, request.params.session_id), ctx.clock());
        },
      );
      app.delete(
        '/v1/sessions/:session_id',
        {
          schema: {
            ...revoke,
            operationId: 'deleteSession',
            summary: 'Revoke a session (the same as POST /v1/sessions/{session_id}/revoke)',
          },
        },
        async (request) => {
          const appId = actingApp(request);
          return presentSession(await revokeSession(ctx, appId, request.params.session_id), ctx.clock());
        },
      );
    },

    public: async (app) => {
      // The same key set serves every app: tokens differ by `aud` (the app id), which verifiers must check.
      app.get(
        '/.well-known/jwks.json',
        {
          schema: {
            operationId: 'getJwks',
            tags: ['sessions'],
            summary: 'Public keys for session tokens',
            response: { 200: JwksAnswer },
          },
        },
        async (_request, reply) =>
          reply.header('cache-control', JWKS_CACHE).send(presentJwks(await sessionJwks(ctx))),
      );
      app.get(
        '/v1/apps/:app_id/.well-known/jwks.json',
        {
          schema: {
            operationId: 'getAppJwks',
            tags: ['sessions'],
            summary: "Public keys for an app's session tokens",
            description:
              'The same keys as /.well-known/jwks.json, at a path under the app for verifiers that derive the JWKS URL from it; 404 for an unknown app.',
            params: Type.Object({ app_id: Id('app') }),
            response: { 200: JwksAnswer },
          },
        },
        async (request, reply) => {
          await getAppOrThrow(ctx, request.params.app_id);
          return reply.header('cache-control', JWKS_CACHE).send(presentJwks(await sessionJwks(ctx)));
        },
      );
    },
  };
}
