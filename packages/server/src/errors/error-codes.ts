/**
 * The one registry of error codes. Every error Latchkey answers with carries one of these codes; the codes are a
 * stable contract (clients switch on them), so a code is never renamed or reused. `docs/errors.md` lists the same
 * codes and a test keeps the two in step.
 */
export const errorCodes = {
  validation_failed: {
    status: 400,
    summary: 'A field is missing, has the wrong type, or has a value that is not allowed.',
  },
  invalid_email: {
    status: 400,
    summary:
      'The value is not an email address Latchkey can deliver to (no spaces, a domain with no empty parts).',
  },
  invalid_phone: {
    status: 400,
    summary:
      'The value is not a valid phone number: international form with + and country code, or a national number of the app’s default_phone_region.',
  },
  invalid_json: {
    status: 400,
    summary: 'The request body is not valid JSON, or not the content type the route takes.',
  },
  unauthorized: { status: 401, summary: 'No API key was sent, or the key is unknown or revoked.' },
  forbidden: { status: 403, summary: 'The key is valid but may not act on this app or route.' },
  reauth_required: {
    status: 403,
    summary:
      'A dashboard change that needs a code entered in the last five minutes (a new key, a rotated secret, operators, bulk sends, deletes).',
  },
  not_found: { status: 404, summary: 'No such resource for this app.' },
  route_not_found: { status: 404, summary: 'No route matches this method and path.' },
  method_not_allowed: { status: 405, summary: 'The path exists but not with this HTTP method.' },
  conflict: {
    status: 409,
    summary: 'The change clashes with existing data, for example a second user with the same email.',
  },
  host_taken: {
    status: 409,
    summary:
      "The host of `public_url` belongs to another app, or to the installation itself (`LATCHKEY_PUBLIC_URL`'s host).",
  },
  idempotency_key_reused: {
    status: 409,
    summary: 'This `Idempotency-Key` was already used with a different request (method, path or body).',
  },
  idempotency_key_in_use: {
    status: 409,
    summary: 'A request with this `Idempotency-Key` is still running; its answer is not ready yet.',
  },
  payload_too_large: { status: 413, summary: 'The request body is larger than the server accepts.' },
  unsupported_media_type: {
    status: 415,
    summary: 'The request body has a content type this route does not read.',
  },
  headers_too_large: {
    status: 431,
    summary: 'The request headers (cookies included) are larger than the server reads.',
  },
  request_timeout: {
    status: 408,
    summary: 'The request did not arrive in full within the time the server waits for it.',
  },
  malformed_request: {
    status: 400,
    summary:
      'The request is not valid HTTP/1.1 (a broken request line, header or chunked body, or both `Transfer-Encoding` and `Content-Length`).',
  },
  rate_limited: {
    status: 429,
    summary: 'Too many requests; wait for the number of seconds in `Retry-After`.',
  },
  link_expired: { status: 410, summary: 'The magic link is past its expiry time.' },
  link_used: { status: 410, summary: 'The magic link was already used; each link signs in once.' },
  link_revoked: {
    status: 410,
    summary: 'The magic link was revoked by the app or because its user was deleted.',
  },
  link_invalid: {
    status: 404,
    summary: 'The token does not belong to any magic link (mistyped, truncated or never issued).',
  },
  redirect_not_allowed: {
    status: 400,
    summary: "The redirect target is not on the app's `allowed_redirects` list.",
  },
  redirect_required: {
    status: 400,
    summary:
      "The link has nowhere to send the person: give `redirect_url`, `redirect_to`, `magic_link_path`, or set the app's `default_redirect_url`.",
  },
  ttl_too_long: { status: 400, summary: "The requested `ttl` is above the app's `max_ttl_minutes`." },
  user_not_found: { status: 404, summary: '`user_id` names no user of this app.' },
  user_creation_disabled: {
    status: 404,
    summary:
      'No user has this identifier and the app does not create users on demand (`auto_create_users` is false).',
  },
  channel_unavailable: {
    status: 400,
    summary: 'The user has no email or phone for the requested `channel`.',
  },
  delivery_not_configured: {
    status: 400,
    summary:
      'A production server has no transport for this channel (no `LATCHKEY_SMTP_URL` for email; no Twilio or SMS hook for SMS), so it will not send.',
  },
  transport_refused: {
    status: 502,
    summary:
      'A message sent while you waited (a template test) was refused by the mail server or SMS provider; its answer is in the message.',
  },
  transport_unavailable: {
    status: 503,
    summary:
      'A message sent while you waited (a template test) could not be handed over: the mail server or SMS provider did not answer, or failed for a reason that may pass.',
  },
  code_invalid: { status: 400, summary: 'The exchange or sign-in code is unknown, expired or already used.' },
  code_exhausted: { status: 400, summary: 'Too many wrong attempts; the code no longer works.' },
  pkce_required: {
    status: 400,
    summary: 'The link was created with a `code_challenge`, so a `code_verifier` is required.',
  },
  pkce_mismatch: {
    status: 400,
    summary: 'The `code_verifier` does not match the `code_challenge` of the link.',
  },
  refresh_token_invalid: {
    status: 401,
    summary: 'The refresh token is unknown, expired, or its session has ended.',
  },
  refresh_token_reused: {
    status: 401,
    summary: 'An already-used refresh token was presented; the session has been revoked as a precaution.',
  },
  session_not_found: { status: 404, summary: 'No such session for this app.' },
  token_malformed: {
    status: 400,
    summary: 'The stateless-link token is not a well-formed JWT (three base64url parts of JSON).',
  },
  token_algorithm_not_allowed: {
    status: 400,
    summary: 'The token is not signed with HS256 (`none`, HS384, RS256 and the rest are refused).',
  },
  token_app_unknown: {
    status: 404,
    summary: 'No app could be found for this token: give it a `kid`, or use the app path.',
  },
  token_key_unknown: {
    status: 401,
    summary: 'The token names a signing key (`kid`) that does not exist for this app.',
  },
  token_key_revoked: {
    status: 401,
    summary: 'The token was signed with a signing key that has been revoked.',
  },
  token_signature_invalid: {
    status: 401,
    summary:
      "The token's signature does not match any of the app's signing keys (wrong key, or the token was altered).",
  },
  token_audience_invalid: {
    status: 401,
    summary:
      "The token's `aud` names neither this app's id nor its public URL, or is not a string or list of strings.",
  },
  token_expiry_missing: {
    status: 400,
    summary: 'The token has no `exp` claim, or `exp` is not a number of seconds.',
  },
  token_expired: { status: 410, summary: 'The token is past its `exp`.' },
  token_lifetime_too_long: {
    status: 400,
    summary: "The token's lifetime is longer than the app's `max_ttl_minutes`.",
  },
  token_not_yet_valid: {
    status: 400,
    summary: "The token's `nbf` or `iat` is more than 30 seconds in the future.",
  },
  token_subject_missing: {
    status: 400,
    summary:
      'The token has no usable `sub` (a customer id as a whole number of 0 or more, or a non-empty string).',
  },
  token_used: { status: 410, summary: 'The token was already used to sign in; each signed link works once.' },
  login_flow_not_found: {
    status: 404,
    summary: 'No sign-in was started in this browser for this app (no flow cookie, or it belongs elsewhere).',
  },
  login_not_approved: {
    status: 409,
    summary:
      'The sign-in started in this browser is not approved (still waiting, refused, finished or expired).',
  },
  not_ready: { status: 503, summary: 'The database is unreachable or migrations have not run.' },
  internal_error: {
    status: 500,
    summary: 'An unexpected error; the server log has the details under the request id.',
  },
  rate_limit_unavailable: {
    status: 503,
    summary:
      'The rate-limit store (Redis) is unreachable, so a public endpoint refuses rather than go unguarded.',
  },
  storage_unavailable: {
    status: 503,
    summary:
      'The database is unreachable, full or read-only for the moment; retry after the seconds in `Retry-After`.',
  },
} as const satisfies Record<string, { status: number; summary: string }>;

export type ErrorCode = keyof typeof errorCodes;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(errorCodes, value);
}
