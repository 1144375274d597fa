/**
 * Message templates as the API shows them: the effective template (built-in parts with the app's overrides), a
 * rendering of one with sample data, and the answer of a test send.
 */
import { Type } from 'typebox';
import { Named, Nullable, Timestamp } from '../../http/schemas.js';
import { LANGUAGES, type Language } from '../../pages/languages.js';
import type { LinkType } from '../../storage/schema.js';
import { LINK_TYPES } from './default-templates.js';

// Strings with their values as an enum: typed as the values, listed as such in the reference.
const LinkTypeName = Type.Unsafe<LinkType>({ type: 'string', enum: [...LINK_TYPES] });
const LanguageName = Type.Unsafe<Language>({ type: 'string', enum: [...LANGUAGES] });

const partFields = {
  subject: Type.String({ description: 'The email subject, one line.' }),
  text: Type.String({ description: 'The plain-text body of the email.' }),
  html: Type.String({ description: 'The HTML body of the email.' }),
  sms: Type.String({ description: 'The SMS.' }),
};

/** A template as the app's messages use it. */
export const Template = Named(
  'Template',
  Type.Object(
    {
      type: LinkTypeName,
      language: LanguageName,
      ...partFields,
      overridden: Type.Object(
        {
          subject: Type.Boolean(),
          text: Type.Boolean(),
          html: Type.Boolean(),
          sms: Type.Boolean(),
        },
        { description: 'Which parts are the app’s own; the others are built in.' },
      ),
      updated_at: Nullable({
        ...Timestamp,
        description: 'When the app last changed it; null when all built in.',
      }),
    },
    {
      description: 'A message template (Mustache: {{app_name}}, {{link_url}}, {{expires_in}}, {{code}}, …)',
      examples: [
        {
          type: 'login',
          language: 'en',
          subject: 'Your sign-in link for {{app_name}}',
          text: 'Sign in to {{app_name}}\n\nHere’s your link to sign in to {{app_name}} as {{identifier}}.\n\n{{link_url}}\n…',
          html: '<!DOCTYPE html>\n<html lang="en" dir="ltr">…',
          sms: '{{app_name}}: sign in with {{link_url}}{{#code}} or enter code {{code}}{{/code}} (expires in {{expires_in}})',
          overridden: { subject: true, text: false, html: false, sms: false },
          updated_at: '2026-12-06T10:00:00.000Z',
        },
      ],
    },
  ),
);

/** A template filled in with sample data: what a person would receive. */
export const RenderedTemplate = Named(
  'RenderedTemplate',
  Type.Object(partFields, {
    description: 'The template rendered with a sample link (and code)',
  }),
);

/** What a test send answers: where it went and what the transport said. */
export const TemplateTestResult = Named(
  'TemplateTestResult',
  Type.Object(
    {
      sent: Type.Literal(true),
      channel: Type.Union([Type.Literal('email'), Type.Literal('phone')]),
      to: Type.String({ description: 'The address or number, as the message was sent to it.' }),
      message_id: Type.String({ description: 'Our id of the message (`msg_…`), also in its headers.' }),
      transport: Type.String({
        description: '`smtp`, `twilio`, `hook`, or `log` on a development server (printed, not sent).',
      }),
      answer: Type.Object(
        {
          provider_id: Nullable(
            Type.String({ description: 'The provider’s id of the message, if it gave one.' }),
          ),
          accepted: Type.Boolean({ description: 'The receiving mail server answered 250 to it.' }),
          detail: Type.String({ description: 'What that means, in words.' }),
        },
        { description: 'What the transport reported.' },
      ),
    },
    {
      description: 'The transport took the test message',
      examples: [
        {
          sent: true,
          channel: 'email',
          to: 'jane@example.com',
          message_id: 'msg_01jf3m7r9t1v3x5z7b9d1f3h5k',
          transport: 'smtp',
          answer: {
            provider_id: '<msg_01jf3m7r9t1v3x5z7b9d1f3h5k@auth.example.com>',
            accepted: true,
            detail: 'The receiving server accepted the message (SMTP 250).',
          },
        },
      ],
    },
  ),
);
