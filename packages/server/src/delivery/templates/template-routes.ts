import { Type } from 'typebox';
import { actingApp } from '../../http/auth.js';
import type { RouteGroups } from '../../http/routes.js';
import { Nullable } from '../../http/schemas.js';
import { LANGUAGES } from '../../pages/languages.js';
import { LINK_TYPES } from './default-templates.js';
import {
  getTemplate,
  listTemplates,
  previewTemplate,
  resetTemplate,
  saveTemplate,
} from './template-service.js';
import { sendTestMessage, type TemplateTestContext } from './template-test-send.js';

const LinkTypeSchema = Type.Union(LINK_TYPES.map((type) => Type.Literal(type)));
const LanguageSchema = Type.Union(LANGUAGES.map((language) => Type.Literal(language)));
const Params = Type.Object({ type: LinkTypeSchema, language: LanguageSchema });

// Lengths and content are checked by validateTemplateParts, whose messages say what to change; the request body
// limit bounds the work.
const Part = (description: string) => Type.String({ description });

const PutBody = Type.Object(
  {
    subject: Type.Optional(Nullable(Part('One line, at most 200 characters.'))),
    text: Type.Optional(Nullable(Part('Plain-text body; must contain {{link_url}}.'))),
    html: Type.Optional(Nullable(Part('HTML body; must contain {{link_url}}.'))),
    sms: Type.Optional(Nullable(Part('SMS; must contain {{link_url}}, at most 700 characters.'))),
  },
  {
    additionalProperties: false,
    description:
      'A string overrides that part; null returns it to the built-in text; an absent part is kept.',
  },
);

const TestBody = Type.Object(
  {
    to: Type.String({
      minLength: 1,
      maxLength: 320,
      description: 'An email address (sends the email) or an E.164 phone number (sends the SMS).',
    }),
    subject: Type.Optional(Part('Send this instead of the saved subject.')),
    text: Type.Optional(Part('Send this instead of the saved text body.')),
    html: Type.Optional(Part('Send this instead of the saved HTML body.')),
    sms: Type.Optional(Part('Send this instead of the saved SMS.')),
    code: Type.Optional(Type.Boolean({ description: 'Include a sample one-time code.' })),
  },
  { additionalProperties: false },
);

const PreviewBody = Type.Object(
  {
    type: LinkTypeSchema,
    language: LanguageSchema,
    subject: Type.Optional(Part('Render this instead of the saved subject.')),
    text: Type.Optional(Part('Render this instead of the saved text body.')),
    html: Type.Optional(Part('Render this instead of the saved HTML body.')),
    sms: Type.Optional(Part('Render this instead of the saved SMS.')),
    code: Type.Optional(Type.Boolean({ description: 'Include a sample one-time code.' })),
    identifier_kind: Type.Optional(Type.Union([Type.Literal('email'), Type.Literal('phone')])),
  },
  { additionalProperties: false },
);

/**
 * The app's message templates: per link type and language, a subject, text and HTML bodies and an SMS. Reading
 * shows the effective template (the built-in one with the app's overrides); saving validates the result first.
 */
export function templateRoutes(ctx: TemplateTestContext): RouteGroups {
  return {
    apiKey: async (app) => {
      const tags = ['templates'];

      app.get(
        '/v1/templates',
        { schema: { tags, summary: 'List the message templates, every type in every language' } },
        async (request) => {
          const appId = actingApp(request);
          return { data: await listTemplates(ctx, appId), next_cursor: null };
        },
      );

      app.get(
        '/v1/templates/:type/:language',
        { schema: { tags, summary: 'Read one message template', params: Params } },
        async (request) => {
          const appId = actingApp(request);
          return getTemplate(ctx, appId, request.params.type, request.params.language);
        },
      );

      app.put(
        '/v1/templates/:type/:language',
        {
          schema: {
            tags,
            summary: 'Override parts of a message template (validated before it is saved)',
            params: Params,
            body: PutBody,
          },
        },
        async (request) => {
          const appId = actingApp(request);
          return saveTemplate(ctx, appId, request.params.type, request.params.language, request.body);
        },
      );

      app.delete(
        '/v1/templates/:type/:language',
        { schema: { tags, summary: 'Return a message template to the built-in one', params: Params } },
        async (request) => {
          const appId = actingApp(request);
          return resetTemplate(ctx, appId, request.params.type, request.params.language);
        },
      );

      app.post(
        '/v1/templates/:type/:language/test',
        {
          schema: {
            tags,
            summary:
              'Send the template (or a draft of it) with sample data to one address now, through the real transport',
            params: Params,
            body: TestBody,
          },
        },
        async (request) => {
          const appId = actingApp(request);
          const { type, language } = request.params;
          return sendTestMessage(ctx, appId, type, language, request.body);
        },
      );

      app.post(
        '/v1/templates/preview',
        {
          schema: {
            tags,
            summary: 'Render a message template with sample data',
            body: PreviewBody,
          },
        },
        async (request) => {
          const appId = actingApp(request);
          return previewTemplate(ctx, appId, request.body);
        },
      );
    },
  };
}
