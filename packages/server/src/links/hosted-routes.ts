import { Type } from 'typebox';
import { findApp } from '../apps/app-service.js';
import { readSettings } from '../apps/app-settings.js';
import { ApiError } from '../errors/api-error.js';
import { errorCodes } from '../errors/error-codes.js';
import { answerErrorsWithPages } from '../http/error-handler.js';
import { acceptForms } from '../http/forms.js';
import { redirectAway } from '../http/redirects.js';
import type { Request, RouteGroups } from '../http/routes.js';
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
import type { AppRow, MagicLinkRow } from '../storage/rows.js';
import type { LinkContext } from './link-store.js';
import {
  type LinkProblem,
  peekLink,
  peekLinkToRedeem,
  recordOpened,
  recordVisit,
  redeemHosted,
} from './redemption-service.js';

const TokenParams = Type.Object({ token: Type.String({ maxLength: 512 }) });
const PROBLEMS = new Set<string>(['link_expired', 'link_used', 'link_revoked', 'link_invalid']);

/**
 * The pages a person reaches from a link. GET and HEAD only ever read: scanners and previews fetch links before
 * people do, so the link is spent only by the POST that the page's button (or, in `auto` mode, its script) sends.
 */
export function hostedRoutes(ctx: LinkContext): RouteGroups {
  return {
    public: async (app) => {
      // Only these pages take form posts (the confirm button); every API route reads JSON alone.
      await acceptForms(app);
      // What no handler below catches (the schema refusing a token, a body the page does not read, an outage) is
      // answered with a page too.
      answerErrorsWithPages(app, (request, reply, error) => sendPage(reply, errorPage(request, error)));

      app.get(
        '/l/:token',
        { exposeHeadRoute: false, schema: { hide: true, params: TokenParams } },
        async (request, reply) => {
          const { link, problem } = await peekLink(ctx, request.params.token);
          const appRow = link ? await findApp(ctx, link.app_id) : undefined;
          const userAgent = request.headers['user-agent'];
          if (problem || !link || !appRow) {
            await recordVisit(ctx, link, 'GET', userAgent);
            return sendPage(reply, problemPage(request, problem ?? 'link_invalid', link, appRow));
          }
          await recordOpened(ctx, link, userAgent);
          const settings = readSettings(appRow.settings);
          const page = renderConfirmPage({
            language: languageFor(request, link, appRow),
            appName: appRow.name,
            maskedIdentifier: maskIdentifier(link.identifier),
            formAction: `/l/${request.params.token}`,
            autoSubmit: settings.scanner_protection === 'auto',
            linkType: link.type,
          });
          return sendPage(reply, page);
        },
      );

      // HEAD answers like GET without a body and without recording an open: link checkers send HEAD first. It is
      // recorded as a visit (by a likely scanner), which is how an operator sees the checker.
      app.head('/l/:token', { schema: { hide: true, params: TokenParams } }, async (request, reply) => {
        const { link, problem } = await peekLink(ctx, request.params.token);
        await recordVisit(ctx, link, 'HEAD', request.headers['user-agent']);
        if (!problem) return reply.code(200).headers(pageHeaders('')).send();
        return reply
          .code(errorCodes[problem].status)
          .headers(pageHeaders('', { errorCode: problem }))
          .send();
      });

      app.post('/l/:token', { schema: { hide: true, params: TokenParams } }, async (request, reply) => {
        try {
          // Counted per address whether or not the token exists; the link only says whose rule applies.
          const peeked = await peekLinkToRedeem(ctx, request.params.token);
          await enforceIpRateLimit(ctx, {
            ip: request.ip,
            bucket: 'public_hosted_link',
            appId: peeked.link?.app_id,
          });
          const { location } = await redeemHosted(ctx, request.params.token, {
            ip: request.ip,
            userAgent: request.headers['user-agent'],
            peeked,
          });
          return redirectAway(reply, location);
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          if (PROBLEMS.has(error.code)) {
            const { link } = await peekLink(ctx, request.params.token);
            const appRow = link ? await findApp(ctx, link.app_id) : undefined;
            return sendPage(reply, problemPage(request, error.code as LinkProblem, link, appRow));
          }
          // Rate limits: a page in the person's language, with Retry-After.
          reply.headers(error.headers);
          return sendPage(reply, errorPage(request, error));
        }
      });
    },
  };
}

function problemPage(
  request: Request,
  problem: LinkProblem,
  link: MagicLinkRow | undefined,
  appRow: AppRow | undefined,
): RenderedPage {
  const language =
    link && appRow
      ? languageFor(request, link, appRow)
      : pickLanguage([], request.headers['accept-language']);
  const settings = appRow ? readSettings(appRow.settings) : undefined;
  return renderLinkProblemPage({
    language,
    problem,
    ...(appRow ? { appName: appRow.name } : {}),
    ...(settings?.site_url ? { appUrl: settings.site_url } : {}),
  });
}

/** The link's own language, else the browser's, else the app's default. */
function languageFor(request: Request, link: MagicLinkRow, appRow: AppRow) {
  const settings = readSettings(appRow.settings);
  const accept = request.headers['accept-language'];
  return pickLanguage(
    [link.language],
    accept ? `${accept},${settings.default_language};q=0.001` : settings.default_language,
  );
}

/**
 * The page for an error found without the link at hand: one of the four link problems, a token or query the route
 * refuses (shown as a link that does not work, since that is what it is to the person), or anything else.
 */
function errorPage(request: Request, error: ApiError): RenderedPage {
  if (PROBLEMS.has(error.code)) return problemPage(request, error.code as LinkProblem, undefined, undefined);
  const language = pickLanguage([], request.headers['accept-language']);
  if (error.code === 'validation_failed')
    return asErrorPage(renderLinkProblemPage({ language, problem: 'link_invalid' }), error.code);
  return renderErrorPage({ language, code: error.code });
}
