/**
 * An app's settings as GET and PATCH /v1/apps/{app_id} answer them (docs/api.md, docs/configuration.md#app-settings),
 * and the small conversions between them and the text the form's fields hold.
 */
import type { DashboardApi } from '../api.js';

export interface RateRule {
  limit: number;
  window_seconds: number;
}

export interface RateLimits {
  login_sends_per_identifier: RateRule;
  login_resend_cooldown_seconds: number;
  code_attempts_per_identifier: RateRule;
  public_requests_per_ip: RateRule;
  api_requests_per_key: RateRule;
}

export type RateRuleName = Exclude<keyof RateLimits, 'login_resend_cooldown_seconds'>;

export interface AppSettings {
  id: string;
  name: string;
  public_url: string;
  site_url: string | null;
  allowed_redirects: string[];
  default_redirect_url: string | null;
  page_shortcuts: Record<string, string>;
  default_shortcut: string | null;
  ttl_minutes: { login: number; verify_identifier: number; invite: number };
  max_ttl_minutes: number;
  session_duration_minutes: number;
  access_token_minutes: number;
  default_language: string;
  default_phone_region: string | null;
  scanner_protection: 'confirm' | 'auto';
  auto_create_users: boolean;
  signed_links_reusable: boolean;
  sender: { name: string | null; email: string | null };
  rate_limits: RateLimits;
  created_at: string;
  updated_at: string;
}

/** The answer of the redirect tester, POST /v1/apps/{app_id}/redirect-check. */
export interface RedirectVerdict {
  allowed: boolean;
  matched: string | null;
  url: string | null;
  reason: string;
}

export const SETTINGS_KEY = ['settings'] as const;

export function readSettings(api: DashboardApi, appId: string): Promise<AppSettings> {
  return api.v1('GET', `/apps/${appId}`, { app: appId });
}

export function patchSettings(api: DashboardApi, appId: string, patch: object): Promise<AppSettings> {
  return api.v1('PATCH', `/apps/${appId}`, { app: appId, body: patch });
}

/**
 * A whole number typed in a field, as the API takes it. Anything else is sent as typed, so that the API refuses it
 * with its own message next to the field: the dashboard does not keep a second copy of the API's rules.
 */
export function numberOf(text: string): number | string {
  const trimmed = text.trim();
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** An optional text setting: an empty field is null (unset), as the API spells it. */
export function nullIfEmpty(text: string): string | null {
  const trimmed = text.trim();
  return trimmed === '' ? null : trimmed;
}

/** The languages of Latchkey's pages and messages (server/src/pages/languages.ts), with their own names. */
export const LANGUAGES: ReadonlyArray<{ value: string; label: string }> = [
  { value: 'en', label: 'English' },
  { value: 'de', label: 'Deutsch' },
  { value: 'es', label: 'Español' },
  { value: 'fr', label: 'Français' },
  { value: 'it', label: 'Italiano' },
  { value: 'pl', label: 'Polski' },
  { value: 'pt', label: 'Português' },
  { value: 'zh', label: '中文' },
];
