import { Type } from 'typebox';
import { appIdForHost } from '../apps/app-hosts.js';
import { findApp } from '../apps/app-service.js';
import { readSettings } from '../apps/app-settings.js';
import { checkRedirect } from '../apps/redirect-policy.js';
import { ApiError } from '../errors/api-error.js';
import { type ErrorCode, errorCodes } from '../errors/error-codes.js';
import { answerErrorsWithPages } from '../http/error-handler.js';
import { acceptForms } from '../http/forms.js';
import { redirectAway } from '../http/redirects.js';
import type { Reply, Request, RouteGroups } from '../http/routes.js';
import { sendPage as sendAnyPage } from '../http/send-page.js';
import type { Language } from '../pages/languages.js';
import { type LoginMessages, loginMessages } from '../pages/login-messages.js';
import {
  renderApprovePage,
  renderCheckPage,
  renderDecisionPage,
  renderFlowEndPage,
  renderLoginForm,
} from '../pages/login-pages.js';
import { pickLanguage } from '../pages/messages.js';
import {
  asErrorPage,
  maskIdentifier,
  pageHeaders,
  type RenderedPage,
  renderConfirmPage,
  renderErrorPage,
  renderLinkProblemPage,
  renderMessagePage,
} from '../pages/render.js';
import type { AppRow, LoginFlowRow } from '../storage/rows.js';
import { readBrowserSecret, setBrowserCookie } from './browser-cookie.js';
import { describeDevice } from './device.js';
import {
  completeApproved,
  decideWithLink,
  type FlowLinkProblem,
  finishWithLink,
  isStartingBrowser,
  loginStatus,
  peekFlowLink,
  startLogin,
  verifyCode,
} from './login-flow-service.js';
import type { LoginContext } from './login-flow-store.js';
import { requestInfo } from './login-routes.js';

const AppQuery = Type.Object({
  app: Type.Optional(Type.String({ maxLength: 64 })),
  redirect_to: Type.Optional(Type.String({ maxLength: 2048 })),
  channel: Type.Optional(Type.Union([Type.Literal('email'), Type.Literal('phone')])),
});
const StartForm = Type.Object({
  app: Type.String({ maxLength: 64 }),
  channel: Type.Optional(Type.Union([Type.Literal('email'), Type.Literal('phone')])),
  redirect_to: Type.Optional(Type.String({ maxLength: 2048 })),
  email: Type.Optional(Type.String({ maxLength: 320 })),
  phone: Type.Optional(Type.String({ maxLength: 64 })),
});
const CodeForm = Type.Object({ app: Type.String({ maxLength: 64 }), code: Type.String({ maxLength: 64 }) });
const AppForm = Type.Object({ app: Type.String({ maxLength: 64 }) });
const TokenParams = Type.Object({ token: Type.String({ maxLength: 512 }) });

/**
 * The hosted login page (SPEC 3.6): a form, a "check your messages" page with the code form, and the page the link
 * in the message opens. Plain HTML forms throughout, so the basic path needs no JavaScript; every POST must come
 * from a page of this origin.
 */
export function loginPageRoutes(ctx: LoginContext): RouteGroups {
  return {
    public: async (app) => {
      await acceptForms(app);
      // What no handler below catches (a form or query the schema refuses, a form from another site, an outage) is
      // answered with a page too.
      answerErrorsWithPages(app, (request, reply, error) => sendPage(reply, errorPage(request, error)));
      app.addHook('preHandler', async (request) => {
        // The link's own page posts with `Origin: null` (it is no-referrer, its URL holds the token) and needs the
        // token anyway; the forms that start or finish a flow must come from this site.
        if (request.method === 'POST' && !request.url.startsWith('/login/link/') && !fromOwnPage(request))
          throw new ApiError('forbidden', 'Sign-in forms are only accepted from this site’s own pages.');
      });

      app.get('/login', { schema: { hide: true, querystring: AppQuery } }, async (request, reply) => {
        const appRow = await pageApp(ctx, request, request.query.app);
        if (!appRow) return sendPage(reply, unknownAppPage(request));
        return sendPage(
          reply,
          renderLoginForm({
            language: languageOf(request, appRow),
            appId: appRow.id,
            appName: appRow.name,
            channel: request.query.channel ?? 'email',
            redirectTo: request.query.redirect_to,
          }),
        );
      });

      app.post('/login', { schema: { hide: true, body: StartForm } }, async (request, reply) => {
        const body = request.body;
        const appRow = await pageApp(ctx, request, body.app);
        if (!appRow) return sendPage(reply, unknownAppPage(request));
        const language = languageOf(request, appRow);
        const channel = body.channel ?? (body.phone !== undefined ? 'phone' : 'email');
        const value = (channel === 'email' ? body.email : body.phone) ?? '';
        const form = (error: keyof LoginMessages, status: number) =>
          renderLoginForm({
            language,
            appId: appRow.id,
            appName: appRow.name,
            channel,
            redirectTo: body.redirect_to,
            value,
            error,
            status,
          });
        try {
          const started = await startLogin(
            ctx,
            {
              appId: appRow.id,
              [channel]: value.trim(),
              ...redirectOf(appRow, body.redirect_to),
              language,
              browserSecret: readBrowserSecret(request),
            },
            requestInfo(request),
          );
          setBrowserCookie(request, reply, started.browserSecret);
          return reply
            .code(303)
            .header('location', `/login/check?app=${encodeURIComponent(appRow.id)}`)
            .send();
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          const badIdentifier =
            error.code === 'invalid_email' ||
            error.code === 'invalid_phone' ||
            (error.code === 'validation_failed' && (error.param === 'email' || error.param === 'phone'));
          if (badIdentifier) return sendPage(reply, asErrorPage(form('errorIdentifier', 400), error.code));
          if (error.code === 'rate_limited')
            return sendPage(
              reply.headers(error.headers),
              asErrorPage(form('errorRateLimited', 429), error.code),
            );
          return sendPage(reply.headers(error.headers), configurationPage(language, error));
        }
      });

      app.get('/login/check', { schema: { hide: true, querystring: AppQuery } }, async (request, reply) => {
        const appRow = await pageApp(ctx, request, request.query.app);
        if (!appRow) return sendPage(reply, unknownAppPage(request));
        return showCheck(ctx, request, reply, appRow);
      });

      app.post('/login/code', { schema: { hide: true, body: CodeForm } }, async (request, reply) => {
        const appRow = await pageApp(ctx, request, request.body.app);
        if (!appRow) return sendPage(reply, unknownAppPage(request));
        const { flow } = await loginStatus(ctx, appRow.id, readBrowserSecret(request));
        if (!flow) return redirectToForm(reply, appRow);
        try {
          const done = await verifyCode(
            ctx,
            {
              appId: appRow.id,
              identifier: flow.identifier,
              code: request.body.code,
              browserSecret: readBrowserSecret(request),
            },
            requestInfo(request),
          );
          return redirectAway(reply, done.redirect_url);
        } catch (error) {
          return showCheck(ctx, request, reply, appRow, pageError(error, reply));
        }
      });

      app.post('/login/finish', { schema: { hide: true, body: AppForm } }, async (request, reply) => {
        const appRow = await pageApp(ctx, request, request.body.app);
        if (!appRow) return sendPage(reply, unknownAppPage(request));
        try {
          const done = await completeApproved(
            ctx,
            appRow.id,
            readBrowserSecret(request),
            requestInfo(request),
          );
          return redirectAway(reply, done.redirect_url);
        } catch (error) {
          return showCheck(ctx, request, reply, appRow, pageError(error, reply));
        }
      });

      const linkSchema = { hide: true, params: TokenParams };
      app.get(
        '/login/link/:token',
        { schema: linkSchema, exposeHeadRoute: false },
        async (request, reply) => {
          const { flow, problem } = await peekFlowLink(ctx, request.params.token);
          const appRow = flow ? await findApp(ctx, flow.app_id) : undefined;
          if (problem || !flow || !appRow) return sendPage(reply, linkProblemPage(request, problem, appRow));
          return sendPage(reply, linkPage(ctx, request, flow, appRow));
        },
      );

      // HEAD answers like GET without a body: link checkers send HEAD first, and it must never spend anything.
      app.head('/login/link/:token', { schema: linkSchema }, async (request, reply) => {
        const { problem } = await peekFlowLink(ctx, request.params.token);
        if (!problem) return reply.code(200).headers(pageHeaders('')).send();
        return reply
          .code(errorCodes[problem].status)
          .headers(pageHeaders('', { errorCode: problem }))
          .send();
      });

      app.post(
        '/login/link/:token',
        // No body schema: the confirm button of the starting browser posts an empty form.
        { schema: { hide: true, params: TokenParams } },
        async (request, reply) => {
          const { flow, problem } = await peekFlowLink(ctx, request.params.token);
          const appRow = flow ? await findApp(ctx, flow.app_id) : undefined;
          if (problem || !flow || !appRow) return sendPage(reply, linkProblemPage(request, problem, appRow));
          const language = languageOf(request, appRow, flow);
          try {
            if (isStartingBrowser(flow, readBrowserSecret(request))) {
              const done = await finishWithLink(ctx, flow, requestInfo(request));
              if (typeof done === 'string') return sendPage(reply, linkProblemPage(request, done, appRow));
              return redirectAway(reply, done.redirect_url);
            }
            const decision = decisionOf(request.body);
            // Neither button: the page again, as the answer to a form it cannot use.
            if (decision === undefined)
              return sendPage(reply, asErrorPage(linkPage(ctx, request, flow, appRow), 'validation_failed'));
            const outcome = decision === 'approve' ? 'approved' : 'denied';
            const failed = await decideWithLink(ctx, flow, outcome, requestInfo(request));
            if (failed) return sendPage(reply, linkProblemPage(request, failed, appRow));
            return sendPage(reply, renderDecisionPage(language, outcome));
          } catch (error) {
            const { message, status, code } = pageError(error, reply);
            return sendPage(
              reply,
              renderMessagePage({
                language,
                title: loginMessages[language][message],
                body: '',
                status,
                code,
              }),
            );
          }
        },
      );
    },
  };
}

/** The same browser gets the usual confirm button; any other gets the approval question. */
function linkPage(ctx: LoginContext, request: Request, flow: LoginFlowRow, appRow: AppRow): RenderedPage {
  const language = languageOf(request, appRow, flow);
  const formAction = `/login/link/${(request.params as { token: string }).token}`;
  if (isStartingBrowser(flow, readBrowserSecret(request))) {
    return renderConfirmPage({
      language,
      appName: appRow.name,
      maskedIdentifier: maskIdentifier(flow.identifier),
      formAction,
      autoSubmit: readSettings(appRow.settings).scanner_protection === 'auto',
      linkType: 'login',
    });
  }
  return renderApprovePage({
    language,
    appName: appRow.name,
    maskedIdentifier: maskIdentifier(flow.identifier),
    device: describeDevice(flow.requested_user_agent),
    requestedAt: flow.created_at,
    now: ctx.clock(),
    formAction,
  });
}

async function showCheck(
  ctx: LoginContext,
  request: Request,
  reply: Reply,
  appRow: AppRow,
  error?: PageError,
): Promise<Reply> {
  const { status, flow } = await loginStatus(ctx, appRow.id, readBrowserSecret(request));
  if (!flow) return redirectToForm(reply, appRow);
  const language = languageOf(request, appRow, flow);
  const ended = { completed: 'doneElsewhere', denied: 'deniedBody', expired: 'errorExpired' } as const;
  if (status === 'completed' || status === 'denied' || status === 'expired') {
    return sendPage(
      reply,
      renderFlowEndPage({ language, appId: appRow.id, appName: appRow.name, message: ended[status] }),
    );
  }
  const page = renderCheckPage({
    language,
    appId: appRow.id,
    appName: appRow.name,
    channel: flow.identifier_kind,
    maskedIdentifier: maskIdentifier(flow.identifier),
    error: error?.message,
    status: error?.status ?? 200,
  });
  return sendPage(reply, error ? asErrorPage(page, error.code) : page);
}

interface PageError {
  message: keyof LoginMessages;
  status: number;
  code: ErrorCode;
}

/** The page's wording for an error of the code or finish forms; anything unexpected is rethrown. */
function pageError(error: unknown, reply: Reply): PageError {
  if (!(error instanceof ApiError)) throw error;
  reply.headers(error.headers);
  const messages: Partial<Record<string, keyof LoginMessages>> = {
    code_invalid: 'errorCodeInvalid',
    code_exhausted: 'errorCodeExhausted',
    rate_limited: 'errorRateLimited',
    login_not_approved: 'errorNotApproved',
    rate_limit_unavailable: 'errorGeneric',
    validation_failed: 'errorCodeInvalid',
    invalid_email: 'errorCodeInvalid',
    invalid_phone: 'errorCodeInvalid',
  };
  return { message: messages[error.code] ?? 'errorGeneric', status: error.status, code: error.code };
}

/**
 * The app of a page: `?app=`, else the app whose own domain this is, else the default app. An unknown or
 * malformed id is no app at all (never another app's page).
 */
async function pageApp(
  ctx: LoginContext,
  request: Request,
  appId: string | undefined,
): Promise<AppRow | undefined> {
  const id = appId !== undefined && appId !== '' ? appId : await appIdForHost(ctx, request.host);
  if (id === undefined || !/^app_[0-9a-z]{26}$/.test(id)) return undefined;
  return findApp(ctx, id);
}

/**
 * `?redirect_to=` of the page: a page shortcut of the app, or a full URL on its allowlist; anything else is
 * ignored in favour of the app's default, so a tampered login URL lands people on the app's home, not an error.
 */
function redirectOf(appRow: AppRow, redirectTo: string | undefined) {
  if (redirectTo === undefined || redirectTo === '') return {};
  const settings = readSettings(appRow.settings);
  if (Object.hasOwn(settings.page_shortcuts, redirectTo)) return { redirectTo };
  if (URL.canParse(redirectTo) && checkRedirect(redirectTo, settings.allowed_redirects).ok)
    return { redirectUrl: redirectTo };
  return {};
}

/**
 * Form posts must come from this origin's pages: `Sec-Fetch-Site` and `Origin` (sent by every current browser on a
 * POST; the form pages use `Referrer-Policy: same-origin` so that it is not `null`) say where the form was. This stops another site from starting a sign-in in a visitor's browser, which
 * would otherwise let it sign the visitor into an account of its choosing (login CSRF).
 */
function fromOwnPage(request: Request): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (origin === 'null' || !URL.canParse(origin)) return false;
  return new URL(origin).host === request.host;
}

/** The flow's own language when there is one, else the browser's, else the app's default. */
function languageOf(request: Request, appRow: AppRow, flow?: LoginFlowRow): Language {
  const fallback = readSettings(appRow.settings).default_language;
  const accept = request.headers['accept-language'];
  return pickLanguage([flow?.language], accept ? `${accept},${fallback};q=0.001` : fallback);
}

function linkProblemPage(
  request: Request,
  problem: FlowLinkProblem | null,
  appRow: AppRow | undefined,
): RenderedPage {
  const settings = appRow ? readSettings(appRow.settings) : undefined;
  return renderLinkProblemPage({
    language: appRow ? languageOf(request, appRow) : pickLanguage([], request.headers['accept-language']),
    problem: problem ?? 'link_invalid',
    ...(appRow
      ? { appName: appRow.name, requestLinkUrl: `/login?app=${encodeURIComponent(appRow.id)}` }
      : {}),
    ...(settings?.site_url ? { appUrl: settings.site_url } : {}),
  });
}

/** No such app: the page of a link that does not work (it names nothing), with the precise code. */
function unknownAppPage(request: Request): RenderedPage {
  const page = renderLinkProblemPage({
    language: pickLanguage([], request.headers['accept-language']),
    problem: 'link_invalid',
  });
  return asErrorPage(page, 'not_found');
}

/**
 * An app set up so that sign-in cannot work (no redirect target): said in plain words to the person, who can do
 * nothing about it, with the API's own sentence for whoever runs the app; the code goes in the header and the log.
 */
function configurationPage(language: Language, error: ApiError): RenderedPage {
  const m = loginMessages[language];
  return renderMessagePage({
    language,
    title: m.setupTitle,
    body: `${m.setupBody}\n\n${m.setupOperatorNote} ${error.message}`,
    status: error.status,
    code: error.code,
  });
}

/**
 * The page for an error no handler caught. On the link of a message, a token or query the route refuses shows as a
 * link that does not work; on the form pages, a page that says to go back and try again.
 */
function errorPage(request: Request, error: ApiError): RenderedPage {
  const language = pickLanguage([], request.headers['accept-language']);
  const onLink = request.routeOptions.url?.startsWith('/login/link/') === true;
  if (onLink && error.code === 'validation_failed')
    return asErrorPage(renderLinkProblemPage({ language, problem: 'link_invalid' }), error.code);
  return renderErrorPage({ language, code: error.code });
}

function redirectToForm(reply: Reply, appRow: AppRow): Reply {
  return reply
    .code(303)
    .header('location', `/login?app=${encodeURIComponent(appRow.id)}`)
    .send();
}

/** The button pressed on the approval page; anything else is no decision. */
function decisionOf(body: unknown): 'approve' | 'deny' | undefined {
  const value = (body as { decision?: unknown } | undefined)?.decision;
  return value === 'approve' || value === 'deny' ? value : undefined;
}

/** Every login page may poll its flow's status from this server (connect-src 'self'). */
function sendPage(reply: Reply, page: RenderedPage): Reply {
  return sendAnyPage(reply, page, { fetchSelf: true });
}
