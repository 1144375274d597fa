import { Type } from 'typebox';
import { getAppOrThrow } from '../apps/app-service.js';
import type { RouteGroups } from '../http/routes.js';
import { Id } from '../http/schemas.js';
import { readBrowserSecret, setBrowserCookie } from './browser-cookie.js';
import { completeApproved, limitIp, loginStatus, startLogin, verifyCode } from './login-flow-service.js';
import type { LoginContext } from './login-flow-store.js';

const StartBody = Type.Object(
  {
    app_id: Id('app'),
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
    phone: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    redirect_url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    redirect_to: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    code_challenge: Type.Optional(Type.String({ maxLength: 128 })),
    code_challenge_method: Type.Optional(Type.String({ maxLength: 16 })),
    language: Type.Optional(Type.String({ maxLength: 35 })),
  },
  { additionalProperties: false },
);

const VerifyBody = Type.Object(
  {
    app_id: Id('app'),
    identifier: Type.String({ minLength: 1, maxLength: 320 }),
    code: Type.String({ minLength: 1, maxLength: 32 }),
  },
  { additionalProperties: false },
);

const AppQuery = Type.Object({ app_id: Id('app') }, { additionalProperties: false });
const AppBody = Type.Object({ app_id: Id('app') }, { additionalProperties: false });

const Started = Type.Object({
  status: Type.Literal('pending'),
  channel: Type.Union([Type.Literal('email'), Type.Literal('phone')]),
  expires_in_seconds: Type.Integer(),
  code_length: Type.Integer(),
});
const Completed = Type.Object({ status: Type.Literal('completed'), redirect_url: Type.String() });

/**
 * Self-service sign-in without an API key (SPEC 3.6), for the hosted login page and for apps that build their own
 * form. The browser that starts a flow gets the `lk_browser` cookie; the other calls find its flow through it.
 */
export function loginRoutes(ctx: LoginContext): RouteGroups {
  return {
    public: async (app) => {
      const security: Array<Record<string, string[]>> = [];
      app.post(
        '/v1/public/login/start',
        {
          schema: {
            tags: ['login'],
            summary: 'Send a sign-in link and code (no API key)',
            description:
              'Answers 202 with the same body whether or not the email or phone belongs to anyone. Sets the `lk_browser` cookie.',
            security,
            body: StartBody,
            response: { 202: Started },
          },
        },
        async (request, reply) => {
          const body = request.body;
          const started = await startLogin(
            ctx,
            {
              appId: body.app_id,
              email: body.email,
              phone: body.phone,
              redirectUrl: body.redirect_url,
              redirectTo: body.redirect_to,
              codeChallenge: body.code_challenge,
              codeChallengeMethod: body.code_challenge_method,
              language: body.language,
              browserSecret: readBrowserSecret(request),
            },
            requestInfo(request),
          );
          setBrowserCookie(request, reply, started.browserSecret);
          return reply.code(202).header('cache-control', 'no-store').send(started.body);
        },
      );

      app.post(
        '/v1/public/login/verify-code',
        {
          schema: {
            tags: ['login'],
            summary: 'Sign in with the code from the message (no API key)',
            description:
              'At most five tries per code; then even the right code is refused (`code_exhausted`).',
            security,
            body: VerifyBody,
            response: { 200: Completed },
          },
        },
        async (request, reply) => {
          const done = await verifyCode(
            ctx,
            {
              appId: request.body.app_id,
              identifier: request.body.identifier,
              code: request.body.code,
              browserSecret: readBrowserSecret(request),
            },
            requestInfo(request),
          );
          return reply.header('cache-control', 'no-store').send(done);
        },
      );

      app.get(
        '/v1/public/login/status',
        {
          schema: {
            tags: ['login'],
            summary: "Where this browser's sign-in stands (no API key)",
            description:
              '`pending`, `approved` (call /complete), `denied`, `completed`, `expired`, or `none` when this browser started nothing.',
            security,
            querystring: AppQuery,
          },
        },
        async (request, reply) => {
          // Polled every two seconds by a waiting page: ten times the per-IP rule of the other calls.
          const { settings } = await getAppOrThrow(ctx, request.query.app_id);
          await limitIp(ctx, request.query.app_id, settings, 'login_status', requestInfo(request), 10);
          const { status } = await loginStatus(ctx, request.query.app_id, readBrowserSecret(request));
          return reply.header('cache-control', 'no-store').send({ status });
        },
      );

      app.post(
        '/v1/public/login/complete',
        {
          schema: {
            tags: ['login'],
            summary: 'Finish a sign-in approved on another device (no API key)',
            security,
            body: AppBody,
            response: { 200: Completed },
          },
        },
        async (request, reply) => {
          const done = await completeApproved(
            ctx,
            request.body.app_id,
            readBrowserSecret(request),
            requestInfo(request),
          );
          return reply.header('cache-control', 'no-store').send(done);
        },
      );
    },
  };
}

export function requestInfo(request: { ip: string; headers: Record<string, unknown> }) {
  const agent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof agent === 'string' ? agent : undefined };
}
