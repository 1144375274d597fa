import { type Static, Type } from 'typebox';
import { actingApp } from '../http/auth.js';
import { errorResponses } from '../http/openapi.js';
import type { RouteGroups } from '../http/routes.js';
import { Id, Named, Nullable, Timestamp } from '../http/schemas.js';
import { enforceIpRateLimit } from '../rate-limit/enforce.js';
import { presentUser, User } from '../users/user-present.js';
import type { LinkContext } from './link-store.js';
import { redeemEmbedded } from './redemption-service.js';

const RedeemBody = Type.Object(
  {
    token: Type.String({
      minLength: 1,
      maxLength: 512,
      description: 'The link’s secret: the `lk_token` your page received (or the create answer’s `secret`).',
    }),
    code_verifier: Type.Optional(
      Type.String({
        maxLength: 128,
        description: 'The PKCE verifier, for a link made with a `code_challenge`.',
      }),
    ),
    ip: Type.Optional(
      Type.String({ maxLength: 64, description: 'The person’s IP address, for the session.' }),
    ),
    user_agent: Type.Optional(
      Type.String({ maxLength: 1024, description: 'The person’s browser, for the session.' }),
    ),
  },
  {
    additionalProperties: false,
    examples: [
      {
        token: 'AZPk3c47FX_br3KmoY5920vSKjV17JoI88Xml4lcOCNO67TnI',
        ip: '203.0.113.7',
        user_agent: 'Mozilla/5.0 (Macintosh; …)',
      },
    ],
  },
);

/**
 * A session as a sign-in hands it over: the session token (an ES256 JWT to verify with /.well-known/jwks.json) and
 * the refresh token. The same shape as a code exchange's `session`.
 */
export const IssuedSessionSchema = Named(
  'IssuedSession',
  Type.Object({
    id: Id('ses'),
    expires_at: { ...Timestamp, description: 'When the session ends, however often it is refreshed.' },
    token: Type.String({ description: 'The session token: an ES256 JWT.' }),
    token_expires_at: Timestamp,
    refresh_token: Type.String({ description: '`lk_rt_…`; each refresh answers a new one.' }),
    refresh_token_expires_at: Timestamp,
  }),
);

const Redeemed = Type.Object(
  {
    user: User,
    session: IssuedSessionSchema,
    redirect_url: Nullable(Type.String({ description: 'The link’s redirect, if it has one.' })),
  },
  {
    description: 'The person is signed in: their user, a new session, and where the link was to send them',
    examples: [
      {
        user: {
          id: 'usr_01jeq9v3kw5p7r9t1v3x5z7b9d',
          external_id: null,
          email: 'ada@example.com',
          email_verified: true,
          phone: null,
          phone_verified: false,
          metadata: {},
          created_at: '2026-12-06T10:00:00.000Z',
          updated_at: '2026-12-06T10:02:10.000Z',
          last_login_at: '2026-12-06T10:02:10.000Z',
        },
        session: {
          id: 'ses_01jeqa0c7m3n5p7q9r1s3t5v7x',
          expires_at: '2027-01-05T10:02:10.000Z',
          token: 'eyJhbGciOiJFUzI1NiIsImtpZCI6…',
          token_expires_at: '2026-12-06T10:17:10.000Z',
          refresh_token: 'lk_rt_Zp4…',
          refresh_token_expires_at: '2027-01-05T10:02:10.000Z',
        },
        redirect_url: 'https://app.example.com/welcome',
      },
    ],
  },
);

/** Passage's answer to an activation: the tokens under `auth_result`. */
const PassageActivated = Type.Object(
  {
    auth_result: Type.Object({
      auth_token: Type.String({ description: 'The session token: an ES256 JWT.' }),
      redirect_url: Type.String({ description: 'The link’s redirect, or `/` when it has none.' }),
      refresh_token: Type.String(),
      refresh_token_expiration: Type.Integer({
        description: 'When the refresh token expires, in Unix seconds.',
      }),
    }),
  },
  { description: 'Signed in, as Passage answers an activation' },
);

/** The statuses a redemption refuses a token with: 404 `link_invalid`, 410 used, revoked or expired. */
const REDEEM_ERRORS = errorResponses(404, 410);

/** Redemption on the app's own page: its backend hands over the token it received as `lk_token`. */
export function embeddedRoutes(ctx: LinkContext): RouteGroups {
  return {
    apiKey: async (app) => {
      app.post(
        '/v1/magic-links/redeem',
        {
          schema: {
            operationId: 'redeemMagicLink',
            tags: ['redemption'],
            summary: 'Redeem a link on your own page (API key)',
            description:
              'Spends the link once and starts a session for its user. A wrong or missing `code_verifier` (400 `pkce_required`, `pkce_mismatch`) leaves the link redeemable.',
            body: RedeemBody,
            response: { 200: Redeemed, ...REDEEM_ERRORS },
          },
        },
        async (request) => {
          const appId = actingApp(request);
          const { token, code_verifier, ip, user_agent } = request.body;
          const result = await redeemEmbedded(ctx, token, {
            appId,
            codeVerifier: code_verifier,
            ip,
            userAgent: user_agent,
          });
          const answer: Static<typeof Redeemed> = {
            user: presentUser(result.user),
            session: result.session,
            redirect_url: result.link.redirect_url,
          };
          return answer;
        },
      );
    },

    public: async (app) => {
      // Passage's activate call, for teams moving off Passage: like Passage it needs no API key (the token is the
      // proof), but only redeems links of the app named in the path.
      app.patch(
        '/v1/apps/:app_id/magic-link/activate',
        {
          schema: {
            operationId: 'activateMagicLink',
            tags: ['redemption'],
            summary: 'Passage-compatible activation',
            description:
              'Passage’s `PATCH /v1/apps/{app_id}/magic-link/activate`: no key (the token is the proof), limited per IP address, and only for links of the app in the path (any other is 404 `link_invalid`).',
            params: Type.Object({ app_id: Id('app') }),
            body: Type.Object(
              {
                magic_link: Type.String({ minLength: 1, maxLength: 512, description: 'The link’s secret.' }),
                code_verifier: Type.Optional(Type.String({ maxLength: 128 })),
              },
              { examples: [{ magic_link: 'AZPk3c47FX_br3KmoY5920vSKjV17JoI88Xml4lcOCNO67TnI' }] },
            ),
            response: { 200: PassageActivated, ...REDEEM_ERRORS, ...errorResponses(429) },
          },
        },
        async (request) => {
          await enforceIpRateLimit(ctx, {
            ip: request.ip,
            bucket: 'public_passage_activate',
            appId: request.params.app_id,
          });
          const result = await redeemEmbedded(ctx, request.body.magic_link, {
            appId: request.params.app_id,
            codeVerifier: request.body.code_verifier,
            ip: request.ip,
            userAgent: request.headers['user-agent'],
          });
          const answer: Static<typeof PassageActivated> = {
            auth_result: {
              auth_token: result.session.token,
              redirect_url: result.link.redirect_url ?? '/',
              refresh_token: result.session.refresh_token,
              refresh_token_expiration: Math.floor(
                Date.parse(result.session.refresh_token_expires_at) / 1000,
              ),
            },
          };
          return answer;
        },
      );
    },
  };
}
