/**
 * Checks an app's template overrides when they are saved, so a broken template is refused then and never fails a
 * send later. Each refusal names the part (`param`: subject, text, html or sms) and says how to fix it.
 */
import Mustache from 'mustache';
import { ApiError } from '../../errors/api-error.js';
import { TEMPLATE_VARIABLES } from './default-templates.js';
import { escapeHtml, type TemplateData, type TemplatePart, type TemplateParts } from './render.js';

export const LIMITS = {
  subjectChars: 200,
  bodyBytes: 100 * 1024,
  smsChars: 700,
} as const;

const LABELS: Record<TemplatePart, string> = {
  subject: 'The subject',
  text: 'The text body',
  html: 'The HTML body',
  sms: 'The SMS',
};

const ALLOWED = new Set<string>(TEMPLATE_VARIABLES);
const VARIABLE_LIST = TEMPLATE_VARIABLES.map((name) => `{{${name}}}`).join(', ');

/** Mustache's token tuple: type, name or text, start, end, and for sections their inner tokens. */
type Token = [string, string, number, number, Token[]?, number?];

function refuse(part: TemplatePart, message: string): never {
  throw new ApiError('validation_failed', message, { param: part });
}

export function validateTemplateParts(parts: Partial<TemplateParts>): void {
  for (const part of ['subject', 'text', 'html', 'sms'] as const) {
    const template = parts[part];
    if (template !== undefined) validatePart(part, template);
  }
}

function validatePart(part: TemplatePart, template: string): void {
  const label = LABELS[part];
  checkShape(part, template, label);
  const tokens = parse(part, template, label);
  checkTokens(part, tokens, label);
  if (part === 'html') checkHtml(template);
  checkRendered(part, template, label);
}

function checkShape(part: TemplatePart, template: string, label: string): void {
  if (part === 'subject') {
    if (template.trim() === '') refuse(part, 'The subject is empty. Write a short line that names the app.');
    if (/[\r\n\u0085\u2028\u2029]/.test(template)) {
      refuse(part, 'The subject must be a single line: remove the line breaks.');
    }
    if (template.length > LIMITS.subjectChars) {
      refuse(
        part,
        `The subject is ${template.length} characters long; keep it to ${LIMITS.subjectChars} at most.`,
      );
    }
    return;
  }
  if (template.trim() === '') refuse(part, `${label} is empty. It must at least contain {{link_url}}.`);
  if (part === 'sms') {
    if (template.length > LIMITS.smsChars) {
      refuse(
        part,
        `The SMS is ${template.length} characters long; keep it to ${LIMITS.smsChars} at most (one SMS segment holds 160 plain characters, or 70 with other alphabets).`,
      );
    }
    return;
  }
  const bytes = Buffer.byteLength(template, 'utf8');
  if (bytes > LIMITS.bodyBytes) {
    refuse(part, `${label} is ${Math.ceil(bytes / 1024)} KB; keep it under ${LIMITS.bodyBytes / 1024} KB.`);
  }
}

function parse(part: TemplatePart, template: string, label: string): Token[] {
  try {
    // A writer of its own, thrown away after the check, so refused templates are not kept in any cache.
    return new Mustache.Writer().parse(template) as Token[];
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return refuse(
      part,
      `${label} is not a valid template (${reason}). Check that every {{ has a matching }} and every {{#section}} is closed by {{/section}}.`,
    );
  }
}

function checkTokens(part: TemplatePart, tokens: Token[], label: string): void {
  for (const token of tokens) {
    const [type, name] = token;
    switch (type) {
      case 'text':
      case '!':
        break;
      case '>':
        refuse(
          part,
          `${label} uses the partial {{> ${name}}}; partials are not supported. Write the text inline.`,
        );
        break;
      case '=':
        refuse(part, `${label} changes the tag delimiters ({{=…=}}); that is not supported. Use {{ and }}.`);
        break;
      default: {
        if (!ALLOWED.has(name)) {
          const shown =
            type === 'name' ? `{{${name}}}` : type === '&' ? `{{{${name}}}}` : `{{${type}${name}}}`;
          refuse(
            part,
            `${label} uses ${shown}, which is not a template variable. Use one of ${VARIABLE_LIST}.`,
          );
        }
        if (type === '&' && part === 'html') {
          refuse(
            part,
            `The HTML body inserts ${name} without HTML escaping ({{{${name}}}} or {{& ${name}}}); write {{${name}}} instead.`,
          );
        }
        if (token[4]) checkTokens(part, token[4], label);
      }
    }
  }
}

/** Things that have no place in an email: scripts, and anything that loads from a server when the mail is opened. */
function checkHtml(html: string): void {
  const rules: Array<[RegExp, string]> = [
    [/<script\b/i, 'The HTML body contains a <script> tag; mail clients do not run scripts. Remove it.'],
    [
      /<[a-z][^>]*\son[a-z]+\s*=/i,
      'The HTML body contains an event handler attribute (onclick, onload, …); mail clients do not run scripts. Remove it.',
    ],
    [
      /\b(?:href|src|action)\s*=\s*["']?\s*javascript:/i,
      'The HTML body contains a javascript: link. Link to {{link_url}} or to a web page instead.',
    ],
    [
      /<link\b/i,
      'The HTML body contains a <link> tag (such as <link rel="stylesheet">), which loads a file from another server when the mail is opened. Put the styles inline or in a <style> block.',
    ],
    [
      /<img\b[^>]*\bsrc(?:set)?\s*=\s*["']?\s*(?!data:|cid:)[^\s"'>]/i,
      'The HTML body loads an image from a server (<img src="http…">); such images tell the sender when a mail is opened (tracking pixels). Remove it, or embed the image as a data: URL.',
    ],
    [
      /@import\b|url\(\s*["']?\s*(?:https?:|\/\/)/i,
      'The HTML body loads styles or background images from another server (@import or url(http…)). Put the styles inline and embed any image.',
    ],
  ];
  for (const [pattern, message] of rules) {
    if (pattern.test(html)) refuse('html', message);
  }
}

const SAMPLE_LINK = 'https://latchkey.invalid/l/template-check-0123456789';

/**
 * Renders the template the four ways a message can look (email or phone, with or without a code) and checks that
 * the link is in every one of them, so a `{{#code}}` around the link cannot drop it from messages without a code.
 */
function checkRendered(part: TemplatePart, template: string, label: string): void {
  const writer = new Mustache.Writer();
  for (const is_phone of [false, true]) {
    for (const code of ['7KQ4-MZ', undefined]) {
      const data: TemplateData = {
        app_name: 'Example',
        link_url: SAMPLE_LINK,
        expires_in: '15 minutes',
        code,
        identifier: is_phone ? '+14155550123' : 'jane@example.com',
        is_email: !is_phone,
        is_phone,
      };
      const output = writer.render(template, data, {}, { escape: escapeHtml });
      const when = `for ${is_phone ? 'a phone number' : 'an email address'} ${code ? 'with' : 'without'} a code`;
      if (part === 'subject') {
        if (output.trim() === '')
          refuse(part, `The subject comes out empty ${when}. Keep some text outside sections.`);
      } else if (!output.includes(SAMPLE_LINK)) {
        refuse(
          part,
          `${label} must contain {{link_url}}, and it would be missing ${when}. Put {{link_url}} outside any {{#…}} section.`,
        );
      }
    }
  }
}
