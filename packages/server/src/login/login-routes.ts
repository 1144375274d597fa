import { Type } from 'typebox';
import { getAppOrThrow } from '../apps/app-service.js';
import { errorResponse, errorResponses } from '../http/openapi.js';
import type { RouteGroups } from '../http/routes.js';
import { Id } from '../http/schemas.js';
import { readBrowserSecret, setBrowserCookie } from './browser-cookie.js';
import { completeApproved, limitIp, loginStatus, startLogin, verifyCode } from './login-flow-service.js';
import type { LoginContext } from './login-flow-store.js';

const EXAMPLE_APP_ID = 'app_01jf3k5q8n2m4r6t8v0w2y4a6c';

const StartBody = Type.Object(
  {
    app_id: Id('app'),
    email: Type.Optional(
      Type.String({ minLength: 1, maxLength: 320, description: 'Give exactly one of email and phone.' }),
    ),
    phone: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 32,
        description: 'E.164, or a national number of the app’s default_phone_region.',
      }),
    ),
    redirect_url: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 2048,
        description:
          'Where to go once signed in; on the app’s allowed_redirects. Default: its default_redirect_url.',
      }),
    ),
    redirect_to: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'A page shortcut name instead of redirect_url.',
      }),
    ),
    code_challenge: Type.Optional(Type.String({ maxLength: 128, description: 'PKCE: the S256 challenge.' })),
    code_challenge_method: Type.Optional(
      Type.String({ maxLength: 16, description: '`S256`, the only method.' }),
    ),
    language: Type.Optional(
      Type.String({
        maxLength: 35,
        description:
          'The message’s language (a BCP 47 tag); one Latchkey lacks falls back to the app’s default.',
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [
      {
        app_id: EXAMPLE_APP_ID,
        email: 'ada@example.com',
        redirect_url: 'https://app.example.com/auth/callback',
      },
    ],
  },
);

const VerifyBody = Type.Object(
  {
    app_id: Id('app'),
    identifier: Type.String({
      minLength: 1,
      maxLength: 320,
      description: 'The email or phone the code was sent to (an email if it has an @).',
    }),
    code: Type.String({ minLength: 1, maxLength: 32, description: 'The code from the message.' }),
  },
  {
    additionalProperties: false,
    examples: [{ app_id: EXAMPLE_APP_ID, identifier: 'ada@example.com', code: '482913' }],
  },
);

const AppQuery = Type.Object({ app_id: Id('app') }, { additionalProperties: false });
const AppBody = Type.Object({ app_id: Id('app') }, { additionalProperties: false });

const Started = Type.Object(
  {
    status: Type.Literal('pending'),
    channel: Type.Union([Type.Literal('email'), Type.Literal('phone')], {
      description: 'Where the link and code were sent.',
    }),
    expires_in_seconds: Type.Integer({ description: 'How long the link and code work.' }),
    code_length: Type.Integer({ description: 'Digits in the code, for the form to expect.' }),
  },
  {
    description:
      'The link and code are on their way (the same answer whether or not the address belongs to anyone). Sets the `lk_browser` cookie.',
    examples: [{ status: 'pending', channel: 'email', expires_in_seconds: 900, code_length: 6 }],
  },
);
const StartedAnswer = {
  ...Started,
  headers: {
    'set-cookie': Type.String({
      description:
        '`lk_browser`: marks this browser as the one that started the sign-in (HttpOnly, 30 days).',
    }),
  },
};

const Completed = Type.Object(
  {
    status: Type.Literal('completed'),
    redirect_url: Type.String({
      description: 'Send the browser here: the redirect with `lk_code`, which the app’s backend exchanges.',
    }),
  },
  {
    description: 'Signed in: go to redirect_url',
    examples: [
      { status: 'completed', redirect_url: 'https://app.example.com/auth/callback?lk_code=AAZk3wQx9v…' },
    ],
  },
);

const Status = Type.Object(
  {
    status: Type.Union(
      [
        Type.Literal('pending'),
        Type.Literal('approved'),
        Type.Literal('denied'),
        Type.Literal('completed'),
        Type.Literal('expired'),
        Type.Literal('none'),
      ],
      {
        description:
          '`pending`, `approved` (call /complete), `denied`, `completed`, `expired`, or `none` when this browser started nothing.',
      },
    ),
  },
  { description: "Where this browser's newest sign-in stands" },
);

const unknownApp = {
  ...errorResponse(404),
  description: 'No app with this `app_id` (`not_found`).',
};
const verifyRefused = {
  ...errorResponse(400),
  description:
    'The code is wrong or expired (`code_invalid`), or had too many wrong tries (`code_exhausted`), or the body is not valid.',
};
const completeNotFound = {
  ...errorResponse(404),
  description:
    'No app with this `app_id`, or no sign-in was started in this browser (`login_flow_not_found`).',
};
const notApproved = {
  ...errorResponse(409),
  description:
    'The sign-in is not approved: still waiting, refused, finished or expired (`login_not_approved`).',
};

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
            operationId: 'startLogin',
            tags: ['login'],
            summary: 'Send a sign-in link and code (no API key)',
            description:
              'Answers 202 with the same body whether or not the email or phone belongs to anyone. Sets the `lk_browser` cookie.',
            security,
            body: StartBody,
            response: { 202: StartedAnswer, 404: unknownApp, ...errorResponses(429) },
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
            operationId: 'verifyLoginCode',
            tags: ['login'],
            summary: 'Sign in with the code from the message (no API key)',
            description:
              'At most five tries per code; then even the right code is refused (`code_exhausted`).',
            security,
            body: VerifyBody,
            response: { 200: Completed, 400: verifyRefused, 404: unknownApp, ...errorResponses(429) },
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
            operationId: 'getLoginStatus',
            tags: ['login'],
            summary: "Where this browser's sign-in stands (no API key)",
            description:
              '`pending`, `approved` (call /complete), `denied`, `completed`, `expired`, or `none` when this browser started nothing.',
            security,
            querystring: AppQuery,
            response: { 200: Status, 404: unknownApp, ...errorResponses(429) },
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
            operationId: 'completeLogin',
            tags: ['login'],
            summary: 'Finish a sign-in approved on another device (no API key)',
            security,
            body: AppBody,
            response: { 200: Completed, 404: completeNotFound, 409: notApproved, ...errorResponses(429) },
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
