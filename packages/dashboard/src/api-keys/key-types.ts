/**
 * The keys as /v1/api-keys, /v1/signing-keys and /v1/session-keys answer them (docs/api.md#apps-and-keys). Lists
 * never hold a secret; the answer of a create does, once.
 */
export interface ApiKey {
  id: string;
  app_id: string | null;
  kind: 'app' | 'admin';
  label: string;
  /** The first characters of the key, to tell keys apart: `lk_sk_abcd…`. */
  key_hint: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface SigningKey {
  kid: string;
  app_id: string;
  label: string;
  algorithm: string;
  secret_hint: string;
  status: 'active' | 'revoked';
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface SessionKey {
  kid: string;
  alg: string;
  status: 'active' | 'retired';
  published: boolean;
  created_at: string;
  retired_at: string | null;
}

/** A key just made: what it is called, and its secret, which no later answer holds. */
export interface NewSecret {
  /** The key's id (`key_…`) or kid (`sk_…`). */
  id: string;
  label: string;
  secret: string;
}

export const API_KEYS = ['api-keys'] as const;
export const SIGNING_KEYS = ['signing-keys'] as const;
export const SESSION_KEYS = ['session-keys'] as const;
