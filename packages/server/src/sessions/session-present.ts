/** Sessions, the tokens that carry them, and the keys that sign those tokens, as the API shows them. */
import type { JWK } from 'jose';
import { type Static, Type } from 'typebox';
import { iso, isoOrNull } from '../http/present.js';
import { Id, Named, Nullable, Timestamp } from '../http/schemas.js';
import type { SessionRow } from '../storage/rows.js';
import { User } from '../users/user-present.js';
import type { KeyringEntry } from './session-keyring.js';

const EXAMPLE_SESSION_ID = 'ses_01jf3k6a2c4e6g8j0m2p4r6t8v';
const EXAMPLE_USER = {
  id: 'usr_01jf3k5w9b1d3f5h7k9m1p3r5t',
  external_id: null,
  email: 'ada@example.com',
  email_verified: true,
  phone: null,
  phone_verified: false,
  metadata: {},
  created_at: '2026-12-06T10:00:00.000Z',
  updated_at: '2026-12-06T10:00:00.000Z',
  last_login_at: '2026-12-06T10:02:00.000Z',
};

const Amr = Type.Array(
  Type.Union([Type.Literal('magic_link'), Type.Literal('signed_link'), Type.Literal('otp')]),
  { description: 'How the user proved control: a magic link, a stateless signed link, or a sign-in code.' },
);

/** A session as lists and reads show it (never its tokens). */
export const Session = Named(
  'Session',
  Type.Object(
    {
      id: Id('ses'),
      app_id: Id('app'),
      user_id: Id('usr'),
      amr: Amr,
      status: Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')]),
      created_at: Timestamp,
      expires_at: Timestamp,
      last_refreshed_at: Nullable(Timestamp),
      revoked_at: Nullable(Timestamp),
    },
    { description: 'A session' },
  ),
);

export function presentSession(session: SessionRow, now: number): Static<typeof Session> {
  return {
    id: session.id,
    app_id: session.app_id,
    user_id: session.user_id,
    amr: [session.amr],
    status: session.revoked_at !== null ? 'revoked' : session.expires_at <= now ? 'expired' : 'active',
    created_at: iso(session.created_at),
    expires_at: iso(session.expires_at),
    last_refreshed_at: isoOrNull(session.last_refreshed_at),
    revoked_at: isoOrNull(session.revoked_at),
  };
}

/** What an exchange or a refresh hands the app's backend (session-service.ts's IssuedSession). */
export const SessionTokens = Named(
  'SessionTokens',
  Type.Object(
    {
      id: Id('ses'),
      expires_at: { ...Timestamp, description: 'When the session ends; no refresh goes past it.' },
      token: Type.String({
        description:
          'The session token: an ES256 JWT (`iss`, `aud` = the app id, `sub` = the user id, `sid`, `amr`), verified with /.well-known/jwks.json.',
      }),
      token_expires_at: {
        ...Timestamp,
        description: 'When the token expires (the app’s access_token_minutes).',
      },
      refresh_token: Type.String({
        description: '`lk_rt_…`: trade it once at /v1/sessions/refresh; a second use revokes the session.',
      }),
      refresh_token_expires_at: Timestamp,
    },
    { description: 'The session’s tokens' },
  ),
);

const EXAMPLE_TOKENS = {
  id: EXAMPLE_SESSION_ID,
  expires_at: '2026-12-13T10:02:00.000Z',
  token: 'eyJhbGciOiJFUzI1NiIsImtpZCI6Ii4uLiJ9.eyJzdWIiOiJ1c3JfLi4uIn0.…',
  token_expires_at: '2026-12-06T10:17:00.000Z',
  refresh_token: 'lk_rt_AAZk3x…',
  refresh_token_expires_at: '2026-12-13T10:02:00.000Z',
};

export const ExchangeResult = Named(
  'ExchangeResult',
  Type.Object(
    {
      user: User,
      session: SessionTokens,
      redirect_url: Nullable(
        Type.String({
          description: 'Where the sign-in was headed (the link’s redirect, without `lk_code`).',
        }),
      ),
    },
    {
      description: 'The signed-in user and the new session’s tokens',
      examples: [
        {
          user: EXAMPLE_USER,
          session: EXAMPLE_TOKENS,
          redirect_url: 'https://app.example.com/auth/callback',
        },
      ],
    },
  ),
);

export const RefreshResult = Named(
  'RefreshResult',
  Type.Object(
    { user: User, session: SessionTokens },
    {
      description: 'The user and the session’s new tokens (the refresh token is replaced)',
      examples: [
        {
          user: EXAMPLE_USER,
          session: {
            ...EXAMPLE_TOKENS,
            token_expires_at: '2026-12-06T10:32:00.000Z',
            refresh_token: 'lk_rt_AAZk4q…',
          },
        },
      ],
    },
  ),
);

/** A session-token signing key as admins see it (never the private part). */
export const SessionKey = Named(
  'SessionKey',
  Type.Object(
    {
      kid: Type.String({ description: 'The key id: its JWK thumbprint, as tokens name it in their header.' }),
      alg: Type.Literal('ES256'),
      status: Type.Union([Type.Literal('active'), Type.Literal('retired')], {
        description: 'The active key signs; retired ones only verify, while published.',
      }),
      published: Type.Boolean({
        description: 'Whether the key is in the JWKS (active, or retired less than 24 hours ago).',
      }),
      created_at: Timestamp,
      retired_at: Nullable(Timestamp),
    },
    { description: 'A session-token signing key' },
  ),
);

export function presentSessionKeys(keys: readonly KeyringEntry[]): Static<typeof SessionKey>[] {
  return keys.map((key) => ({
    kid: key.kid,
    alg: 'ES256',
    status: key.retiredAt === null ? 'active' : 'retired',
    published: key.published,
    created_at: iso(key.createdAt),
    retired_at: isoOrNull(key.retiredAt),
  }));
}

/** A public key in the JWKS (RFC 7517): an EC P-256 key for ES256. */
const PublicJwk = Type.Object(
  {
    kty: Type.Literal('EC'),
    crv: Type.Literal('P-256'),
    x: Type.String(),
    y: Type.String(),
    kid: Type.String(),
    alg: Type.Literal('ES256'),
    use: Type.Literal('sig'),
  },
  { description: 'A public key of session tokens' },
);

export const Jwks = Named(
  'Jwks',
  Type.Object(
    { keys: Type.Array(PublicJwk) },
    {
      description:
        'The public keys session tokens are signed with (RFC 7517). Cache for five minutes; a token naming an unknown `kid` is a reason to fetch again.',
      examples: [
        {
          keys: [
            {
              kty: 'EC',
              crv: 'P-256',
              x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
              y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
              kid: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
              alg: 'ES256',
              use: 'sig',
            },
          ],
        },
      ],
    },
  ),
);

/**
 * The JWKS from the keyring's public keys. Each member is named one by one, so nothing but the public part can
 * reach the answer; the keyring makes ES256 (P-256) keys only.
 */
export function presentJwks(jwks: { keys: readonly JWK[] }): Static<typeof Jwks> {
  return {
    keys: jwks.keys.map((key) => ({
      kty: 'EC',
      crv: 'P-256',
      x: String(key.x),
      y: String(key.y),
      kid: String(key.kid),
      alg: 'ES256',
      use: 'sig',
    })),
  };
}
