import { Type } from 'typebox';
import { actingApp, principalOf } from '../http/auth.js';
import { errorResponse } from '../http/openapi.js';
import { listResponse } from '../http/present.js';
import type { RouteGroups } from '../http/routes.js';
import { Id, Page, PageQuery } from '../http/schemas.js';
import type { SignedLinkContext } from './signed-link-store.js';
import { CreatedSigningKey, presentSigningKey, SigningKey } from './signing-key-present.js';
import { createSigningKey, listSigningKeys, revokeSigningKey } from './signing-key-service.js';

export function signingKeyRoutes(ctx: SignedLinkContext): RouteGroups {
  return {
    apiKey: async (app) => {
      app.post(
        '/v1/signing-keys',
        {
          schema: {
            operationId: 'createSigningKey',
            tags: ['signing keys'],
            summary: 'Create a signing key for stateless links (the secret is shown once)',
            body: Type.Object(
              {
                label: Type.Optional(
                  Type.String({
                    minLength: 1,
                    maxLength: 200,
                    description: 'Where the key is used, for people.',
                  }),
                ),
              },
              { additionalProperties: false, examples: [{ label: 'billing backend' }] },
            ),
            response: { 201: CreatedSigningKey },
          },
        },
        async (request, reply) => {
          const appId = actingApp(request);
          const key = await createSigningKey(
            ctx,
            appId,
            request.body.label ?? 'unnamed',
            principalOf(request),
          );
          return reply.code(201).send({ ...presentSigningKey(key.row), secret: key.secret });
        },
      );

      app.get(
        '/v1/signing-keys',
        {
          schema: {
            operationId: 'listSigningKeys',
            tags: ['signing keys'],
            summary: 'List signing keys (never the secrets)',
            querystring: PageQuery,
            response: {
              200: Page(SigningKey, 'A page of signing keys, newest first, revoked ones included'),
            },
          },
        },
        async (request) => {
          const appId = actingApp(request);
          const { limit = 50, cursor } = request.query;
          return listResponse(
            (await listSigningKeys(ctx, appId, { limit, cursor })).map((row) => ({ ...row, id: row.kid })),
            limit,
            presentSigningKey,
          );
        },
      );

      app.delete(
        '/v1/signing-keys/:kid',
        {
          schema: {
            operationId: 'revokeSigningKey',
            tags: ['signing keys'],
            summary: 'Revoke a signing key; links it signed stop working at once',
            params: Type.Object({ kid: Id('sk') }),
            response: {
              200: { ...SigningKey, description: 'The key as revoked' },
              404: { ...errorResponse(404), description: 'No such key, or it is already revoked.' },
            },
          },
        },
        async (request) => {
          const appId = actingApp(request);
          return presentSigningKey(
            await revokeSigningKey(ctx, appId, request.params.kid, principalOf(request)),
          );
        },
      );
    },
  };
}
