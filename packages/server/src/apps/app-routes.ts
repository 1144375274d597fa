import { Type } from 'typebox';
import { actingApp, actsOnInstallation, principalOf, requireAdmin } from '../http/auth.js';
import { errorResponse } from '../http/openapi.js';
import { listResponse } from '../http/present.js';
import type { RouteGroups } from '../http/routes.js';
import { Id, Page, PageQuery } from '../http/schemas.js';
import { LANGUAGES } from '../pages/languages.js';
import type { AppRow } from '../storage/rows.js';
import {
  ApiKey,
  App,
  CreatedApiKey,
  CreatedApp,
  presentApiKey,
  presentApp,
  RedirectCheck,
} from './app-present.js';
import {
  createApiKey,
  createApp,
  getApiKeyOrThrow,
  getAppOrThrow,
  listApiKeys,
  listApps,
  relabelApiKey,
  revokeApiKey,
  updateApp,
} from './app-service.js';
import { readSettings } from './app-settings.js';
import type { AppContext } from './app-store.js';
import { checkRedirectTarget } from './redirect-check-service.js';

const Url = Type.String({ maxLength: 2048 });
const Minutes = Type.Integer({ minimum: 1, maximum: 43200 });
/** A rate-limit rule in a patch: either field may be left out to keep its current value. */
const RateRule = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 })),
    window_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
  },
  { additionalProperties: false },
);

export const SettingsBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    public_url: Type.Optional(Type.Union([Url, Type.Null()])),
    site_url: Type.Optional(Type.Union([Url, Type.Null()])),
    allowed_redirects: Type.Optional(Type.Array(Url, { maxItems: 100 })),
    default_redirect_url: Type.Optional(Type.Union([Url, Type.Null()])),
    page_shortcuts: Type.Optional(Type.Record(Type.String(), Url)),
    default_shortcut: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    ttl_minutes: Type.Optional(
      Type.Object(
        {
          login: Type.Optional(Minutes),
          verify_identifier: Type.Optional(Minutes),
          invite: Type.Optional(Minutes),
        },
        { additionalProperties: false },
      ),
    ),
    max_ttl_minutes: Type.Optional(Minutes),
    session_duration_minutes: Type.Optional(Type.Integer({ minimum: 5, maximum: 527040 })),
    access_token_minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440 })),
    default_language: Type.Optional(Type.Union(LANGUAGES.map((l) => Type.Literal(l)))),
    default_phone_region: Type.Optional(Type.Union([Type.String({ maxLength: 2 }), Type.Null()])),
    scanner_protection: Type.Optional(Type.Union([Type.Literal('confirm'), Type.Literal('auto')])),
    auto_create_users: Type.Optional(Type.Boolean()),
    signed_links_reusable: Type.Optional(Type.Boolean()),
    sender: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
          email: Type.Optional(Type.Union([Type.String({ maxLength: 254 }), Type.Null()])),
        },
        { additionalProperties: false },
      ),
    ),
    rate_limits: Type.Optional(
      Type.Object(
        {
          login_sends_per_identifier: Type.Optional(RateRule),
          login_resend_cooldown_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })),
          code_attempts_per_identifier: Type.Optional(RateRule),
          public_requests_per_ip: Type.Optional(RateRule),
          api_requests_per_key: Type.Optional(RateRule),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/**
 * A PATCH may also move a host: `move_host` (admin keys only) takes the host of `public_url` from the app that holds
 * it. It is not a setting, so it is not stored, not shown, and not accepted when creating an app.
 */
const PatchBody = Type.Object(
  { ...SettingsBody.properties, move_host: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

const AppParams = Type.Object({ app_id: Id('app') });
const KeyParams = Type.Object({ key_id: Id('key') });

/** The policy itself answers a URL of any length or shape with its reason; the limit only bounds the work. */
const RedirectCheckBody = Type.Object(
  {
    url: Type.Optional(Type.String({ maxLength: 8192, description: 'A full URL to test.' })),
    redirect_to: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'A page shortcut name to test instead.' }),
    ),
  },
  { additionalProperties: false },
);

const LabelBody = Type.Object(
  { label: Type.String({ minLength: 1, maxLength: 200, description: 'Where the key is used, for people.' }) },
  { additionalProperties: false },
);

const KeyBody = Type.Object(
  {
    label: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Where the key is used, for people.' }),
    ),
    kind: Type.Optional(
      Type.Union([Type.Literal('app'), Type.Literal('admin')], {
        description: '`admin` (admin keys only) makes a key for the whole installation; default `app`.',
      }),
    ),
  },
  { additionalProperties: false, examples: [{ label: 'production backend' }] },
);

const CreateAppBody = Type.Intersect(
  [SettingsBody, Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) })],
  {
    examples: [
      {
        name: 'Acme',
        site_url: 'https://example.com',
        allowed_redirects: ['https://app.example.com'],
        default_redirect_url: 'https://app.example.com/auth/callback',
      },
    ],
  },
);

/** The host of `public_url` is another app's or the installation's own. */
const hostTaken = {
  ...errorResponse(409),
  description: 'The host of `public_url` belongs to another app or to this Latchkey itself (`host_taken`).',
};

export function appRoutes(ctx: AppContext): RouteGroups {
  const present = (row: AppRow) => presentApp(row, readSettings(row.settings), ctx.config.publicUrl);
  return {
    admin: async (app) => {
      app.post(
        '/v1/apps',
        {
          schema: {
            operationId: 'createApp',
            tags: ['apps'],
            summary: 'Create an app (admin key)',
            description:
              'Any setting may be given now or later (PATCH); the rest take their defaults. The answer holds the app’s first API key, shown once.',
            body: CreateAppBody,
            response: { 201: CreatedApp, 409: hostTaken },
          },
        },
        async (request, reply) => {
          const { name, ...settings } = request.body;
          const created = await createApp(ctx, { name, settings }, principalOf(request));
          return reply.code(201).send({
            app: present(created.app),
            api_key: { ...presentApiKey(created.key.row), key: created.key.secret },
          });
        },
      );

      app.get(
        '/v1/apps',
        {
          schema: {
            operationId: 'listApps',
            tags: ['apps'],
            summary: 'List apps (admin key)',
            querystring: PageQuery,
            response: { 200: Page(App, 'A page of apps, newest first') },
          },
        },
        async (request) => {
          const page = { limit: request.query.limit ?? 50, cursor: request.query.cursor };
          return listResponse(await listApps(ctx, page), page.limit, present);
        },
      );
    },

    apiKey: async (app) => {
      app.get(
        '/v1/apps/:app_id',
        {
          schema: {
            operationId: 'getApp',
            tags: ['apps'],
            summary: "Read an app's settings",
            params: AppParams,
            response: { 200: App },
          },
        },
        async (request) => {
          const { app: row, settings } = await getAppOrThrow(ctx, actingApp(request));
          return presentApp(row, settings, ctx.config.publicUrl);
        },
      );

      app.patch(
        '/v1/apps/:app_id',
        {
          schema: {
            operationId: 'updateApp',
            tags: ['apps'],
            summary: "Change an app's settings",
            description: 'Only the settings given change; lists and maps are replaced as a whole.',
            params: AppParams,
            body: PatchBody,
            response: { 200: { ...App, description: 'The app as changed' }, 409: hostTaken },
          },
        },
        async (request) =>
          present(await updateApp(ctx, actingApp(request), request.body, principalOf(request))),
      );

      // The redirect tester: read-only, so the dashboard's viewers may use it (dashboard/roles.ts).
      const redirectCheck = {
        tags: ['apps'],
        summary: 'Would a link be allowed to redirect here? (the allowlist check links use, nothing stored)',
        body: RedirectCheckBody,
        response: { 200: RedirectCheck },
      };
      app.post(
        '/v1/redirect-check',
        { schema: { ...redirectCheck, operationId: 'checkRedirect' } },
        async (request) => checkRedirectTarget(ctx, actingApp(request), request.body),
      );
      app.post(
        '/v1/apps/:app_id/redirect-check',
        { schema: { ...redirectCheck, operationId: 'checkAppRedirect', params: AppParams } },
        async (request) => checkRedirectTarget(ctx, actingApp(request), request.body),
      );

      app.post(
        '/v1/api-keys',
        {
          schema: {
            operationId: 'createApiKey',
            tags: ['api keys'],
            summary: 'Create an API key (shown once)',
            body: KeyBody,
            response: { 201: CreatedApiKey },
          },
        },
        async (request, reply) => {
          const principal = principalOf(request);
          const wantsAdmin = request.body.kind === 'admin';
          if (wantsAdmin) requireAdmin(request, 'create admin keys');
          const appId = wantsAdmin ? null : actingApp(request);
          const key = await createApiKey(ctx, appId, request.body.label ?? 'unnamed', principal);
          return reply.code(201).send({ ...presentApiKey(key.row), key: key.secret });
        },
      );

      app.get(
        '/v1/api-keys',
        {
          schema: {
            operationId: 'listApiKeys',
            tags: ['api keys'],
            summary: 'List API keys (never the secrets)',
            response: { 200: Page(ApiKey, 'A page of API keys, newest first') },
            querystring: Type.Intersect([
              PageQuery,
              Type.Object({
                kind: Type.Optional(Type.Union([Type.Literal('app'), Type.Literal('admin')])),
              }),
            ]),
          },
        },
        async (request) => {
          const admin = request.query.kind === 'admin';
          if (admin) requireAdmin(request, 'list admin keys');
          const appId = admin ? null : actingApp(request);
          const page = { limit: request.query.limit ?? 50, cursor: request.query.cursor };
          return listResponse(await listApiKeys(ctx, appId, page), page.limit, presentApiKey);
        },
      );

      app.get(
        '/v1/api-keys/:key_id',
        {
          schema: {
            operationId: 'getApiKey',
            tags: ['api keys'],
            summary: 'Read an API key (never its secret)',
            params: KeyParams,
            response: { 200: ApiKey },
          },
        },
        async (request) => {
          const appId = actsOnInstallation(request) ? null : actingApp(request);
          return presentApiKey(await getApiKeyOrThrow(ctx, appId, request.params.key_id));
        },
      );

      app.patch(
        '/v1/api-keys/:key_id',
        {
          schema: {
            operationId: 'updateApiKey',
            tags: ['api keys'],
            summary: "Change an API key's label",
            params: KeyParams,
            body: LabelBody,
            response: { 200: { ...ApiKey, description: 'The key as changed' } },
          },
        },
        async (request) => {
          // Scoped like DELETE: an admin key without an app names admin keys, otherwise the acting app's.
          const appId = actsOnInstallation(request) ? null : actingApp(request);
          return presentApiKey(
            await relabelApiKey(ctx, appId, request.params.key_id, request.body.label, principalOf(request)),
          );
        },
      );

      app.delete(
        '/v1/api-keys/:key_id',
        {
          schema: {
            operationId: 'revokeApiKey',
            tags: ['api keys'],
            summary: 'Revoke an API key',
            description: 'Requests with the key are refused from then on.',
            params: KeyParams,
            response: {
              200: { ...ApiKey, description: 'The key as revoked' },
              404: { ...errorResponse(404), description: 'No such key, or it is already revoked.' },
            },
          },
        },
        async (request) => {
          // An admin key revokes admin keys; naming an app (Latchkey-App) it revokes that app's keys instead.
          const appId = actsOnInstallation(request) ? null : actingApp(request);
          return presentApiKey(await revokeApiKey(ctx, appId, request.params.key_id, principalOf(request)));
        },
      );
    },
  };
}
