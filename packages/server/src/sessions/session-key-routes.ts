import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Context } from '../context.js';
import { makeEvent } from '../events/event-factory.js';
import { requireAdmin } from '../http/auth.js';
import { iso, isoOrNull } from '../http/present.js';

/**
 * The installation's session-token signing keys (ES256), for admins: list them, and rotate. The private keys never
 * leave the server; the public ones are at /.well-known/jwks.json.
 */
export function sessionKeyRoutes(ctx: Context): FastifyPluginAsyncTypebox {
  const present = () =>
    ctx.keyring.list().map((k) => ({
      kid: k.kid,
      alg: 'ES256',
      status: k.retiredAt === null ? 'active' : 'retired',
      published: k.published,
      created_at: iso(k.createdAt),
      retired_at: isoOrNull(k.retiredAt),
    }));

  return async (app) => {
    app.get(
      '/v1/session-keys',
      { schema: { tags: ['session keys'], summary: 'List the session-token signing keys (admin key)' } },
      async (request) => {
        await requireAdmin(ctx, request);
        await ctx.keyring.refresh(0);
        return { data: present(), next_cursor: null };
      },
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
        const principal = await requireAdmin(ctx, request);
        const kid = await ctx.keyring.rotateNow((newKid) => [
          makeEvent(ctx, null, 'session_key.rotated', newKid, { kid: newKid, actor_key_id: principal.keyId }),
        ]);
        return reply.code(201).send({ kid, data: present() });
      },
    );
  };
}
