import { Type } from 'typebox';
import { actingApp } from '../../http/auth.js';
import { errorResponse } from '../../http/openapi.js';
import type { RouteGroups } from '../../http/routes.js';
import { Nullable, Page } from '../../http/schemas.js';
import { LANGUAGES } from '../../pages/languages.js';
import { LINK_TYPES } from './default-templates.js';
import { RenderedTemplate, Template, TemplateTestResult } from './template-present.js';
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
    examples: [{ subject: 'Your sign-in link for {{app_name}}', sms: null }],
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
  {
    additionalProperties: false,
    examples: [
      { to: 'jane@example.com' },
      { to: '+14155550123', sms: '{{app_name}}: {{link_url}} (code {{code}})', code: true },
    ],
  },
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
  {
    additionalProperties: false,
    examples: [{ type: 'login', language: 'en', subject: 'Your sign-in link for {{app_name}}', code: true }],
  },
);

/** A test message the mail server or SMS provider refused for good: its answer is in the message. */
const TransportRefused = {
  ...errorResponse(502),
  description:
    'The mail server or SMS provider refused the test message (`transport_refused`); its answer is in `message`.',
};
const TransportUnavailable = {
  ...errorResponse(503),
  description:
    'The mail server or SMS provider could not be reached or failed for a reason that may pass (`transport_unavailable`), or storage is unavailable; retry in a minute.',
};

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
        {
          schema: {
            operationId: 'listTemplates',
            tags,
            summary: 'List the message templates, every type in every language',
            response: { 200: Page(Template, 'Every link type in every language, on one page') },
          },
        },
        async (request) => {
          const appId = actingApp(request);
          return { data: await listTemplates(ctx, appId), next_cursor: null };
        },
      );

      app.get(
        '/v1/templates/:type/:language',
        {
          schema: {
            operationId: 'getTemplate',
            tags,
            summary: 'Read one message template',
            params: Params,
            response: { 200: Template },
          },
        },
        async (request) => {
          const appId = actingApp(request);
          return getTemplate(ctx, appId, request.params.type, request.params.language);
        },
      );

      app.put(
        '/v1/templates/:type/:language',
        {
          schema: {
            operationId: 'updateTemplate',
            tags,
            summary: 'Override parts of a message template (validated before it is saved)',
            description:
              'The result (built-in parts with the overrides) must still render: every body holds {{link_url}}, the subject is one line, the SMS fits. A 400 names the part at fault in `error.param`.',
            params: Params,
            body: PutBody,
            response: { 200: { ...Template, description: 'The template as saved' } },
          },
        },
        async (request) => {
          const appId = actingApp(request);
          return saveTemplate(ctx, appId, request.params.type, request.params.language, request.body);
        },
      );

      app.delete(
        '/v1/templates/:type/:language',
        {
          schema: {
            operationId: 'resetTemplate',
            tags,
            summary: 'Return a message template to the built-in one',
            params: Params,
            response: {
              200: { ...Template, description: 'The built-in template, now in use again' },
              404: { ...errorResponse(404), description: 'The app does not override this template.' },
            },
          },
        },
        async (request) => {
          const appId = actingApp(request);
          return resetTemplate(ctx, appId, request.params.type, request.params.language);
        },
      );

      app.post(
        '/v1/templates/:type/:language/test',
        {
          schema: {
            operationId: 'sendTemplateTest',
            tags,
            summary:
              'Send the template (or a draft of it) with sample data to one address now, through the real transport',
            description:
              'Not through the outbox: the answer is what the transport said, and a failure is an error of this request (502 refused, 503 try again). At most 5 a minute per app (429).',
            params: Params,
            body: TestBody,
            response: { 200: TemplateTestResult, 502: TransportRefused, 503: TransportUnavailable },
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
            operationId: 'previewTemplate',
            tags,
            summary: 'Render a message template with sample data',
            body: PreviewBody,
            response: { 200: RenderedTemplate },
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
