/**
 * Stateless sign-in links (docs/signed-links.md), made offline: an HS256 JWT signed with one of the app's signing
 * keys. Signed with Web Crypto so the SDK needs nothing more for it, in any runtime; Web Crypto only answers
 * promises, so the synchronous `generateSignInToken` and `signInUrl` are Node's, in sign-in-tokens-node.ts.
 */
import { base64url, utf8Bytes } from './bytes.js';

export interface SignInTokenOptions {
  /** The signing key's secret, the whole `lk_hs_…` string (its UTF-8 bytes are the HMAC key). */
  secret: string;
  /** The signing key's id; put it in when one Latchkey serves several apps. */
  kid?: string;
  /** A page shortcut name, carried in the token's `redirect_to` claim. */
  redirectTo?: string;
  /** The `iss` claim (Latchkey does not check it). Default `latchkey-sdk`. */
  issuer?: string;
  /** The customer's email, stored only when this sign-in creates the customer. */
  email?: string;
}

export interface SignInUrlOptions extends SignInTokenOptions {
  /** Latchkey's public URL, for example `https://auth.example.com`. */
  baseUrl: string;
}

const base64urlJson = (value: unknown) => base64url(utf8Bytes(JSON.stringify(value)));

/**
 * The signed part of a token, `{header}.{claims}`, after checking the input: what both signers (Web Crypto here,
 * node:crypto in sign-in-tokens-node.ts) put the HMAC on.
 */
export function signInTokenInput(
  customerId: string | number,
  ttlSeconds: number,
  options: SignInTokenOptions,
): string {
  // The server refuses a negative or fractional number in `sub`: fail here, where the caller can see why.
  if (
    typeof customerId === 'string'
      ? customerId === ''
      : !(Number.isSafeInteger(customerId) && customerId >= 0)
  ) {
    throw new TypeError('customerId must be a non-empty string or a whole number of 0 or more.');
  }
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new RangeError('ttlSeconds must be a whole number of seconds above 0.');
  }
  if (!options.secret) throw new TypeError('options.secret (the signing key secret) is required.');
  const header = { alg: 'HS256', typ: 'JWT', ...(options.kid ? { kid: options.kid } : {}) };
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    sub: customerId,
    iss: options.issuer ?? 'latchkey-sdk',
    iat: now,
    exp: now + ttlSeconds,
    jti: globalThis.crypto.randomUUID(),
    ...(options.email === undefined ? {} : { email: options.email }),
    ...(options.redirectTo === undefined ? {} : { redirect_to: options.redirectTo }),
  };
  return `${base64urlJson(header)}.${base64urlJson(claims)}`;
}

/** `{baseUrl}/login/{token}?redirect_to={shortcut}`: a ready-to-send sign-in link. */
export function signInLink(token: string, options: SignInUrlOptions): string {
  const url = new URL(`${options.baseUrl.replace(/\/+$/, '')}/login/${token}`);
  if (options.redirectTo !== undefined) url.searchParams.set('redirect_to', options.redirectTo);
  return url.toString();
}

/**
 * A one-time sign-in token for `customerId` (your customer id, a non-empty string or a whole number of 0 or more, or
 * a Latchkey `usr_…` id) that expires in `ttlSeconds`: `{sub, iss, iat, exp, jti}` with a random `jti`. Works in any
 * runtime with Web Crypto; on Node.js, `generateSignInToken` does the same synchronously.
 */
export async function generateSignInTokenAsync(
  customerId: string | number,
  ttlSeconds: number,
  options: SignInTokenOptions,
): Promise<string> {
  const input = signInTokenInput(customerId, ttlSeconds, options);
  const key = await globalThis.crypto.subtle.importKey(
    'raw',
    utf8Bytes(options.secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const signature = await globalThis.crypto.subtle.sign('HMAC', key, utf8Bytes(input));
  return `${input}.${base64url(new Uint8Array(signature))}`;
}

/** `{baseUrl}/login/{token}?redirect_to={shortcut}` with a new token: a ready-to-send sign-in link. */
export async function signInUrlAsync(
  customerId: string | number,
  ttlSeconds: number,
  options: SignInUrlOptions,
): Promise<string> {
  return signInLink(await generateSignInTokenAsync(customerId, ttlSeconds, options), options);
}

/** The same helpers on a client, with `baseUrl` defaulting to the client's; on Node.js also synchronous. */
export class SignInTokens {
  protected readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  generateAsync(
    customerId: string | number,
    ttlSeconds: number,
    options: SignInTokenOptions,
  ): Promise<string> {
    return generateSignInTokenAsync(customerId, ttlSeconds, options);
  }

  signInUrlAsync(
    customerId: string | number,
    ttlSeconds: number,
    options: SignInTokenOptions & { baseUrl?: string },
  ): Promise<string> {
    return signInUrlAsync(customerId, ttlSeconds, { ...options, baseUrl: options.baseUrl ?? this.baseUrl });
  }
}
