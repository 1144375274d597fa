import { Type } from 'typebox';
import { findApp } from '../apps/app-service.js';
import { readSettings } from '../apps/app-settings.js';
import { ApiError } from '../errors/api-error.js';
import { acceptForms } from '../http/forms.js';
import type { Reply, Request, RouteGroups } from '../http/routes.js';
import { pickLanguage } from '../pages/messages.js';
import {
  maskIdentifier,
  pageHeaders,
  type RenderedPage,
  renderConfirmPage,
  renderLinkProblemPage,
  renderMessagePage,
} from '../pages/render.js';
import { enforceIpRateLimit } from '../rate-limit/enforce.js';
import type { AppRow, MagicLinkRow } from '../storage/rows.js';
import type { LinkContext } from './link-store.js';
import { type LinkProblem, peekLink, recordOpened, redeemHosted } from './redemption-service.js';

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

      app.get(
        '/l/:token',
        { exposeHeadRoute: false, schema: { hide: true, params: TokenParams } },
        async (request, reply) => {
          const { link, problem } = await peekLink(ctx, request.params.token);
          const appRow = link ? await findApp(ctx, link.app_id) : undefined;
          if (problem || !link || !appRow)
            return sendPage(reply, problemPage(request, problem ?? 'link_invalid', link, appRow));
          await recordOpened(ctx, link);
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

      // HEAD answers like GET without a body and without recording an open: link checkers send HEAD first.
      app.head('/l/:token', { schema: { hide: true, params: TokenParams } }, async (request, reply) => {
        const { problem } = await peekLink(ctx, request.params.token);
        const status = problem ? (problem === 'link_invalid' ? 404 : 410) : 200;
        return reply.code(status).headers(pageHeaders('')).send();
      });

      app.post('/l/:token', { schema: { hide: true, params: TokenParams } }, async (request, reply) => {
        try {
          // Counted per address whether or not the token exists; the link only says whose rule applies.
          const peeked = await peekLink(ctx, request.params.token);
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
          return reply
            .code(303)
            .header('location', location)
            .header('referrer-policy', 'no-referrer')
            .header('cache-control', 'no-store')
            .send();
        } catch (error) {
          if (error instanceof ApiError && PROBLEMS.has(error.code)) {
            const { link } = await peekLink(ctx, request.params.token);
            const appRow = link ? await findApp(ctx, link.app_id) : undefined;
            return sendPage(reply, problemPage(request, error.code as LinkProblem, link, appRow));
          }
          if (error instanceof ApiError) {
            reply.headers(error.headers);
            return sendPage(
              reply,
              renderMessagePage({
                language: pickLanguage([], request.headers['accept-language']),
                title: error.code,
                body: error.message,
                status: error.status,
              }),
            );
          }
          throw error;
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

function sendPage(reply: Reply, page: RenderedPage): Reply {
  return reply.code(page.status).headers(pageHeaders(page.nonce)).send(page.html);
}
