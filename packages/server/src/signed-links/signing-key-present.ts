/** An app's signing keys for stateless links, as the API shows them: a hint of the secret, never the secret. */
import { type Static, Type } from 'typebox';
import { iso, isoOrNull } from '../http/present.js';
import { Id, Named, Nullable, Timestamp } from '../http/schemas.js';
import type { SigningKeyRow } from '../storage/rows.js';

export const SigningKey = Named(
  'SigningKey',
  Type.Object(
    {
      kid: Id('sk'),
      app_id: Id('app'),
      label: Type.String({ description: 'Where the key is used, for people.' }),
      algorithm: Type.Literal('HS256'),
      secret_hint: Type.String({
        description: 'The first characters of the secret, enough to recognise it.',
      }),
      status: Type.Union([Type.Literal('active'), Type.Literal('revoked')], {
        description: 'Links signed with a revoked key stop working at once.',
      }),
      created_at: Timestamp,
      last_used_at: Nullable(Timestamp),
      revoked_at: Nullable(Timestamp),
    },
    { description: 'A signing key (never its secret)' },
  ),
);

/** A new signing key: the only answer that holds the secret. */
export const CreatedSigningKey = Named(
  'CreatedSigningKey',
  Type.Object(
    {
      ...SigningKey.properties,
      secret: Type.String({
        description: 'The HMAC secret (`lk_hs_…`) to sign HS256 tokens with; shown in this answer only.',
      }),
    },
    {
      description: 'The new signing key, with its secret (shown once)',
      examples: [
        {
          kid: 'sk_01jf3k7b3d5f7h9k1m3p5r7t9w',
          app_id: 'app_01jf3k5q8n2m4r6t8v0w2y4a6c',
          label: 'billing backend',
          algorithm: 'HS256',
          secret_hint: 'lk_hs_P2vN…',
          status: 'active',
          created_at: '2026-12-06T10:00:00.000Z',
          last_used_at: null,
          revoked_at: null,
          secret: 'lk_hs_P2vNw7…',
        },
      ],
    },
  ),
);

export function presentSigningKey(row: SigningKeyRow): Static<typeof SigningKey> {
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
