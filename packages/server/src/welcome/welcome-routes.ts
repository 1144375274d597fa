import { Type } from 'typebox';
import { ApiError } from '../errors/api-error.js';
import type { RouteGroups } from '../http/routes.js';
import { sendPage } from '../http/send-page.js';
import { type RenderedPage, renderMessagePage } from '../pages/render.js';
import { renderWelcomePage } from '../pages/welcome-page.js';
import type { SessionContext } from '../sessions/session-context.js';
import { completeWelcome, welcomeApp } from './welcome-service.js';

// Any text: an unknown app gets the same plain page as one that does not send its sign-ins here.
const WelcomeParams = Type.Object({ app_id: Type.String({ maxLength: 64 }) });
const WelcomeQuery = Type.Object({
  lk_code: Type.Optional(
    Type.String({
      maxLength: 256,
      description: 'The exchange code the sign-in ended with (lives 60 seconds).',
    }),
  ),
});

const Html = Type.String({ description: 'An HTML page (`Cache-Control: no-store`).' });

/**
 * An answer of the page: HTML for a browser. A malformed parameter, a storage outage or a bug is answered by the
 * server's error handler instead, with the JSON error body, so an error status documents both.
 */
const page = (description: string, withError = true) => ({
  description,
  content: {
    'text/html': { schema: Html },
    ...(withError ? { 'application/json': { schema: { $ref: 'Error#' } } } : {}),
  },
});

const WelcomeResponses = {
  200: page(
    'The signed-in page (what a backend receives: the user and the session token’s claims), or without `lk_code` a page saying how to sign in',
    false,
  ),
  400: page(
    'A page saying the code was used, expired or needs PKCE (`Latchkey-Error-Code`: `code_invalid`, `pkce_required`); a malformed parameter gets the JSON error',
  ),
  404: page('A page saying the app does not send its sign-ins here (`Latchkey-Error-Code: not_found`)'),
};

export function welcomeRoutes(ctx: SessionContext): RouteGroups {
  return {
    public: async (app) => {
      app.get(
        '/welcome/:app_id',
        {
          schema: {
            operationId: 'getWelcomePage',
            tags: ['pages'],
            summary:
              "A new installation's signed-in page: exchanges the lk_code and shows what a backend receives",
            description:
              'Only for an app whose `allowed_redirects` sends sign-ins here (a new installation’s default app); any other app gets the 404 page, and its codes are never spent.',
            params: WelcomeParams,
            querystring: WelcomeQuery,
            response: WelcomeResponses,
          },
        },
        async (request, reply) => {
          const { app_id: appId } = request.params;
          const code = request.query.lk_code;
          try {
            if (!code) {
              await welcomeApp(ctx, appId);
              return sendPage(reply, tryItPage(appId));
            }
            const welcome = await completeWelcome(ctx, appId, code);
            return sendPage(reply, renderWelcomePage({ ...welcome, publicUrl: ctx.config.publicUrl }));
          } catch (error) {
            if (!(error instanceof ApiError)) throw error;
            return sendPage(reply, problemPage(appId, error));
          }
        },
      );
    },
  };
}

function tryItPage(appId: string): RenderedPage {
  return renderMessagePage({
    language: 'en',
    title: 'Where people land after signing in',
    body: `This app sends people here after they sign in, until its operator sets a redirect of their own. Sign in at /login?app=${appId} to see what the app's backend would receive.`,
    status: 200,
  });
}

function problemPage(appId: string, error: ApiError): RenderedPage {
  if (error.code === 'not_found')
    return renderMessagePage({
      language: 'en',
      title: 'Nothing to show here',
      body: 'This address is not in use: the app it names does not send its sign-ins to this page.',
      status: 404,
      code: 'not_found',
    });
  if (error.code === 'code_invalid')
    return renderMessagePage({
      language: 'en',
      title: 'This sign-in has already finished',
      body: `Its one-time code was used or is older than 60 seconds (reloading this page shows this). Sign in again at /login?app=${appId}.`,
      status: 400,
      code: 'code_invalid',
    });
  return renderMessagePage({
    language: 'en',
    title: 'This sign-in cannot be shown here',
    body: `${error.message} An app that signs in with PKCE exchanges its code in its own backend.`,
    status: error.status,
    code: error.code,
  });
}
