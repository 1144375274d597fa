/**
 * Renders message templates. HTML bodies escape every value; the subject, the text body and the SMS are not HTML
 * and take the values as they are. Escaping is chosen per call (mustache's `Mustache.escape` is global and is never
 * touched here), and the subject is folded onto one line so no value can add a mail header.
 */
import Mustache from 'mustache';

export interface TemplateParts {
  subject: string;
  text: string;
  html: string;
  sms: string;
}

export interface TemplateData {
  app_name: string;
  link_url: string;
  expires_in: string;
  code?: string | undefined;
  identifier: string;
  is_email: boolean;
  is_phone: boolean;
}

export const TEMPLATE_PARTS = ['subject', 'text', 'html', 'sms'] as const satisfies ReadonlyArray<
  keyof TemplateParts
>;
export type TemplatePart = (typeof TEMPLATE_PARTS)[number];

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Safe in text and in quoted attribute values; leaves `/` alone so links stay readable in the source. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

const asIs = (value: unknown): string => String(value);

/**
 * A writer of our own rather than mustache's shared one: its parse cache would otherwise keep every template ever
 * rendered. Overrides are few, so a small cache that starts over when full is enough.
 */
const writer = new Mustache.Writer();
const cached = new Set<string>();
const CACHE_LIMIT = 200;

function render(template: string, data: TemplateData, escapeValue: (value: unknown) => string): string {
  if (!cached.has(template)) {
    if (cached.size >= CACHE_LIMIT) {
      writer.clearCache();
      cached.clear();
    }
    cached.add(template);
  }
  return writer.render(template, data, {}, { escape: escapeValue });
}

/** Line breaks (and the Unicode ones mail clients may honour) become spaces; runs of white space become one. */
export function oneLine(value: string): string {
  return value
    .replace(/[\r\n\u0085\u2028\u2029]+/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

// Values are inserted once and never read as templates, so a `{{` in an app's name stays text.

/** What an email carries; the worker renders only the parts of the channel it sends on. */
export function renderEmailParts(parts: TemplateParts, data: TemplateData): Omit<TemplateParts, 'sms'> {
  return {
    subject: oneLine(render(parts.subject, data, asIs)),
    text: render(parts.text, data, asIs),
    html: render(parts.html, data, escapeHtml),
  };
}

export function renderSmsPart(parts: TemplateParts, data: TemplateData): string {
  return render(parts.sms, data, asIs).trim();
}

export function renderParts(parts: TemplateParts, data: TemplateData): TemplateParts {
  return { ...renderEmailParts(parts, data), sms: renderSmsPart(parts, data) };
}
