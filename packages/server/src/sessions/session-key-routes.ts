import { Type } from 'typebox';
import { principalOf } from '../http/auth.js';
import type { RouteGroups } from '../http/routes.js';
import type { SessionContext } from './session-context.js';
import { listSessionKeys, rotateSessionKeys } from './session-key-service.js';
import { presentSessionKeys, SessionKey } from './session-present.js';

/** Every key of the installation: a handful, so one page with no cursor. */
const SessionKeyList = Type.Object(
  {
    data: Type.Array(SessionKey),
    next_cursor: Type.Null({ description: 'Always null: every key is on this page.' }),
  },
  { description: 'Every session-token signing key, newest first' },
);

const Rotated = Type.Object(
  {
    kid: Type.String({ description: 'The new key, which signs from now on.' }),
    data: Type.Array(SessionKey, { description: 'Every key after the rotation, newest first.' }),
  },
  { description: 'The new signing key, and every key after the rotation' },
);

/**
 * The installation's session-token signing keys (ES256), for admins: list them, and rotate. The private keys never
 * leave the server; the public ones are at /.well-known/jwks.json.
 */
export function sessionKeyRoutes(ctx: SessionContext): RouteGroups {
  return {
    admin: async (app) => {
      app.get(
        '/v1/session-keys',
        {
          schema: {
            operationId: 'listSessionKeys',
            tags: ['session keys'],
            summary: 'List the session-token signing keys (admin key)',
            response: { 200: SessionKeyList },
          },
        },
        async () => ({ data: presentSessionKeys(await listSessionKeys(ctx)), next_cursor: null }),
      );

      app.post(
        '/v1/session-keys/rotate',
        {
          schema: {
            operationId: 'rotateSessionKeys',
            tags: ['session keys'],
            summary: 'Rotate the session-token signing key (admin key)',
            description:
              'A new key signs from now on; the previous keys are retired and stay in the JWKS for 24 hours, so tokens they signed keep verifying until they expire.',
            response: { 201: Rotated },
          },
        },
        async (request, reply) => {
          const kid = await rotateSessionKeys(ctx, principalOf(request));
          return reply.code(201).send({ kid, data: presentSessionKeys(ctx.keyring.list()) });
        },
      );
    },
  };
}
