import { Type } from 'typebox';
import { actingApp, principalOf } from '../http/auth.js';
import { iso, isoOrNull, listResponse } from '../http/present.js';
import type { RouteGroups } from '../http/routes.js';
import { PageQuery } from '../http/schemas.js';
import type { SigningKeyRow } from '../storage/rows.js';
import type { SignedLinkContext } from './signed-link-store.js';
import { createSigningKey, listSigningKeys, revokeSigningKey } from './signing-key-service.js';

export function presentSigningKey(row: SigningKeyRow) {
  return {
    kid: row.kid,
    app_id: row.app_id,
    label: row.label,
    algorithm: row.algorithm,
    secret_hint: row.secret_hint,
    status: row.revoked_at === null ? 'active' : 'revoked',
    created_at: iso(row.created_at),
    last_used_at: isoOrNull(row.last_used_at),
    revoked_at: isoOrNull(row.revoked_at),
  };
}

export function signingKeyRoutes(ctx: SignedLinkContext): RouteGroups {
  return {
    apiKey: async (app) => {
      app.post(
        '/v1/signing-keys',
        {
          schema: {
            tags: ['signing keys'],
            summary: 'Create a signing key for stateless links (the secret is shown once)',
            body: Type.Object(
              { label: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) },
              { additionalProperties: false },
            ),
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
            tags: ['signing keys'],
            summary: 'List signing keys (never the secrets)',
            querystring: PageQuery,
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
            tags: ['signing keys'],
            summary: 'Revoke a signing key; links it signed stop working at once',
            params: Type.Object({ kid: Type.String({ pattern: '^sk_[0-9a-z]{26}$' }) }),
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
