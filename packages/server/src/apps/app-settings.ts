/**
 * An app's settings: their defaults, and the checks every change must pass before anything is stored. Types and
 * shapes are checked by the route schema; the rules that relate one value to another live here.
 */
import { validationError } from '../errors/api-error.js';
import type { Language } from '../pages/languages.js';
import { LINK_TYPES, type LinkType } from '../storage/schema.js';
import { isPhoneRegion } from '../users/normalize.js';
import { checkRedirect, parseAllowEntry } from './redirect-policy.js';

export { LINK_TYPES };

/**
 * Where a new installation's default app sends people after sign-in until its operator sets a redirect: Latchkey's
 * own signed-in page (welcome/), which shows what the app's backend would receive.
 */
export function welcomeUrl(publicUrl: string, appId: string): string {
  return `${publicUrl}/welcome/${appId}`;
}

/** No link lives longer than 30 days, whatever an app asks for. */
export const ABSOLUTE_MAX_TTL_MINUTES = 30 * 24 * 60;

export interface AppSettings {
  public_url: string | null;
  site_url: string | null;
  allowed_redirects: string[];
  default_redirect_url: string | null;
  page_shortcuts: Record<string, string>;
  default_shortcut: string | null;
  ttl_minutes: Record<LinkType, number>;
  max_ttl_minutes: number;
  session_duration_minutes: number;
  access_token_minutes: number;
  default_language: Language;
  /** ISO 3166 region (`GB`) a phone number written without `+` is read in; null: every number needs `+`. */
  default_phone_region: string | null;
  scanner_protection: 'confirm' | 'auto';
  auto_create_users: boolean;
  /** Let a stateless signed link sign in again until it expires (off: each token works once). */
  signed_links_reusable: boolean;
  sender: { name: string | null; email: string | null };
  /** How often each kind of caller may ask; see docs/configuration.md#rate-limits. */
  rate_limits: RateLimitSettings;
}

/** A limit of 0 switches that rule off. */
export interface RateLimitSetting {
  limit: number;
  window_seconds: number;
}

export interface RateLimitSettings {
  login_sends_per_identifier: RateLimitSetting;
  login_resend_cooldown_seconds: number;
  code_attempts_per_identifier: RateLimitSetting;
  public_requests_per_ip: RateLimitSetting;
  api_requests_per_key: RateLimitSetting;
}

export type RateLimitRuleName = Exclude<keyof RateLimitSettings, 'login_resend_cooldown_seconds'>;
export const RATE_LIMIT_RULES: readonly RateLimitRuleName[] = [
  'login_sends_per_identifier',
  'code_attempts_per_identifier',
  'public_requests_per_ip',
  'api_requests_per_key',
];
/** The longest window any rule may have: a day. */
export const MAX_RATE_LIMIT_WINDOW_SECONDS = 86_400;

/** The reasons for each default are in docs/configuration.md#rate-limits. */
export function defaultRateLimits(): RateLimitSettings {
  return {
    login_sends_per_identifier: { limit: 5, window_seconds: 900 },
    login_resend_cooldown_seconds: 30,
    code_attempts_per_identifier: { limit: 10, window_seconds: 900 },
    public_requests_per_ip: { limit: 60, window_seconds: 60 },
    api_requests_per_key: { limit: 600_000, window_seconds: 60 },
  };
}

export function defaultSettings(): AppSettings {
  return {
    public_url: null,
    site_url: null,
    allowed_redirects: [],
    default_redirect_url: null,
    page_shortcuts: {},
    default_shortcut: null,
    // Short for sign-in, longer for verification, a week for invitations: one expiry for every type is a
    // common complaint about other services.
    ttl_minutes: { login: 15, verify_identifier: 24 * 60, invite: 7 * 24 * 60 },
    max_ttl_minutes: ABSOLUTE_MAX_TTL_MINUTES,
    session_duration_minutes: 7 * 24 * 60,
    access_token_minutes: 15,
    default_language: 'en',
    default_phone_region: null,
    scanner_protection: 'confirm',
    auto_create_users: true,
    signed_links_reusable: false,
    sender: { name: null, email: null },
    rate_limits: defaultRateLimits(),
  };
}

/**
 * Settings as stored may predate a newer field; missing fields take today's defaults. Every request reads its app's
 * settings, so the parsed object is kept per stored text (deeply frozen: callers build changed copies, never edit).
 */
export function readSettings(json: string): AppSettings {
  let settings = parsedSettings.get(json);
  if (settings === undefined) {
    settings = deepFreeze(parseSettings(json));
    if (parsedSettings.size >= PARSED_SETTINGS_LIMIT) parsedSettings.clear();
    parsedSettings.set(json, settings);
  }
  return settings;
}

const parsedSettings = new Map<string, AppSettings>();
const PARSED_SETTINGS_LIMIT = 1000;

function parseSettings(json: string): AppSettings {
  const stored = JSON.parse(json) as Partial<AppSettings>;
  const defaults = defaultSettings();
  return {
    ...defaults,
    ...stored,
    ttl_minutes: { ...defaults.ttl_minutes, ...stored.ttl_minutes },
    sender: { ...defaults.sender, ...stored.sender },
    rate_limits: mergeRateLimits(defaults.rate_limits, stored.rate_limits),
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

export type RateLimitsPatch = Partial<
  Omit<RateLimitSettings, RateLimitRuleName> & Record<RateLimitRuleName, Partial<RateLimitSetting>>
>;

export type SettingsPatch = Partial<Omit<AppSettings, 'ttl_minutes' | 'sender' | 'rate_limits'>> & {
  ttl_minutes?: Partial<Record<LinkType, number>>;
  sender?: Partial<AppSettings['sender']>;
  rate_limits?: RateLimitsPatch;
};

/** One level for the cooldown, two for the rules: a patch may change only a rule's `limit`. */
function mergeRateLimits(current: RateLimitSettings, patch: RateLimitsPatch | undefined): RateLimitSettings {
  if (!patch) return current;
  const next: RateLimitSettings = { ...current };
  if (patch.login_resend_cooldown_seconds !== undefined)
    next.login_resend_cooldown_seconds = patch.login_resend_cooldown_seconds;
  for (const name of RATE_LIMIT_RULES) {
    next[name] = { ...current[name], ...stripUndefined(patch[name] ?? {}) };
  }
  return next;
}

/** Applies a patch and validates the result as a whole; throws `validation_failed` naming the field. */
export function applySettingsPatch(current: AppSettings, patch: SettingsPatch): AppSettings {
  const next: AppSettings = {
    ...current,
    ...stripUndefined(patch),
    ttl_minutes: { ...current.ttl_minutes, ...stripUndefined(patch.ttl_minutes ?? {}) },
    sender: { ...current.sender, ...stripUndefined(patch.sender ?? {}) },
    rate_limits: mergeRateLimits(current.rate_limits, patch.rate_limits),
  };
  validateSettings(next);
  return next;
}

export function validateSettings(s: AppSettings): void {
  checkBaseUrl('public_url', s.public_url);
  checkBaseUrl('site_url', s.site_url);
  s.allowed_redirects.forEach((entry, i) => {
    const parsed = parseAllowEntry(entry);
    if (typeof parsed === 'string')
      throw validationError(`allowed_redirects[${i}]`, `allowed_redirects[${i}] ${parsed}.`);
  });
  if (s.default_redirect_url !== null)
    checkAllowed('default_redirect_url', s.default_redirect_url, s.allowed_redirects);
  for (const [name, target] of Object.entries(s.page_shortcuts)) {
    if (!/^[a-z0-9_-]{1,64}$/.test(name)) {
      throw validationError(
        `page_shortcuts.${name}`,
        'Shortcut names use a-z, 0-9, _ and - (at most 64 characters).',
      );
    }
    checkAllowed(`page_shortcuts.${name}`, target, s.allowed_redirects);
  }
  if (s.default_shortcut !== null && !Object.hasOwn(s.page_shortcuts, s.default_shortcut)) {
    throw validationError(
      'default_shortcut',
      `default_shortcut must name one of page_shortcuts (${Object.keys(s.page_shortcuts).join(', ') || 'none defined'}).`,
    );
  }
  if (s.max_ttl_minutes > ABSOLUTE_MAX_TTL_MINUTES) {
    throw validationError(
      'max_ttl_minutes',
      `max_ttl_minutes may be at most ${ABSOLUTE_MAX_TTL_MINUTES} (30 days).`,
    );
  }
  for (const type of LINK_TYPES) {
    if (s.ttl_minutes[type] > s.max_ttl_minutes) {
      throw validationError(
        `ttl_minutes.${type}`,
        `ttl_minutes.${type} (${s.ttl_minutes[type]}) is above max_ttl_minutes (${s.max_ttl_minutes}).`,
      );
    }
  }
  if (s.sender.email !== null && !/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(s.sender.email)) {
    throw validationError('sender.email', 'sender.email must be an email address such as login@example.com.');
  }
  if (s.default_phone_region !== null && !isPhoneRegion(s.default_phone_region)) {
    throw validationError(
      'default_phone_region',
      'default_phone_region must be a two-letter region code in capitals, such as GB or US (or null for none).',
    );
  }
  validateRateLimits(s.rate_limits);
}

function validateRateLimits(r: RateLimitSettings): void {
  for (const name of RATE_LIMIT_RULES) {
    const { limit, window_seconds } = r[name];
    if (!Number.isInteger(limit) || limit < 0 || limit > 1_000_000_000) {
      throw validationError(
        `rate_limits.${name}.limit`,
        `rate_limits.${name}.limit must be a whole number from 0 (off) to 1000000000.`,
      );
    }
    if (
      !Number.isInteger(window_seconds) ||
      window_seconds < 1 ||
      window_seconds > MAX_RATE_LIMIT_WINDOW_SECONDS
    ) {
      throw validationError(
        `rate_limits.${name}.window_seconds`,
        `rate_limits.${name}.window_seconds must be a whole number of seconds from 1 to ${MAX_RATE_LIMIT_WINDOW_SECONDS} (a day).`,
      );
    }
  }
  const cooldown = r.login_resend_cooldown_seconds;
  if (!Number.isInteger(cooldown) || cooldown < 0 || cooldown > 3600) {
    throw validationError(
      'rate_limits.login_resend_cooldown_seconds',
      'rate_limits.login_resend_cooldown_seconds must be a whole number of seconds from 0 (off) to 3600.',
    );
  }
}

/**
 * The host a `public_url` claims, spelled one way so that one host is one string: the URL parser's lower-case
 * (punycode) hostname without a trailing dot, then the port unless it is 80 or 443. A host is host and port, since
 * two ports are two origins; the default ports count as no port, whichever scheme names them, because a request's
 * `Host` header does not say which scheme it came over. Null when there is no public_url of the app's own.
 * (Migration 0010 keeps a copy of this rule; a test checks that the two agree.)
 */
export function publicHostOf(publicUrl: string | null): string | null {
  if (publicUrl === null || !URL.canParse(publicUrl)) return null;
  return hostOfUrl(new URL(publicUrl));
}

/** A request's `Host` header spelled the way `publicHostOf` spells hosts; undefined when it is no host at all. */
export function requestHostOf(host: string): string | undefined {
  // The header comes from the client: anything that could make the parser see another host than intended
  // (userinfo, a path, a query) is no host at all.
  if (!/^[A-Za-z0-9._~:[\]-]+$/.test(host) || !URL.canParse(`http://${host}`)) return undefined;
  return hostOfUrl(new URL(`http://${host}`)) ?? undefined;
}

function hostOfUrl(url: URL): string | null {
  const hostname = url.hostname.replace(/\.$/, '');
  if (hostname === '') return null;
  return url.port === '' || url.port === '80' || url.port === '443' ? hostname : `${hostname}:${url.port}`;
}

function checkBaseUrl(field: string, value: string | null): void {
  if (value === null) return;
  const problem = parseAllowEntry(value);
  if (typeof problem === 'string') throw validationError(field, `${field} ${problem}.`);
}

function checkAllowed(field: string, target: string, allowlist: string[]): void {
  const result = checkRedirect(target, allowlist);
  if (!result.ok) throw validationError(field, `${field} must be an http(s) URL on allowed_redirects.`);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Where Latchkey's own pages are reached for an app (its links, its login page): the app's `public_url` (a custom
 * domain), else the server's `LATCHKEY_PUBLIC_URL`. Never with a trailing slash, so a path can follow.
 */
export function publicUrlOf(settings: Pick<AppSettings, 'public_url'>, serverPublicUrl: string): string {
  return (settings.public_url ?? serverPublicUrl).replace(/\/+$/, '');
}
