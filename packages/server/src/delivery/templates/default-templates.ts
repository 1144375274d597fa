/**
 * The built-in message templates: per link type and language, a subject, a plain-text body, an HTML body and an SMS,
 * each a mustache template. They are put together once, at start-up, from the words in `strings-*.ts` and one email
 * layout, and an app may override any part of them (`template-service.ts`).
 */
import { LINK_TYPES } from '../../apps/app-settings.js';
import { LANGUAGES, type Language } from '../../pages/languages.js';
import type { LinkType } from '../../storage/schema.js';
import type { KindStrings, LanguageStrings } from './language-strings.js';
import type { TemplateParts } from './render.js';
import { STRINGS } from './strings.js';

export { LINK_TYPES };

/**
 * The names a template may use, as `{{name}}` or as a section `{{#name}}…{{/name}}` / `{{^name}}…{{/name}}`.
 * `code` is empty when the message carries no code; `is_email` / `is_phone` say what kind of identifier it is.
 */
export const TEMPLATE_VARIABLES = [
  'app_name',
  'link_url',
  'expires_in',
  'code',
  'identifier',
  'is_email',
  'is_phone',
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

// Colours: text #1f2937 and muted #4b5563 on white, white on the #1d4ed8 button, and the dark-mode pairs, all at
// least 4.5:1 (WCAG AA). The dark-mode block is for clients that honour prefers-color-scheme; the others keep the
// light colours, which still read well when a client inverts them.
const FONT =
  "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,'PingFang SC','Microsoft YaHei',sans-serif";
const BODY_TEXT = `font-family:${FONT};font-size:16px;line-height:1.5;color:#1f2937;`;
const MUTED = 'font-size:14px;line-height:1.5;color:#4b5563;';

const BUILT_IN: Record<LinkType, Record<Language, TemplateParts>> = {
  login: forEachLanguage((s) => s.login),
  // Phone wording when the identifier is a phone number, email wording otherwise.
  verify_identifier: forEachLanguage((s) => byKind(s.verifyEmail, s.verifyPhone)),
  invite: forEachLanguage((s) => s.invite),
};

/** The built-in parts for a link type and language (a fresh copy: callers may change it). */
export function defaultTemplate(type: LinkType, language: Language): TemplateParts {
  return { ...BUILT_IN[type][language] };
}

function forEachLanguage(kind: (strings: LanguageStrings) => KindStrings): Record<Language, TemplateParts> {
  const out = {} as Record<Language, TemplateParts>;
  for (const language of LANGUAGES)
    out[language] = compose(kind(STRINGS[language]), STRINGS[language], language);
  return out;
}

/** One kind's strings where each field chooses between the email and the phone wording at render time. */
function byKind(email: KindStrings, phone: KindStrings): KindStrings {
  const pick = (a: string, b: string) =>
    a === b ? a : `{{^is_phone}}${a}{{/is_phone}}{{#is_phone}}${b}{{/is_phone}}`;
  return {
    subject: pick(email.subject, phone.subject),
    intro: pick(email.intro, phone.intro),
    button: pick(email.button, phone.button),
    ignore: pick(email.ignore, phone.ignore),
    sms: pick(email.sms, phone.sms),
  };
}

function compose(kind: KindStrings, s: LanguageStrings, language: Language): TemplateParts {
  const expires = `{{#code}}${s.expiresWithCode}{{/code}}{{^code}}${s.expires}{{/code}}`;
  const text = [
    kind.subject,
    '',
    kind.intro,
    '',
    '{{link_url}}',
    '',
    // Section tags alone on a line leave no blank line behind when the section is empty.
    '{{#code}}',
    s.code,
    '',
    '{{/code}}',
    expires,
    '',
    kind.ignore,
    '',
  ].join('\n');
  return {
    subject: kind.subject,
    text,
    html: emailHtml(kind, s, expires, language),
    sms: kind.sms,
  };
}

/** Escapes the literal words of a string for HTML; mustache tags pass through (their values are escaped on render). */
function words(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function emailHtml(kind: KindStrings, s: LanguageStrings, expires: string, language: Language): string {
  const code = words(s.code).replace(
    '{{code}}',
    '<strong class="lk-strong" style="font-family:Consolas,Menlo,monospace;font-size:22px;letter-spacing:2px;color:#111827;white-space:nowrap;">{{code}}</strong>',
  );
  return `<!DOCTYPE html>
<html lang="${language === 'zh' ? 'zh-Hans' : language}" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<meta name="color-scheme" content="light dark">
<meta name="supported-color-schemes" content="light dark">
<title>${words(kind.subject)}</title>
<style>
@media (prefers-color-scheme: dark) {
  .lk-page { background-color: #111827 !important; }
  .lk-card { background-color: #1f2937 !important; }
  .lk-text, .lk-strong { color: #f3f4f6 !important; }
  .lk-muted { color: #d1d5db !important; }
  .lk-link { color: #93c5fd !important; }
}
</style>
</head>
<body class="lk-page" style="margin:0;padding:0;background-color:#f3f4f6;">
<table role="presentation" class="lk-page" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f3f4f6;">
<tr>
<td align="center" style="padding:24px 12px;">
<table role="presentation" class="lk-card" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:520px;background-color:#ffffff;border-radius:8px;">
<tr>
<td class="lk-text" style="padding:32px 28px;${BODY_TEXT}">
<h1 class="lk-text" style="margin:0 0 16px;font-size:22px;line-height:1.3;font-weight:700;color:#111827;">${words(kind.subject)}</h1>
<p class="lk-text" style="margin:0 0 24px;">${words(kind.intro)}</p>
<table role="presentation" cellpadding="0" cellspacing="0" border="0">
<tr>
<td align="center" bgcolor="#1d4ed8" style="border-radius:6px;background-color:#1d4ed8;">
<a href="{{link_url}}" target="_blank" style="display:inline-block;padding:12px 24px;border:1px solid #1d4ed8;border-radius:6px;font-family:${FONT};font-size:16px;font-weight:600;line-height:1.25;color:#ffffff;text-decoration:none;">${words(kind.button)}</a>
</td>
</tr>
</table>
{{#code}}
<p class="lk-text" style="margin:24px 0 0;">${code}</p>
{{/code}}
<p class="lk-text" style="margin:24px 0 0;">${words(expires)}</p>
<p class="lk-muted" style="margin:24px 0 4px;${MUTED}">${words(s.copyLink)}</p>
<p class="lk-muted" style="margin:0;${MUTED}word-break:break-all;"><a class="lk-link" href="{{link_url}}" target="_blank" style="color:#1d4ed8;text-decoration:underline;">{{link_url}}</a></p>
<p class="lk-muted" style="margin:24px 0 0;padding-top:16px;border-top:1px solid #e5e7eb;${MUTED}">${words(kind.ignore)}</p>
</td>
</tr>
</table>
</td>
</tr>
</table>
</body>
</html>
`;
}
