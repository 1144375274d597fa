/**
 * The few HTML helpers the pages need. Written by hand rather than pulling in a template engine: the pages are a
 * handful of fixed fragments, and one escaping function used everywhere is easier to audit than an engine's rules.
 */

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Safe for element content and for attribute values, as long as attributes are always double-quoted. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

const PLACEHOLDER = /\{(\w+)\}/g;

/**
 * Fills `{name}` placeholders of a translated template. The template's own text is escaped here; `htmlValues` are
 * already HTML (the caller escapes them, and may wrap them in markup). Unknown placeholders are left as text.
 */
export function fillHtml(template: string, htmlValues: Readonly<Record<string, string>>): string {
  let html = '';
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const value = htmlValues[match[1] ?? ''];
    if (value === undefined) continue;
    const start = match.index ?? 0;
    html += escapeHtml(template.slice(last, start)) + value;
    last = start + match[0].length;
  }
  return html + escapeHtml(template.slice(last));
}

/**
 * The URL itself when it is safe to put in an `href`: absolute http(s), or a same-origin path. Browsers drop tabs and
 * newlines inside URLs and read `\` as `/`, so `/\tevil.example` would become `//evil.example`; any such character
 * disqualifies the URL, as do `javascript:` and other schemes.
 */
export function safeHref(url: string | undefined): string | undefined {
  if (!url) return undefined;
  for (const char of url) {
    if (char === '\\' || char.charCodeAt(0) <= 0x20 || char.charCodeAt(0) === 0x7f) return undefined;
  }
  if (/^https?:\/\/[^/]/i.test(url)) return url;
  if (url.startsWith('/') && !url.startsWith('//')) return url;
  return undefined;
}
