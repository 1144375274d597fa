import { principalOf } from '../http/auth.js';
import { iso, isoOrNull } from '../http/present.js';
import type { RouteGroups } from '../http/routes.js';
import type { SessionContext } from './session-context.js';
import { listSessionKeys, rotateSessionKeys } from './session-key-service.js';
import type { KeyringEntry } from './session-keyring.js';

/**
 * The installation's session-token signing keys (ES256), for admins: list them, and rotate. The private keys never
 * leave the server; the public ones are at /.well-known/jwks.json.
 */
export function sessionKeyRoutes(ctx: SessionContext): RouteGroups {
  const present = (keys: readonly KeyringEntry[]) =>
    keys.map((k) => ({
      kid: k.kid,
      alg: 'ES256',
      status: k.retiredAt === null ? 'active' : 'retired',
      published: k.published,
      created_at: iso(k.createdAt),
      retired_at: isoOrNull(k.retiredAt),
    }));

  return {
    admin: async (app) => {
      app.get(
        '/v1/session-keys',
        { schema: { tags: ['session keys'], summary: 'List the session-token signing keys (admin key)' } },
        async () => ({ data: present(await listSessionKeys(ctx)), next_cursor: null }),
      );

      app.post(
        '/v1/session-keys/rotate',
        {
          schema: {
            tags: ['session keys'],
            summary: 'Rotate the session-token signing key (admin key)',
            description:
              'A new key signs from now on; the previous keys are retired and stay in the JWKS for 24 hours, so tokens they signed keep verifying until they expire.',
          },
        },
        async (request, reply) => {
          const kid = await rotateSessionKeys(ctx, principalOf(request));
          return reply.code(201).send({ kid, data: present(ctx.keyring.list()) });
        },
      );
    },
  };
}
