import { Type } from 'typebox';
import { actingApp } from '../http/auth.js';
import type { RouteGroups } from '../http/routes.js';
import { Id } from '../http/schemas.js';
import { enforceIpRateLimit } from '../rate-limit/enforce.js';
import { presentUser } from '../users/user-present.js';
import type { LinkContext } from './link-store.js';
import { redeemEmbedded } from './redemption-service.js';

const RedeemBody = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 512 }),
    code_verifier: Type.Optional(Type.String({ maxLength: 128 })),
    ip: Type.Optional(Type.String({ maxLength: 64 })),
    user_agent: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false },
);

/** Redemption on the app's own page: its backend hands over the token it received as `lk_token`. */
export function embeddedRoutes(ctx: LinkContext): RouteGroups {
  return {
    apiKey: async (app) => {
      app.post(
        '/v1/magic-links/redeem',
        {
          schema: {
            tags: ['redemption'],
            summary: 'Redeem a link on your own page (API key)',
            body: RedeemBody,
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
          return {
            user: presentUser(result.user),
            session: result.session,
            redirect_url: result.link.redirect_url,
          };
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
            tags: ['redemption'],
            summary: 'Passage-compatible activation',
            params: Type.Object({ app_id: Id('app') }),
            body: Type.Object({
              magic_link: Type.String({ minLength: 1, maxLength: 512 }),
              code_verifier: Type.Optional(Type.String({ maxLength: 128 })),
            }),
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
          return {
            auth_result: {
              auth_token: result.session.token,
              redirect_url: result.link.redirect_url ?? '/',
              refresh_token: result.session.refresh_token,
              refresh_token_expiration: Math.floor(
                Date.parse(result.session.refresh_token_expires_at) / 1000,
              ),
            },
          };
        },
      );
    },
  };
}
