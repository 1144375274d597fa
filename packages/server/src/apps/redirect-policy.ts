/**
 * Where a link may send a person afterwards. Targets are parsed with the WHATWG URL parser (the one browsers
 * use) and compared field by field with the app's allowlist: scheme, host and port exactly, path by whole
 * segments. There is no string-prefix matching anywhere, so `https://good.example.evil.test` or
 * `https://good.example@evil.test` can never pass for `https://good.example`.
 */

export interface AllowEntry {
  protocol: string;
  hostname: string;
  port: string;
  /** Always begins with '/'; '/' allows every path. */
  path: string;
}

export type RedirectCheck = { ok: true; url: string } | { ok: false; reason: string };

const MAX_LENGTH = 2048;
// Printable ASCII without space and backslash: browsers treat '\' as '/', and control or space characters are
// silently stripped by parsers, both classic ways to make two parsers disagree about the host.
const SAFE_CHARS = /^[\x21-\x5b\x5d-\x7e]+$/;

/** Parses one `allowed_redirects` entry; returns a sentence saying what is wrong when it cannot be used. */
export function parseAllowEntry(raw: string): AllowEntry | string {
  const url = parseAbsolute(raw);
  if (typeof url === 'string') return url;
  if (url.search !== '' || url.hash !== '' || raw.includes('?') || raw.includes('#')) {
    return 'must not have a query or fragment';
  }
  return { protocol: url.protocol, hostname: url.hostname, port: url.port, path: url.pathname };
}

/** Checks a redirect target against the allowlist and returns its normalised form. */
export function checkRedirect(target: string, allowlist: readonly string[]): RedirectCheck {
  const url = parseAbsolute(target);
  if (typeof url === 'string') return { ok: false, reason: `redirect_url ${url}` };
  for (const raw of allowlist) {
    const entry = parsedAllowEntry(raw);
    if (typeof entry !== 'string' && matches(url, entry)) return { ok: true, url: url.href };
  }
  return { ok: false, reason: 'redirect_url is not on the allowed_redirects list of this app' };
}

/**
 * Allowlist entries as parsed, by their text: every link creation checks its redirect against its app's list, and
 * parsing each entry again with the URL parser was a few per cent of a create's CPU. An entry's parse depends only
 * on its text, so the cache can never be stale; it is emptied when it holds too many texts.
 */
const parsedEntries = new Map<string, AllowEntry | string>();
const MAX_PARSED_ENTRIES = 10_000;

function parsedAllowEntry(raw: string): AllowEntry | string {
  let entry = parsedEntries.get(raw);
  if (entry === undefined) {
    if (parsedEntries.size >= MAX_PARSED_ENTRIES) parsedEntries.clear();
    entry = parseAllowEntry(raw);
    parsedEntries.set(raw, entry);
  }
  return entry;
}

function matches(url: URL, entry: AllowEntry): boolean {
  if (url.protocol !== entry.protocol || url.hostname !== entry.hostname || url.port !== entry.port)
    return false;
  if (entry.path === '/') return true;
  // Encoded slashes and backslashes are left alone by the URL parser, but servers that decode them before resolving
  // `..` would step out of the allowed prefix.
  if (/%2f|%5c/i.test(url.pathname)) return false;
  const prefix = entry.path.endsWith('/') ? entry.path : `${entry.path}/`;
  return (
    url.pathname === entry.path || url.pathname === prefix.slice(0, -1) || url.pathname.startsWith(prefix)
  );
}

function parseAbsolute(raw: string): URL | string {
  if (raw.length === 0 || raw.length > MAX_LENGTH) return `must be 1 to ${MAX_LENGTH} characters`;
  if (!SAFE_CHARS.test(raw))
    return 'must be printable ASCII without spaces or backslashes (use punycode for international names)';
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw);
  if (!scheme || !['http', 'https'].includes(scheme[1]!.toLowerCase()))
    return 'must be an absolute http or https URL';
  // Userinfo (`https://good@evil`) is refused outright, whatever the parser would make of it.
  const authority = raw.slice(scheme[0].length).split(/[/?#]/, 1)[0] ?? '';
  if (authority.includes('@')) return 'must not contain a user name or password';
  if (authority === '') return 'must name a host';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a valid URL';
  }
  if (url.hostname === '' || url.username !== '' || url.password !== '')
    return 'must name a host and no credentials';
  return url;
}

/** Adds a query parameter to a URL that passed `checkRedirect`, keeping its own query and fragment. */
export function withQueryParam(target: string, name: string, value: string): string {
  const url = new URL(target);
  url.searchParams.set(name, value);
  return url.href;
}
