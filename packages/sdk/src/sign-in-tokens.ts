/**
 * Stateless sign-in links (docs/signed-links.md), made offline: an HS256 JWT signed with one of the app's signing
 * keys. Signed with node:crypto so the SDK needs nothing more for it.
 */
import { createHmac, randomUUID } from 'node:crypto';

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

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/**
 * A one-time sign-in token for `customerId` (your customer id, a non-empty string or a whole number of 0 or more, or
 * a Latchkey `usr_…` id) that expires in `ttlSeconds`: `{sub, iss, iat, exp, jti}` with a random `jti`.
 */
export function generateSignInToken(
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
    jti: randomUUID(),
    ...(options.email === undefined ? {} : { email: options.email }),
    ...(options.redirectTo === undefined ? {} : { redirect_to: options.redirectTo }),
  };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = createHmac('sha256', Buffer.from(options.secret, 'utf8'))
    .update(input)
    .digest('base64url');
  return `${input}.${signature}`;
}

/** `{baseUrl}/login/{token}?redirect_to={shortcut}`: a ready-to-send sign-in link. */
export function signInUrl(
  customerId: string | number,
  ttlSeconds: number,
  options: SignInUrlOptions,
): string {
  const token = generateSignInToken(customerId, ttlSeconds, options);
  const url = new URL(`${options.baseUrl.replace(/\/+$/, '')}/login/${token}`);
  if (options.redirectTo !== undefined) url.searchParams.set('redirect_to', options.redirectTo);
  return url.toString();
}

/** The same helpers on a client, with `baseUrl` defaulting to the client's. */
export class SignInTokens {
  readonly #baseUrl: string;

  constructor(baseUrl: string) {
    this.#baseUrl = baseUrl;
  }

  generate(customerId: string | number, ttlSeconds: number, options: SignInTokenOptions): string {
    return generateSignInToken(customerId, ttlSeconds, options);
  }

  signInUrl(
    customerId: string | number,
    ttlSeconds: number,
    options: SignInTokenOptions & { baseUrl?: string },
  ): string {
    return signInUrl(customerId, ttlSeconds, { ...options, baseUrl: options.baseUrl ?? this.#baseUrl });
  }
}
