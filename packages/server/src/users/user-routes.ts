import { Type } from 'typebox';
import { actingApp } from '../http/auth.js';
import { errorResponses } from '../http/openapi.js';
import { listResponse } from '../http/present.js';
import type { RouteGroups } from '../http/routes.js';
import { Id, NoContent, Nullable, Page, PageQuery } from '../http/schemas.js';
import { presentUser, User } from './user-present.js';
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
        {
          schema: {
            operationId: 'createUser',
            tags: ['users'],
            summary: 'Create a user',
            body: UserBody,
            response: { 201: { ...User, description: 'The new user' }, ...errorResponses(409) },
          },
        },
        async (request, reply) => {
          const appId = actingApp(request);
          return reply.code(201).send(presentUser(await createUser(ctx, appId, request.body)));
        },
      );

      app.get(
        '/v1/users',
        {
          schema: {
            operationId: 'listUsers',
            tags: ['users'],
            summary: 'List or look up users',
            response: { 200: Page(User, 'A page of users, newest first') },
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
        {
          schema: {
            operationId: 'getUser',
            tags: ['users'],
            summary: 'Read a user',
            params: UserParams,
            response: { 200: User },
          },
        },
        async (request) => {
          const appId = actingApp(request);
          return presentUser(await getUserOrThrow(ctx, appId, request.params.user_id));
        },
      );

      app.patch(
        '/v1/users/:user_id',
        {
          schema: {
            operationId: 'updateUser',
            tags: ['users'],
            summary: 'Change a user',
            params: UserParams,
            body: UserBody,
            response: { 200: { ...User, description: 'The user as changed' }, ...errorResponses(409) },
          },
        },
        async (request) => {
          const appId = actingApp(request);
          return presentUser(await updateUser(ctx, appId, request.params.user_id, request.body));
        },
      );

      app.delete(
        '/v1/users/:user_id',
        {
          schema: {
            operationId: 'deleteUser',
            tags: ['users'],
            summary: 'Delete a user, revoking its links and sessions',
            params: UserParams,
            response: { 204: NoContent('Deleted; its links and sessions are revoked.') },
          },
        },
        async (request, reply) => {
          const appId = actingApp(request);
          await deleteUser(ctx, appId, request.params.user_id);
          return reply.code(204).send(null);
        },
      );
    },
  };
}
