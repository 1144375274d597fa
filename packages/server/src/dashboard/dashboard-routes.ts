/**
 * The dashboard's own routes: signing in and out, the session, re-authentication, the one-time links, and the
 * operators. Everything else the dashboard shows or changes goes through the API's own routes, registered a second
 * time under `/dashboard/api` in the session-authenticated scope (server.ts), so the dashboard can do nothing the
 * API cannot.
 */
import { Type } from 'typebox';
import { listApps } from '../apps/app-service.js';
import { ApiError } from '../errors/api-error.js';
import { presentEvent } from '../events/event-routes.js';
import { cookieValue, OPERATOR_COOKIES, principalOf } from '../http/auth.js';
import { acceptForms } from '../http/forms.js';
import { listResponse } from '../http/present.js';
import { redirectAway } from '../http/redirects.js';
import type { Reply, Request, RouteGroups } from '../http/routes.js';
import { Id, PageQuery } from '../http/schemas.js';
import { sendPage } from '../http/send-page.js';
import { readBrowserSecret, setBrowserCookie } from '../login/browser-cookie.js';
import { requestInfo } from '../login/login-routes.js';
import { renderOneTimeLinkGonePage, renderOneTimeLinkPage } from '../pages/dashboard-pages.js';
import type { RenderedPage } from '../pages/render.js';
import { ABSOLUTE_MS, endSession, type LiveSession } from './dashboard-sessions.js';
import {
  finishSignIn,
  peekOneTimeLink,
  startReauth,
  startSignIn,
  useOneTimeLink,
  verifyReauth,
  verifySignIn,
  whyOneTimeLinkGone,
} from './dashboard-sign-in.js';
import {
  changeRole,
  createOperator,
  findOperator,
  listAuditLog,
  listOperators,
  presentOperator,
  ROLES,
  removeOperator,
} from './operator-service.js';
import type { DashboardContext } from './operator-store.js';

const Email = Type.String({ minLength: 3, maxLength: 320 });
const Code = Type.String({ minLength: 1, maxLength: 32 });
const Role = Type.Union(ROLES.map((role) => Type.Literal(role)));
const TokenParams = Type.Object({ token: Type.String({ maxLength: 64 }) });

export function dashboardRoutes(ctx: DashboardContext): RouteGroups {
  return {
    public: async (app) => {
      await acceptForms(app);
      const security: Array<Record<string, string[]>> = [];

      app.post(
        '/dashboard/api/auth/start',
        {
          schema: {
            hide: true,
            security,
            body: Type.Object({ email: Email }, { additionalProperties: false }),
          },
        },
        async (request, reply) => {
          const started = await startSignIn(
            ctx,
            request.body.email,
            readBrowserSecret(request),
            requestInfo(request),
          );
          setBrowserCookie(request, reply, started.browserSecret);
          return reply.code(202).header('cache-control', 'no-store').send(started.body);
        },
      );

      app.post(
        '/dashboard/api/auth/verify',
        {
          schema: {
            hide: true,
            security,
            body: Type.Object({ email: Email, code: Code }, { additionalProperties: false }),
          },
        },
        async (request, reply) => {
          const { secret } = await verifySignIn(
            ctx,
            { email: request.body.email, code: request.body.code, browserSecret: readBrowserSecret(request) },
            requestInfo(request),
          );
          setSessionCookie(request, reply, secret);
          return reply.header('cache-control', 'no-store').send({ status: 'signed_in' });
        },
      );

      // The link in the sign-in message finishes here (the login flow redirects with `lk_code`).
      app.get(
        '/dashboard/auth/callback',
        {
          schema: {
            hide: true,
            querystring: Type.Object({ lk_code: Type.Optional(Type.String({ maxLength: 256 })) }),
          },
        },
        async (request, reply) => {
          try {
            const { secret } = await finishSignIn(ctx, request.query.lk_code ?? '', 'link');
            setSessionCookie(request, reply, secret);
            return redirectAway(reply, '/dashboard/');
          } catch (error) {
            if (!(error instanceof ApiError)) throw error;
            return redirectAway(reply, `/dashboard/sign-in?error=${encodeURIComponent(error.code)}`);
          }
        },
      );

      app.get(
        '/dashboard/auth/link/:token',
        { schema: { hide: true, params: TokenParams }, exposeHeadRoute: false },
        async (request, reply) => {
          const row = await peekOneTimeLink(ctx, request.params.token);
          if (!row) return sendPage(reply, await linkGone(ctx, request.params.token));
          const operator = row.operator_id === null ? undefined : await findOperator(ctx, row.operator_id);
          return sendPage(reply, renderOneTimeLinkPage({ formAction: request.url, email: operator?.email }));
        },
      );

      app.post(
        '/dashboard/auth/link/:token',
        { schema: { hide: true, params: TokenParams } },
        async (request, reply) => {
          const email = (request.body as { email?: unknown } | undefined)?.email;
          try {
            const { secret } = await useOneTimeLink(
              ctx,
              request.params.token,
              typeof email === 'string' ? email : undefined,
            );
            setSessionCookie(request, reply, secret);
            return redirectAway(reply, '/dashboard/');
          } catch (error) {
            if (!(error instanceof ApiError)) throw error;
            if (error.code === 'link_invalid')
              return sendPage(reply, await linkGone(ctx, request.params.token));
            return sendPage(
              reply,
              renderOneTimeLinkPage({
                formAction: request.url,
                email: undefined,
                error: error.message,
                status: 400,
              }),
            );
          }
        },
      );
    },

    operator: async (app) => {
      app.get('/dashboard/api/session', { schema: { hide: true } }, async (request, reply) => {
        const live = liveSession(request);
        const apps = [];
        // The app switcher: every app the dashboard manages (an installation has a handful).
        for (const row of await listApps(ctx, { limit: 500 })) apps.push({ id: row.id, name: row.name });
        return reply.header('cache-control', 'no-store').send({
          operator: { id: live.operator.id, email: live.operator.email, role: live.operator.role },
          csrf_token: live.csrfToken,
          apps,
        });
      });

      app.post('/dashboard/api/auth/sign-out', { schema: { hide: true } }, async (request, reply) => {
        const secret = cookieValue(request, OPERATOR_COOKIES);
        if (secret !== undefined) await endSession(ctx, secret);
        clearSessionCookie(request, reply);
        return reply.code(204).send();
      });

      app.post('/dashboard/api/auth/reauth/start', { schema: { hide: true } }, async (request, reply) => {
        const started = await startReauth(
          ctx,
          liveSession(request),
          readBrowserSecret(request),
          requestInfo(request),
        );
        setBrowserCookie(request, reply, started.browserSecret);
        return reply.code(202).header('cache-control', 'no-store').send(started.body);
      });

      app.post(
        '/dashboard/api/auth/reauth/verify',
        { schema: { hide: true, body: Type.Object({ code: Code }, { additionalProperties: false }) } },
        async (request) => {
          await verifyReauth(
            ctx,
            liveSession(request),
            { code: request.body.code, browserSecret: readBrowserSecret(request) },
            requestInfo(request),
          );
          return { status: 'reauthenticated' };
        },
      );

      app.get('/dashboard/api/operators', { schema: { hide: true } }, async () => ({
        data: (await listOperators(ctx)).map(presentOperator),
        next_cursor: null,
      }));

      app.post(
        '/dashboard/api/operators',
        {
          schema: {
            hide: true,
            body: Type.Object({ email: Email, role: Role }, { additionalProperties: false }),
          },
        },
        async (request, reply) => {
          const operator = await createOperator(ctx, {
            email: request.body.email,
            role: request.body.role,
            invitedBy: principalOf(request).keyId,
          });
          return reply.code(201).send(presentOperator(operator));
        },
      );

      app.get(
        '/dashboard/api/audit',
        {
          schema: {
            hide: true,
            querystring: Type.Intersect([
              PageQuery,
              Type.Object({ operator_id: Type.Optional(Id('op')), app_id: Type.Optional(Id('app')) }),
            ]),
          },
        },
        async (request) => {
          const { limit = 50, cursor, operator_id, app_id } = request.query;
          const rows = await listAuditLog(ctx, { operatorId: operator_id, appId: app_id }, { limit, cursor });
          // The app each change was made in (null for operators, which are the installation's), for the log to say.
          return listResponse(rows, limit, (row) => ({ ...presentEvent(row), app_id: row.app_id }));
        },
      );

      const OperatorParams = Type.Object({ operator_id: Id('op') });
      app.patch(
        '/dashboard/api/operators/:operator_id',
        {
          schema: {
            hide: true,
            params: OperatorParams,
            body: Type.Object({ role: Role }, { additionalProperties: false }),
          },
        },
        async (request) =>
          presentOperator(
            await changeRole(ctx, request.params.operator_id, request.body.role, principalOf(request)),
          ),
      );

      app.delete(
        '/dashboard/api/operators/:operator_id',
        { schema: { hide: true, params: OperatorParams } },
        async (request, reply) => {
          await removeOperator(ctx, request.params.operator_id, principalOf(request));
          return reply.code(204).send();
        },
      );
    },
  };
}

/** The session the scope's hook found for this request. */
function liveSession(request: Request): LiveSession {
  const session = request.auth?.session;
  if (!session) throw new Error('liveSession: the route is not in the dashboard scope');
  return session as LiveSession;
}

/**
 * `__Host-` prefixed and Secure wherever the browser keeps such a cookie: over HTTPS, and on localhost, which
 * browsers treat as secure even over plain HTTP. Elsewhere over plain HTTP (a LAN address in development) a Secure
 * cookie would be dropped, so the plain name is used. SameSite=Strict: no other site's page can send it.
 */
function setSessionCookie(request: Request, reply: Reply, secret: string): void {
  const secure = request.protocol === 'https' || isLocalhost(request.hostname);
  const name = secure ? OPERATOR_COOKIES[0] : OPERATOR_COOKIES[1];
  const attributes = [
    `${name}=${secret}`,
    'Path=/',
    `Max-Age=${ABSOLUTE_MS / 1000}`,
    'HttpOnly',
    'SameSite=Strict',
  ];
  if (secure) attributes.push('Secure');
  reply.header('set-cookie', attributes.join('; '));
}

function clearSessionCookie(request: Request, reply: Reply): void {
  const secure = request.protocol === 'https' || isLocalhost(request.hostname);
  reply.header('set-cookie', [
    `${OPERATOR_COOKIES[0]}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict; Secure`,
    `${OPERATOR_COOKIES[1]}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`,
  ]);
}

function isLocalhost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname === '127.0.0.1' ||
    hostname === '[::1]' ||
    hostname.endsWith('.localhost')
  );
}

/** The page of a one-time link that cannot be used, saying why: already used, expired, or never issued. */
async function linkGone(ctx: DashboardContext, token: string): Promise<RenderedPage> {
  const problem = await whyOneTimeLinkGone(ctx, token);
  const status = problem === 'link_invalid' ? 404 : 410;
  return { ...renderOneTimeLinkGonePage(problem, status), errorCode: problem };
}
