/** Apps and API keys as the API shows them: never a key's secret or hash. */
import { type Static, Type } from 'typebox';
import { iso, isoOrNull } from '../http/present.js';
import { Id, Named, Nullable, Timestamp } from '../http/schemas.js';
import { LANGUAGES, type Language } from '../pages/languages.js';
import type { ApiKeyRow, AppRow } from '../storage/rows.js';
import { type AppSettings, publicUrlOf } from './app-settings.js';

const Minutes = (description: string) => Type.Integer({ minimum: 1, description });

const RateRule = (description: string) =>
  Type.Object(
    {
      limit: Type.Integer({
        minimum: 0,
        description: 'Requests allowed per window; 0 switches the rule off.',
      }),
      window_seconds: Type.Integer({ minimum: 1 }),
    },
    { description },
  );

const EXAMPLE_APP_ID = 'app_01jf3k5q8n2m4r6t8v0w2y4a6c';

/** Every setting, as it applies now (defaults filled in); docs/configuration.md says what each one does. */
const Settings = {
  public_url: Type.String({
    description:
      'Where links of this app are reached: its own `public_url`, or the installation’s (LATCHKEY_PUBLIC_URL) when it sets none.',
  }),
  site_url: Nullable(
    Type.String({
      description: 'The app’s own site: the base of `magic_link_path` links, and linked from hosted pages.',
    }),
  ),
  allowed_redirects: Type.Array(Type.String(), {
    description: 'Where links may send people after sign-in: origins, or origins with a path prefix.',
  }),
  default_redirect_url: Nullable(
    Type.String({ description: 'Where a link with no redirect of its own goes.' }),
  ),
  page_shortcuts: Type.Record(Type.String(), Type.String(), {
    description: 'Names links may give as `redirect_to` instead of a URL, and the URL each stands for.',
  }),
  default_shortcut: Nullable(Type.String({ description: 'The shortcut a link with no redirect uses.' })),
  ttl_minutes: Type.Object(
    {
      login: Minutes('Minutes a sign-in link lives.'),
      verify_identifier: Minutes('Minutes a verification link lives.'),
      invite: Minutes('Minutes an invitation lives.'),
    },
    { description: 'How long each type of link lives unless it asks for less.' },
  ),
  max_ttl_minutes: Minutes('The longest `ttl` a link may ask for.'),
  session_duration_minutes: Minutes('How long a session lasts before the user signs in again.'),
  access_token_minutes: Minutes('How long a session token (JWT) is valid; refresh it for a new one.'),
  // One string with the languages as its enum: a union of literals built from the list loses its members' types.
  default_language: Type.Unsafe<Language>({
    type: 'string',
    enum: [...LANGUAGES],
    description: 'The language of messages and pages when a link names none.',
  }),
  default_phone_region: Nullable(
    Type.String({
      description: 'ISO 3166 region (`GB`) a phone number without `+` is read in; null: `+` needed.',
    }),
  ),
  scanner_protection: Type.Union([Type.Literal('confirm'), Type.Literal('auto')], {
    description:
      '`confirm`: a person presses a button before a link signs in, so mail scanners cannot spend it.',
  }),
  auto_create_users: Type.Boolean({
    description: 'Create a user on the first link or sign-in for an unknown address.',
  }),
  signed_links_reusable: Type.Boolean({
    description: 'A stateless signed link signs in again until it expires (false: each token works once).',
  }),
  sender: Type.Object(
    { name: Nullable(Type.String()), email: Nullable(Type.String()) },
    { description: 'The From of this app’s email; null takes the installation’s.' },
  ),
  rate_limits: Type.Object(
    {
      login_sends_per_identifier: RateRule('Sign-in messages per email or phone.'),
      login_resend_cooldown_seconds: Type.Integer({
        minimum: 0,
        description: 'Seconds between two sign-in messages to one address.',
      }),
      code_attempts_per_identifier: RateRule('Sign-in code attempts per email or phone.'),
      public_requests_per_ip: RateRule(
        'Calls to public endpoints (no API key) per client address (IPv4, or IPv6 /64), per endpoint family.',
      ),
      api_requests_per_key: RateRule('API requests per app key.'),
    },
    { description: 'How often each kind of caller may ask; see docs/configuration.md#rate-limits.' },
  ),
};

const EXAMPLE_APP = {
  id: EXAMPLE_APP_ID,
  name: 'Acme',
  public_url: 'https://auth.example.com',
  site_url: 'https://example.com',
  allowed_redirects: ['https://app.example.com'],
  default_redirect_url: 'https://app.example.com/auth/callback',
  page_shortcuts: {},
  default_shortcut: null,
  ttl_minutes: { login: 15, verify_identifier: 1440, invite: 10080 },
  max_ttl_minutes: 43200,
  session_duration_minutes: 10080,
  access_token_minutes: 15,
  default_language: 'en',
  default_phone_region: null,
  scanner_protection: 'confirm',
  auto_create_users: true,
  signed_links_reusable: false,
  sender: { name: null, email: null },
  rate_limits: {
    login_sends_per_identifier: { limit: 5, window_seconds: 900 },
    login_resend_cooldown_seconds: 30,
    code_attempts_per_identifier: { limit: 10, window_seconds: 900 },
    public_requests_per_ip: { limit: 60, window_seconds: 60 },
    api_requests_per_key: { limit: 600000, window_seconds: 60 },
  },
  created_at: '2026-12-06T10:00:00.000Z',
  updated_at: '2026-12-06T10:00:00.000Z',
};

/** An app and its settings. */
export const App = Named(
  'App',
  Type.Object(
    {
      id: Id('app'),
      name: Type.String(),
      ...Settings,
      created_at: Timestamp,
      updated_at: Timestamp,
    },
    {
      description: 'An app and its settings',
      examples: [EXAMPLE_APP],
    },
  ),
);

export function presentApp(app: AppRow, settings: AppSettings, serverPublicUrl: string): Static<typeof App> {
  return {
    id: app.id,
    name: app.name,
    // Every setting, so a new one shows as soon as it exists (and the schema, held to it by the tests, names it).
    ...settings,
    public_url: publicUrlOf(settings, serverPublicUrl),
    created_at: iso(app.created_at),
    updated_at: iso(app.updated_at),
  };
}

/** An API key as lists and reads show it: a hint of the key, never the key. */
export const ApiKey = Named(
  'ApiKey',
  Type.Object(
    {
      id: Id('key'),
      app_id: Nullable(Id('app')),
      kind: Type.Union([Type.Literal('app'), Type.Literal('admin')], {
        description:
          '`app` keys act on their app; `admin` keys (app_id null) on every app and the installation.',
      }),
      label: Type.String({ description: 'Where the key is used, for people.' }),
      key_hint: Type.String({ description: 'The first characters of the key, enough to recognise it.' }),
      created_at: Timestamp,
      last_used_at: Nullable(Timestamp),
      revoked_at: Nullable(Timestamp),
    },
    { description: 'An API key (never its secret)' },
  ),
);

const EXAMPLE_CREATED_KEY = {
  id: 'key_01jf3k5q8p7x9z1b3d5f7h9k1m',
  app_id: EXAMPLE_APP_ID,
  kind: 'app',
  label: 'production backend',
  key_hint: 'lk_sk_Xq3v…',
  created_at: '2026-12-06T10:00:00.000Z',
  last_used_at: null,
  revoked_at: null,
  key: 'lk_sk_Xq3vR8…',
};

/** A new API key: the only answer that holds the key itself. */
export const CreatedApiKey = Named(
  'CreatedApiKey',
  Type.Object(
    {
      ...ApiKey.properties,
      key: Type.String({ description: 'The key; shown in this answer only, so store it now.' }),
    },
    {
      description: 'The new API key, with the key itself (shown once)',
      examples: [EXAMPLE_CREATED_KEY],
    },
  ),
);

export function presentApiKey(key: ApiKeyRow): Static<typeof ApiKey> {
  return {
    id: key.id,
    app_id: key.app_id,
    kind: key.kind,
    label: key.label,
    key_hint: key.key_hint,
    created_at: iso(key.created_at),
    last_used_at: isoOrNull(key.last_used_at),
    revoked_at: isoOrNull(key.revoked_at),
  };
}

/** What creating an app answers: the app, and its first key. */
export const CreatedApp = Named(
  'CreatedApp',
  Type.Object(
    {
      app: App,
      api_key: {
        ...CreatedApiKey,
        description: "The new app's first API key; `key` is shown in this answer only.",
      },
    },
    {
      description: 'The new app and its first API key',
      examples: [{ app: EXAMPLE_APP, api_key: { ...EXAMPLE_CREATED_KEY, label: 'default' } }],
    },
  ),
);

/** The redirect tester's verdict. */
export const RedirectCheck = Named(
  'RedirectCheck',
  Type.Object(
    {
      allowed: Type.Boolean(),
      matched: Nullable(
        Type.String({ description: 'The `allowed_redirects` entry that let it through; null when refused.' }),
      ),
      url: Nullable(
        Type.String({
          description:
            'The target as a link would store it (normalised), or the shortcut’s target; null when refused.',
        }),
      ),
      reason: Type.String({ description: 'Why, in words.' }),
    },
    {
      description: 'Whether a link of the app may redirect there, by the check link creation makes',
      examples: [
        {
          allowed: true,
          matched: 'https://app.example.com',
          url: 'https://app.example.com/welcome',
          reason: 'Allowed: it matches https://app.example.com (the same scheme, host and port; any path).',
        },
      ],
    },
  ),
);
