/**
 * Error texts from transports end up in the outbox table, in events and in logs, which must never hold a live link or
 * sign-in code. Servers sometimes quote what we sent them (an SMTP server refusing the DATA may echo part of the body,
 * an HTTP hook may echo its input), so every such text passes through `scrub` before it leaves a transport.
 */

const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s<>"'`]+/gi;
const HTTP_URL_PATTERN = /https?:\/\/[^\s<>"'`]+/i;
/** Word-like runs; the ones carrying a digit and at least six characters can be link tokens or codes. */
const TOKEN_PATTERN = /[A-Za-z0-9_-]{6,}/g;
const MAX_ERROR_LENGTH = 300;

/** The first http(s) URL in a text, without trailing sentence punctuation; undefined when there is none. */
export function firstHttpUrl(text: string): string | undefined {
  const match = HTTP_URL_PATTERN.exec(text);
  return match ? trimUrl(match[0]) : undefined;
}

function trimUrl(url: string): string {
  return url.replace(/[.,;:!?)\]}>]+$/, '');
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes from `text` what could reveal the message it reports on:
 * - from the first run of 20 characters that also occurs in `sent` on (a server quoting the body), all of it;
 * - every URL that is in `sent`, or points at a host one of those URLs points at;
 * - every token of six or more characters with a digit in it that also occurs in `sent` (link tokens, codes).
 * `allowed` strings (the recipient's address, say) may be quoted and do not count as part of `sent`. Control
 * characters become spaces; the result is cut to 300 characters.
 */
export function scrub(text: string, sent: readonly string[], allowed: readonly string[] = []): string {
  let corpus = sent.join('\n');
  for (const value of allowed) if (value.length >= 3) corpus = corpus.split(value).join('\u0000');
  const sentUrls = (corpus.match(URL_PATTERN) ?? []).map(trimUrl);
  const sentHosts = new Set(sentUrls.map(hostOf).filter((host): host is string => host !== undefined));
  const sentTokens = new Set((corpus.match(TOKEN_PATTERN) ?? []).filter((token) => /\d/.test(token)));
  // The path and query of a sent link are secret even when a token happens to hold no digit.
  for (const url of sentUrls) {
    for (const token of url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').match(TOKEN_PATTERN) ?? []) {
      sentTokens.add(token);
    }
  }
  let result = cutQuote(oneLine(text), oneLine(corpus));
  for (const url of sentUrls) result = result.split(url).join('[link removed]');
  result = result.replace(URL_PATTERN, (url) => {
    const host = hostOf(url);
    return host !== undefined && sentHosts.has(host) ? '[link removed]' : url;
  });
  result = result.replace(TOKEN_PATTERN, (token) => (sentTokens.has(token) ? '[removed]' : token));
  return clip(result);
}

const QUOTE_WINDOW = 20;

/** Cuts `text` where it starts quoting `corpus` (a run of QUOTE_WINDOW characters found there). */
function cutQuote(text: string, corpus: string): string {
  for (let i = 0; i + QUOTE_WINDOW <= text.length; i++) {
    if (corpus.includes(text.slice(i, i + QUOTE_WINDOW))) {
      return `${text.slice(0, i).trimEnd()} [quoted message removed]`;
    }
  }
  return text;
}

/** One line, control characters folded into spaces, at most 300 characters. */
export function clip(text: string, max = MAX_ERROR_LENGTH): string {
  const line = oneLine(text);
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: folding control characters is the point
  const folded = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return folded.replace(/\s{2,}/g, ' ').trim();
}

/** True when a header value would break the header block (CR, LF or NUL). */
export function breaksHeader(value: string): boolean {
  return /[\r\n\0]/.test(value);
}
