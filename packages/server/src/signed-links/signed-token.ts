/**
 * The stateless-link token: a compact JWT signed with HS256, as Invoiced documents it
 * (`{"alg":"HS256","typ":"JWT"}` / `{"sub","iss","exp"}`).
 *
 * Parsing and HMAC checking are written here rather than taken from jose because every way a token can be wrong
 * must map to its own error code (jose folds several into one), the algorithm must be refused before any key is
 * looked up, and this runs on every click: node:crypto's HMAC is several times faster than WebCrypto. Tests check
 * the result against jose as an independent implementation.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../errors/api-error.js';

export interface TokenHeader {
  alg?: unknown;
  kid?: unknown;
  typ?: unknown;
  crit?: unknown;
  [name: string]: unknown;
}

export interface TokenClaims {
  sub?: unknown;
  iss?: unknown;
  aud?: unknown;
  exp?: unknown;
  nbf?: unknown;
  iat?: unknown;
  jti?: unknown;
  email?: unknown;
  redirect_to?: unknown;
  [name: string]: unknown;
}

export interface ParsedToken {
  header: TokenHeader;
  claims: TokenClaims;
  /** `header.payload`, the bytes the signature covers. */
  signingInput: string;
  signature: Buffer;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;
/** The documented limit (docs/signed-links.md). The router lets longer path parameters through, up to 16,384. */
export const MAX_TOKEN_LENGTH = 4096;

/**
 * Refuses a token over the documented length with `validation_failed`, the code for input that is too long. Called
 * before anything else looks at the token, so an oversized one is never decoded, checked against a key or spent.
 */
export function checkTokenLength(token: string): void {
  if (token.length > MAX_TOKEN_LENGTH) {
    throw new ApiError(
      'validation_failed',
      `The token is ${token.length} characters long; a signed link's token has at most ${MAX_TOKEN_LENGTH}. Sign fewer or shorter claims.`,
      { param: 'token' },
    );
  }
}

/**
 * Splits and decodes a compact JWT. Throws `validation_failed` for a token over the length limit and
 * `token_malformed` for anything else wrong with its shape.
 */
export function parseToken(token: string): ParsedToken {
  if (typeof token !== 'string') throw malformed('The token must be text.');
  checkTokenLength(token);
  const parts = token.split('.');
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  // The signature may be empty (an unsecured `alg: none` token), so that the algorithm check names the problem.
  if (
    parts.length !== 3 ||
    !SEGMENT.test(headerPart) ||
    !SEGMENT.test(payloadPart) ||
    !/^[A-Za-z0-9_-]*$/.test(signaturePart)
  ) {
    throw malformed('The token must be three base64url parts separated by dots.');
  }
  const header = decodeJsonObject(headerPart, 'header') as TokenHeader;
  const claims = decodeJsonObject(payloadPart, 'payload') as TokenClaims;
  const signature = Buffer.from(signaturePart, 'base64url');
  // base64url has spare bits in its last character: only the canonical spelling is accepted, so a token has one
  // spelling and cannot be made "new" again after use by changing its last character.
  if (signature.toString('base64url') !== signaturePart)
    throw malformed('The token signature is not canonical base64url.');
  return { header, claims, signingInput: `${headerPart}.${payloadPart}`, signature };
}

/** HS256 only, decided from the header alone, before any key is touched (no `none`, no algorithm confusion). */
export function checkAlgorithm(header: TokenHeader): void {
  if (header.alg !== 'HS256') {
    const named =
      typeof header.alg === 'string'
        ? JSON.stringify(header.alg.slice(0, 32))
        : `no algorithm name (${typeof header.alg})`;
    throw new ApiError(
      'token_algorithm_not_allowed',
      `Stateless links are signed with HS256 only; this token has ${named}.`,
    );
  }
  if (header.crit !== undefined)
    throw malformed('The token has critical header parameters this server does not support.');
  if (header.typ !== undefined && (typeof header.typ !== 'string' || header.typ.toUpperCase() !== 'JWT')) {
    throw malformed('The token header `typ` must be JWT when present.');
  }
}

export function hmacSha256(secret: string, signingInput: string): Buffer {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(signingInput, 'ascii').digest();
}

export function signatureMatches(parsed: ParsedToken, secret: string): boolean {
  const expected = hmacSha256(secret, parsed.signingInput);
  return expected.length === parsed.signature.length && timingSafeEqual(expected, parsed.signature);
}

/** Signs claims the way any JWT library does (used by the CLI and by tests; the SDK has its own copy). */
export function signToken(claims: TokenClaims, secret: string, kid?: string): string {
  const header = kid === undefined ? { alg: 'HS256', typ: 'JWT' } : { alg: 'HS256', typ: 'JWT', kid };
  const signingInput = `${encode(header)}.${encode(claims)}`;
  return `${signingInput}.${hmacSha256(secret, signingInput).toString('base64url')}`;
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decodeJsonObject(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw malformed(`The token ${what} is not base64url-encoded JSON.`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw malformed(`The token ${what} must be a JSON object.`);
  return value as Record<string, unknown>;
}

function malformed(message: string): ApiError {
  return new ApiError('token_malformed', `${message} Check that the link was copied whole.`);
}
