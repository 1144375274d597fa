import { type Static, Type } from 'typebox';
import { validationError } from '../errors/api-error.js';
import { actingApp } from '../http/auth.js';
import { idempotentJson } from '../http/idempotency.js';
import type { IdempotencyContext } from '../http/idempotency-store.js';
import { errorResponses } from '../http/openapi.js';
import { listResponse } from '../http/present.js';
import type { Request, RouteGroups } from '../http/routes.js';
import { Id, Page, PageQuery } from '../http/schemas.js';
import { LANGUAGES, toLanguage } from '../pages/languages.js';
import {
  CreatedMagicLinkAnswer,
  LINK_STATUSES,
  MagicLink,
  MagicLinkDetail,
  presentLink,
  presentLinkDetail,
} from './link-present.js';
import { resendLink } from './link-resend.js';
import {
  createLink,
  getLinkDetail,
  listLinks,
  presentCreatedLink,
  revokeLink,
  revokeUserLinks,
  userIdOf,
} from './link-service.js';
import type { LinkContext } from './link-store.js';

const LinkType = Type.Union([
  Type.Literal('login'),
  Type.Literal('verify_identifier'),
  Type.Literal('invite'),
]);

export const CreateLinkBody = Type.Object(
  {
    user_id: Type.Optional(Id('usr')),
    email: Type.Optional(Type.String({ maxLength: 254 })),
    phone: Type.Optional(
      Type.String({ maxLength: 32, description: 'E.164, or national for the app’s default_phone_region.' }),
    ),
    channel: Type.Optional(
      Type.Union([Type.Literal('email'), Type.Literal('phone')], {
        description: 'Where a `user_id` link is sent (required with `send` then).',
      }),
    ),
    send: Type.Optional(Type.Boolean({ description: 'Queue the email or SMS that carries the link.' })),
    type: Type.Optional(LinkType),
    redirect_url: Type.Optional(
      Type.String({ maxLength: 2048, description: 'Where to send the person after sign-in (allowlisted).' }),
    ),
    redirect_to: Type.Optional(Type.String({ maxLength: 64, description: 'The name of a page shortcut.' })),
    magic_link_path: Type.Optional(
      Type.String({
        maxLength: 512,
        description: 'A page of your own site the link opens (`?lk_token=`); your backend redeems it.',
      }),
    ),
    ttl: Type.Optional(Type.Integer({ minimum: 1, description: 'minutes' })),
    language: Type.Optional(Type.String({ maxLength: 16 })),
    code_challenge: Type.Optional(Type.String({ maxLength: 128 })),
    code_challenge_method: Type.Optional(Type.String({ maxLength: 16 })),
    metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  {
    additionalProperties: false,
    examples: [
      {
        email: 'ada@example.com',
        send: true,
        redirect_url: 'https://app.example.com/welcome',
        ttl: 15,
      },
    ],
  },
);

/**
 * Passage's path takes Passage's own user ids in `user_id`: backends moved over with `latchkey users import --from
 * passage` keep passing the ids they stored, which the import kept as each user's `external_id`.
 */
const PassageCreateLinkBody = Type.Object(
  {
    ...CreateLinkBody.properties,
    user_id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        description: 'usr_… id, or the external_id (a Passage user id)',
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [
      { user_id: '9SrOQKXcsHNEuZmQPFYKs9l7', channel: 'email', send: true, magic_link_path: '/auth/magic' },
      { email: 'ada@example.com', send: true, redirect_url: 'https://app.example.com/welcome' },
    ],
  },
);

/** A language filter names one of the languages links can have; anything else would silently match nothing. */
function languageFilter(language: string): string {
  const known = toLanguage(language);
  if (!known) throw validationError('language', `language must be one of ${LANGUAGES.join(', ')}.`);
  return known;
}

export function linkRoutes(ctx: LinkContext & IdempotencyContext): RouteGroups {
  return {
    apiKey: async (app) => {
      const createSchema = {
        operationId: 'createMagicLink',
        tags: ['magic links'],
        summary: 'Create a magic link (Passage-compatible)',
        description:
          'For a `user_id`, `email` or `phone` (a user is made on demand unless the app says not to). With `send` the email or SMS is queued; the answer holds the link’s `url` and `secret`, shown only here. An `Idempotency-Key` header makes a retry answer the first link instead of making another.',
        body: CreateLinkBody,
        response: {
          201: CreatedMagicLinkAnswer('The new link, with its URL and secret'),
          // A user_id or user that does not exist (and apps that do not make users on demand); a reused
          // Idempotency-Key.
          ...errorResponses(404, 409),
        },
      };

      // The app is the key's own, or the one an admin key names in the path or the Latchkey-App header.
      const create = async (request: Request & { body: Static<typeof CreateLinkBody> }) => ({
        magic_link: presentCreatedLink(await createLink(ctx, actingApp(request), request.body)),
      });
      app.post('/v1/magic-links', { schema: createSchema }, async (request, reply) =>
        idempotentJson(ctx, request, reply, 201, () => create(request)),
      );
      app.post(
        '/v1/apps/:app_id/magic-links',
        {
          schema: {
            ...createSchema,
            operationId: 'createAppMagicLink',
            summary: 'Create a magic link of the app in the path (Passage’s path)',
            description:
              'POST /v1/magic-links under Passage’s path, for backends moved off Passage: `user_id` may be the Passage user id (kept as `external_id` by the import). The app in the path must be the key’s own (or any, for an admin key).',
            body: PassageCreateLinkBody,
            params: Type.Object({ app_id: Id('app') }),
          },
        },
        async (request, reply) =>
          idempotentJson(ctx, request, reply, 201, async () => {
            const appId = actingApp(request);
            const body = { ...request.body, user_id: await userIdOf(ctx, appId, request.body.user_id) };
            return { magic_link: presentCreatedLink(await createLink(ctx, appId, body)) };
          }),
      );

      app.get(
        '/v1/magic-links',
        {
          schema: {
            operationId: 'listMagicLinks',
            tags: ['magic links'],
            summary: 'List magic links',
            response: { 200: Page(MagicLink, 'A page of links, newest first') },
            querystring: Type.Intersect([
              PageQuery,
              Type.Object({
                user_id: Type.Optional(Id('usr')),
                status: Type.Optional(Type.Union(LINK_STATUSES.map((s) => Type.Literal(s)))),
                type: Type.Optional(LinkType),
                campaign_id: Type.Optional(Id('cmp')),
                created_from: Type.Optional(Type.String({ format: 'date-time' })),
                created_to: Type.Optional(Type.String({ format: 'date-time' })),
                identifier: Type.Optional(
                  Type.String({
                    minLength: 1,
                    maxLength: 254,
                    description: 'A part of the email address or phone number the link went to.',
                  }),
                ),
                channel: Type.Optional(Type.Union([Type.Literal('email'), Type.Literal('phone')])),
                language: Type.Optional(Type.String({ maxLength: 16 })),
              }),
            ]),
          },
        },
        async (request) => {
          const appId = actingApp(request);
          const {
            limit = 50,
            cursor,
            created_from,
            created_to,
            status,
            identifier,
            language,
            ...rest
          } = request.query;
          const filter = {
            ...rest,
            identifier: identifier?.trim().toLowerCase() || undefined,
            language: language === undefined ? undefined : languageFilter(language),
            status: status as Parameters<typeof listLinks>[2]['status'],
            created_from: created_from === undefined ? undefined : Date.parse(created_from),
            created_to: created_to === undefined ? undefined : Date.parse(created_to),
          };
          const now = ctx.clock();
          return listResponse(await listLinks(ctx, appId, filter, { limit, cursor }), limit, (row) =>
            presentLink(row, now),
          );
        },
      );

      const LinkParams = Type.Object({ link_id: Id('ml') });
      app.get(
        '/v1/magic-links/:link_id',
        {
          schema: {
            operationId: 'getMagicLink',
            tags: ['magic links'],
            summary:
              'Read a link: status, timeline, deliveries with their attempts, and visits; never the secret',
            params: LinkParams,
            response: { 200: MagicLinkDetail },
          },
        },
        async (request) => {
          const appId = actingApp(request);
          return presentLinkDetail(await getLinkDetail(ctx, appId, request.params.link_id), ctx.clock());
        },
      );

      app.post(
        '/v1/magic-links/:link_id/revoke',
        {
          schema: {
            operationId: 'revokeMagicLink',
            tags: ['magic links'],
            summary: 'Revoke a link',
            description:
              'A link already revoked is answered as it is; a used link cannot be revoked (410 `link_used`: revoke its session instead).',
            params: LinkParams,
            response: { 200: { ...MagicLink, description: 'The link, revoked' }, ...errorResponses(410) },
          },
        },
        async (request) => {
          const appId = actingApp(request);
          return presentLink(await revokeLink(ctx, appId, request.params.link_id), ctx.clock());
        },
      );

      app.post(
        '/v1/magic-links/:link_id/resend',
        {
          schema: {
            operationId: 'resendMagicLink',
            tags: ['magic links'],
            summary: 'Send a link again: a new link like it is sent, and the old one revoked (reason resent)',
            description:
              'Tokens are stored hashed, so the same link cannot be sent twice. The new link has the old one’s user, type, redirect, language, channel and ttl; the answer is the new link, as a create answers it. A used, revoked or expired link is refused (`link_used`, `link_revoked`, `link_expired`).',
            params: LinkParams,
            response: {
              201: CreatedMagicLinkAnswer('The new link, sent; the old one is revoked'),
              ...errorResponses(409, 410),
            },
          },
        },
        async (request, reply) =>
          idempotentJson(ctx, request, reply, 201, async () => ({
            magic_link: presentCreatedLink(await resendLink(ctx, actingApp(request), request.params.link_id)),
          })),
      );

      app.post(
        '/v1/users/:user_id/magic-links/revoke',
        {
          schema: {
            operationId: 'revokeUserMagicLinks',
            tags: ['magic links'],
            summary: "Revoke all of a user's outstanding links",
            params: Type.Object({ user_id: Id('usr') }),
            response: {
              200: Type.Object(
                {
                  revoked: Type.Integer({
                    minimum: 0,
                    description: 'How many links were revoked (used, revoked and expired ones are left).',
                  }),
                },
                { description: 'How many links were revoked' },
              ),
            },
          },
        },
        async (request) => {
          const appId = actingApp(request);
          return { revoked: await revokeUserLinks(ctx, appId, request.params.user_id) };
        },
      );
    },
  };
}
