/**
 * The redirect tester: would a link of this app be allowed to send a person to this URL, or to this page shortcut?
 * The verdict is `checkRedirect` against the app's `allowed_redirects`, exactly as link creation asks it; this file
 * only finds which entry matched and puts the answer in words. Nothing is stored.
 */
import { validationError } from '../errors/api-error.js';
import { getAppOrThrow } from './app-service.js';
import type { AppContext } from './app-store.js';
import { checkRedirect, parseAllowEntry } from './redirect-policy.js';

export interface RedirectCheckInput {
  url?: string | undefined;
  /** A page shortcut name, as links take it in `redirect_to`. */
  redirect_to?: string | undefined;
}

export interface RedirectCheckAnswer {
  allowed: boolean;
  /** The `allowed_redirects` entry that let it through; null when refused. */
  matched: string | null;
  /** The target as a link would store it (normalised), or the shortcut's target; null when there is none. */
  url: string | null;
  reason: string;
}

export async function checkRedirectTarget(
  ctx: AppContext,
  appId: string,
  input: RedirectCheckInput,
): Promise<RedirectCheckAnswer> {
  if ((input.url === undefined) === (input.redirect_to === undefined)) {
    throw validationError(
      'url',
      'Give either url (a full URL) or redirect_to (a page shortcut name), not both.',
    );
  }
  const { settings } = await getAppOrThrow(ctx, appId);
  const allowlist = settings.allowed_redirects;
  if (input.redirect_to === undefined) return verdict(input.url ?? '', allowlist, '');

  const name = input.redirect_to;
  const target = Object.hasOwn(settings.page_shortcuts, name) ? settings.page_shortcuts[name] : undefined;
  if (target === undefined) {
    const known = Object.keys(settings.page_shortcuts);
    return {
      allowed: false,
      matched: null,
      url: null,
      reason: `This app has no page shortcut named "${name}", so a link with this redirect_to is refused. Its shortcuts: ${known.join(', ') || 'none defined'}.`,
    };
  }
  return verdict(target, allowlist, `The shortcut "${name}" points at ${target}. `);
}

function verdict(target: string, allowlist: readonly string[], prefix: string): RedirectCheckAnswer {
  const checked = checkRedirect(target, allowlist);
  if (checked.ok) {
    // checkRedirect takes the first entry that matches; asking it entry by entry, in order, names that entry.
    const matched = allowlist.find((entry) => checkRedirect(target, [entry]).ok) ?? null;
    return {
      allowed: true,
      matched,
      url: checked.url,
      reason: `${prefix}Allowed: it matches ${matched}${scopeOf(matched)}.`,
    };
  }
  const hint = allowlist.length === 0 ? emptyListHint : nearMiss(target, allowlist);
  return {
    allowed: false,
    matched: null,
    url: null,
    reason: `${prefix}Refused: ${checked.reason}.${hint === undefined ? '' : ` ${hint}`} Links are refused with redirect_not_allowed; add the target with PATCH /v1/apps/{app_id} (allowed_redirects).`,
  };
}

const emptyListHint = 'This app allows no redirect targets at all: its allowed_redirects list is empty.';

/** What an entry lets through, in words, after a space. */
function scopeOf(entry: string | null): string {
  const parsed = entry === null ? undefined : parseAllowEntry(entry);
  if (parsed === undefined || typeof parsed === 'string') return '';
  return parsed.path === '/'
    ? ' (the same scheme, host and port; any path)'
    : ` (the same scheme, host and port; the path ${parsed.path} or below it)`;
}

/**
 * Why an entry for the same host did not match, when there is one: the most useful sentence for a person who is
 * sure "the host is on the list". Only words: the verdict above is checkRedirect's alone.
 */
function nearMiss(target: string, allowlist: readonly string[]): string | undefined {
  if (!URL.canParse(target)) return undefined;
  const url = new URL(target);
  for (const raw of allowlist) {
    const entry = parseAllowEntry(raw);
    if (typeof entry === 'string' || entry.hostname !== url.hostname) continue;
    if (entry.protocol !== url.protocol) {
      return `${raw} is on the list, but for ${entry.protocol.slice(0, -1)} only, and this URL is ${url.protocol.slice(0, -1)}.`;
    }
    if (entry.port !== url.port) {
      return `${raw} is on the list, but for port ${entry.port || 'the default'} only, and this URL names ${url.port || 'the default'}.`;
    }
    if (/%2f|%5c/i.test(url.pathname)) {
      return `${raw} allows only some paths, and encoded slashes or backslashes (%2F, %5C) in a path are never let through it.`;
    }
    return `${raw} is on the list, but only for the path ${entry.path} and below it.`;
  }
  return undefined;
}
