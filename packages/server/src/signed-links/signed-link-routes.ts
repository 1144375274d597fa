import { Type } from 'typebox';
import { ApiError } from '../errors/api-error.js';
import type { ErrorCode } from '../errors/error-codes.js';
import { answerErrorsWithPages, ERROR_CODE_HEADER, sendError } from '../http/error-handler.js';
import { acceptForms } from '../http/forms.js';
import { redirectAway } from '../http/redirects.js';
import type { Reply, Request, RouteGroups } from '../http/routes.js';
import { Id } from '../http/schemas.js';
import { sendPage } from '../http/send-page.js';
import { pickLanguage } from '../pages/messages.js';
import {
  asErrorPage,
  maskIdentifier,
  pageHeaders,
  type RenderedPage,
  renderConfirmPage,
  renderErrorPage,
  renderLinkProblemPage,
} from '../pages/render.js';
import { enforceIpRateLimit } from '../rate-limit/enforce.js';
import {
  displayName,
  redeemSignedToken,
  refuseIfUsed,
  resolveLanding,
  type TokenLocation,
  type VerifiedToken,
  verifySignedToken,
} from './signed-link-service.js';
import type { SignedLinkContext } from './signed-link-store.js';
import { checkTokenLength } from './signed-token.js';

// The schema only mirrors the router's limit: the documented 4,096 characters are checked in the handlers, so that
// a longer token is answered the way these routes answer every other token problem (a page, or JSON when asked).
const Params = Type.Object({ token: Type.String({ maxLength: 16_384 }) });
const AppParams = Type.Object({ app_id: Id('app'), token: Type.String({ maxLength: 16_384 }) });
const Query = Type.Object({ redirect_to: Type.Optional(Type.String({ maxLength: 256 })) });

/** Which of the four link pages a token problem shows; the precise code travels in a header and in JSON answers. */
const PAGE_FOR: Partial<Record<ErrorCode, 'link_expired' | 'link_used' | 'link_revoked'>> = {
  token_expired: 'link_expired',
  token_used: 'link_used',
  token_key_revoked: 'link_revoked',
};

/** Codes about the request or the server rather than the token: the general error page, not a link page. */
const NOT_ABOUT_THE_TOKEN = new Set<ErrorCode>([
  'rate_limited',
  'invalid_json',
  'unsupported_media_type',
  'payload_too_large',
]);

/**
 * Stateless signed links (the Invoiced scheme): `{public_url}/login/{token}?redirect_to={shortcut}`, or with the
 * app in the path, `/apps/{app_id}/login/{token}`. GET shows the confirm page and never spends the token; the
 * page's button POSTs.
 */
export function signedLinkRoutes(ctx: SignedLinkContext): RouteGroups {
  return {
    public: async (app) => {
      await acceptForms(app);
      // What no handler below catches (an app id or query the schema refuses, an outage) is answered with a page too.
      answerErrorsWithPages(app, (request, reply, error) => sendPage(reply, problemPage(request, error)));

      const show = async (request: Request, reply: Reply, token: string, pathAppId?: string) => {
        const where = location(request, pathAppId);
        try {
          checkTokenLength(token);
          const verified = await verifySignedToken(ctx, token, where);
          await refuseIfUsed(ctx, verified);
          resolveLanding(verified.settings, redirectToOf(request) ?? verified.claims.redirect_to);
          const page = renderConfirmPage({
            language: pickLanguage([], acceptLanguage(request, verified)),
            appName: verified.app.name,
            maskedIdentifier: maskIdentifier(await displayName(ctx, verified)),
            formAction: request.url,
            autoSubmit: verified.settings.scanner_protection === 'auto',
            linkType: 'login',
          });
          return sendPage(reply, page);
        } catch (error) {
          return sendProblem(request, reply, error);
        }
      };

      const redeem = async (request: Request, reply: Reply, token: string, pathAppId?: string) => {
        try {
          // An oversized token is refused before it counts against the rate limit: refusing it costs nothing.
          checkTokenLength(token);
          // Before any signature check: a flood of forged tokens costs one counter each. The app in the path (else
          // the default app) says which rule applies; see docs/configuration.md#rate-limits.
          await enforceIpRateLimit(ctx, { ip: request.ip, bucket: 'public_signed_link', appId: pathAppId });
          const { location: target } = await redeemSignedToken(ctx, token, {
            ...location(request, pathAppId),
            redirectTo: redirectToOf(request),
            ip: request.ip,
            userAgent: request.headers['user-agent'],
          });
          return redirectAway(reply, target);
        } catch (error) {
          return sendProblem(request, reply, error);
        }
      };

      // HEAD answers like GET without a body and without looking anything up but the token: link checkers send it.
      const peek = async (request: Request, reply: Reply, token: string, pathAppId?: string) => {
        try {
          checkTokenLength(token);
          await refuseIfUsed(ctx, await verifySignedToken(ctx, token, location(request, pathAppId)));
          return reply.code(200).headers(pageHeaders('')).send();
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          return reply
            .code(error.status)
            .headers(pageHeaders('', { errorCode: error.code }))
            .send();
        }
      };

      const schema = { hide: true, params: Params, querystring: Query };
      app.get('/login/:token', { schema, exposeHeadRoute: false }, (request, reply) =>
        show(request, reply, request.params.token),
      );
      app.post('/login/:token', { schema }, (request, reply) => redeem(request, reply, request.params.token));
      app.head('/login/:token', { schema }, (request, reply) => peek(request, reply, request.params.token));
      const appSchema = { hide: true, params: AppParams, querystring: Query };
      app.get('/apps/:app_id/login/:token', { schema: appSchema, exposeHeadRoute: false }, (request, reply) =>
        show(request, reply, request.params.token, request.params.app_id),
      );
      app.post('/apps/:app_id/login/:token', { schema: appSchema }, (request, reply) =>
        redeem(request, reply, request.params.token, request.params.app_id),
      );
      app.head('/apps/:app_id/login/:token', { schema: appSchema }, (request, reply) =>
        peek(request, reply, request.params.token, request.params.app_id),
      );
    },
  };
}

function location(request: Request, pathAppId: string | undefined): TokenLocation {
  return { pathAppId, host: request.host };
}

function redirectToOf(request: Request): string | undefined {
  return (request.query as { redirect_to?: string }).redirect_to;
}

function acceptLanguage(request: Request, verified?: VerifiedToken): string | undefined {
  const accept = request.headers['accept-language'];
  const fallback = verified?.settings.default_language;
  if (fallback === undefined) return accept;
  return accept ? `${accept},${fallback};q=0.001` : fallback;
}

function sendProblem(request: Request, reply: Reply, error: unknown): Reply {
  if (!(error instanceof ApiError)) throw error;
  if (prefersJson(request)) return sendError(request, reply.header(ERROR_CODE_HEADER, error.code), error);
  reply.headers(error.headers);
  return sendPage(reply, problemPage(request, error));
}

/**
 * One of the four link pages for a token problem (the precise code goes in the header), or the general error page
 * for a limit, an outage or a request the route cannot read.
 */
function problemPage(request: Request, error: ApiError): RenderedPage {
  const language = pickLanguage([], acceptLanguage(request));
  if (error.status >= 500 || NOT_ABOUT_THE_TOKEN.has(error.code))
    return renderErrorPage({ language, code: error.code });
  const page = renderLinkProblemPage({ language, problem: PAGE_FOR[error.code] ?? 'link_invalid' });
  return asErrorPage(page, error.code);
}

function prefersJson(request: Request): boolean {
  const accept = request.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}
