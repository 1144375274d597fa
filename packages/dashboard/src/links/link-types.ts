/** The shapes of the magic-link API the Links screens read (docs/api.md, "Magic links"). */

export type LinkType = 'login' | 'verify_identifier' | 'invite';
export type Channel = 'email' | 'phone';

export const LINK_STATUSES = [
  'created',
  'sent',
  'delivered',
  'delivery_failed',
  'opened',
  'redeemed',
  'revoked',
  'expired',
] as const;

export const LINK_TYPES: ReadonlyArray<{ value: LinkType; label: string }> = [
  { value: 'login', label: 'Sign-in' },
  { value: 'verify_identifier', label: 'Verify address' },
  { value: 'invite', label: 'Invite' },
];

/** The languages links, pages and messages come in (the server's list). */
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

export interface TimelineEntry {
  status: string;
  at: string;
  verdict?: 'person' | 'likely_scanner';
  count?: number;
  last_at?: string;
}

export interface Link {
  id: string;
  user_id: string;
  identifier: string;
  type: LinkType;
  channel: Channel | null;
  redirect_url: string | null;
  magic_link_path: string | null;
  language: string | null;
  ttl: number;
  pkce: boolean;
  status: string;
  session_id: string | null;
  campaign_id: string | null;
  created_at: string;
  expires_at: string;
  timeline: TimelineEntry[];
}

export interface Attempt {
  attempt: number;
  at: string;
  ok: boolean;
  permanent: boolean;
  answer: string | null;
  duration_ms: number | null;
}

export interface Delivery {
  id: string;
  channel: string;
  recipient: string;
  status: string;
  attempts: number;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
  attempt_log: Attempt[];
}

export interface Visit {
  id: string;
  at: string;
  method: string;
  verdict: 'person' | 'likely_scanner';
  reason: string;
  user_agent: string | null;
}

export interface WebhookSend {
  id: string;
  at: string;
  event_id: string;
  event_type: string;
  endpoint_id: string;
  attempt: number;
  ok: boolean;
  status_code: number | null;
  error: string | null;
}

export interface LinkDetail extends Link {
  deliveries: Delivery[];
  visits: Visit[];
  webhooks: WebhookSend[];
}

/** A create's (and a resend's) answer: the one time the link's URL is shown. */
export interface CreatedLink {
  id: string;
  user_id: string;
  identifier: string;
  type: LinkType;
  redirect_url: string | null;
  url: string;
  ttl: number;
  expires_at: string;
}

/** The app's settings the new-link form needs (GET /v1/apps/{id}). */
export interface AppSettings {
  id: string;
  allowed_redirects: string[];
  default_redirect_url: string | null;
  ttl_minutes: Record<LinkType, number>;
  max_ttl_minutes: number;
  default_language: string;
}

/** Links that can still be used, and so revoked or sent again. */
export function isOutstanding(status: string): boolean {
  return !['redeemed', 'revoked', 'expired'].includes(status);
}

export function typeLabel(type: string): string {
  return LINK_TYPES.find((t) => t.value === type)?.label ?? type;
}

export function channelLabel(channel: string | null): string {
  if (channel === 'email') return 'Email';
  if (channel === 'phone') return 'SMS';
  return '—';
}
