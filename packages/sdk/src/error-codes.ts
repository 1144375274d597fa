/**
 * The error codes a Latchkey server answers with, as listed in docs/errors.md. A test compares this list with the
 * server's registry, so the two cannot drift apart.
 */
export const latchkeyErrorCodes = [
  'validation_failed',
  'invalid_email',
  'invalid_phone',
  'invalid_json',
  'unauthorized',
  'forbidden',
  'reauth_required',
  'not_found',
  'route_not_found',
  'method_not_allowed',
  'conflict',
  'host_taken',
  'idempotency_key_reused',
  'idempotency_key_in_use',
  'payload_too_large',
  'unsupported_media_type',
  'headers_too_large',
  'request_timeout',
  'malformed_request',
  'rate_limited',
  'link_expired',
  'link_used',
  'link_revoked',
  'link_invalid',
  'redirect_not_allowed',
  'redirect_required',
  'ttl_too_long',
  'user_not_found',
  'user_creation_disabled',
  'channel_unavailable',
  'delivery_not_configured',
  'transport_refused',
  'transport_unavailable',
  'code_invalid',
  'code_exhausted',
  'pkce_required',
  'pkce_mismatch',
  'refresh_token_invalid',
  'refresh_token_reused',
  'session_not_found',
  'token_malformed',
  'token_algorithm_not_allowed',
  'token_app_unknown',
  'token_key_unknown',
  'token_key_revoked',
  'token_signature_invalid',
  'token_audience_invalid',
  'token_expiry_missing',
  'token_expired',
  'token_lifetime_too_long',
  'token_not_yet_valid',
  'token_subject_missing',
  'token_used',
  'login_flow_not_found',
  'login_not_approved',
  'not_ready',
  'internal_error',
  'rate_limit_unavailable',
  'storage_unavailable',
] as const;

/** A code from a Latchkey error response (`{"error": {"code", "message", "param"?}}`). */
export type LatchkeyErrorCode = (typeof latchkeyErrorCodes)[number];

/** Codes the SDK itself raises: no HTTP answer at all, or a webhook that failed verification. */
export type LatchkeyClientErrorCode = 'network_error' | 'webhook_invalid';

export function isLatchkeyErrorCode(value: string): value is LatchkeyErrorCode {
  return (latchkeyErrorCodes as readonly string[]).includes(value);
}
