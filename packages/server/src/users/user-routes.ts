import { Type } from 'typebox';
import { actingApp } from '../http/auth.js';
import { listResponse } from '../http/present.js';
import type { RouteGroups } from '../http/routes.js';
import { Id, Nullable, PageQuery } from '../http/schemas.js';
import { presentUser } from './user-present.js';
import { createUser, deleteUser, getUserOrThrow, listUsers, updateUser } from './user-service.js';
import type { UserContext } from './user-store.js';

const UserBody = Type.Object(
  {
    email: Type.Optional(Nullable(Type.String({ maxLength: 254 }))),
    phone: Type.Optional(Nullable(Type.String({ maxLength: 32 }))),
    external_id: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 255 }))),
    email_verified: Type.Optional(Type.Boolean()),
    phone_verified: Type.Optional(Type.Boolean()),
    metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);
const UserParams = Type.Object({ user_id: Id('usr') });

export function userRoutes(ctx: UserContext): RouteGroups {
  return {
    apiKey: async (app) => {
      app.post(
        '/v1/users',
        { schema: { tags: ['users'], summary: 'Create a user', body: UserBody } },
        async (request, reply) => {
          const appId = actingApp(request);
          return reply.code(201).send(presentUser(await createUser(ctx, appId, request.body)));
        },
      );

      app.get(
        '/v1/users',
        {
          schema: {
            tags: ['users'],
            summary: 'List or look up users',
            querystring: Type.Intersect([
              PageQuery,
              Type.Object({
                email: Type.Optional(Type.String()),
                phone: Type.Optional(Type.String()),
                external_id: Type.Optional(Type.String()),
              }),
            ]),
          },
        },
        async (request) => {
          const appId = actingApp(request);
          const { limit = 50, cursor, ...filter } = request.query;
          return listResponse(await listUsers(ctx, appId, filter, { limit, cursor }), limit, presentUser);
        },
      );

      app.get(
        '/v1/users/:user_id',
        { schema: { tags: ['users'], summary: 'Read a user', params: UserParams } },
        async (request) => {
          const appId = actingApp(request);
          return presentUser(await getUserOrThrow(ctx, appId, request.params.user_id));
        },
      );

      app.patch(
        '/v1/users/:user_id',
        { schema: { tags: ['users'], summary: 'Change a user', params: UserParams, body: UserBody } },
        async (request) => {
          const appId = actingApp(request);
          return presentUser(await updateUser(ctx, appId, request.params.user_id, request.body));
        },
      );

      app.delete(
        '/v1/users/:user_id',
        {
          schema: {
            tags: ['users'],
            summary: 'Delete a user, revoking its links and sessions',
            params: UserParams,
          },
        },
        async (request, reply) => {
          const appId = actingApp(request);
          await deleteUser(ctx, appId, request.params.user_id);
          return reply.code(204).send();
        },
      );
    },
  };
}
