/**
 * The synchronous sign-in token helpers, on node:crypto: part of the `@latchkey/sdk/node` entry (and of
 * `@latchkey/sdk` under Node.js), never of the entry browsers and edge runtimes load. The claims are built by
 * sign-in-tokens.ts, so both signers make the same tokens.
 */
import { createHmac } from 'node:crypto';
import {
  SignInTokens as AsyncSignInTokens,
  type SignInTokenOptions,
  type SignInUrlOptions,
  signInLink,
  signInTokenInput,
} from './sign-in-tokens.js';

/**
 * A one-time sign-in token for `customerId` (your customer id, a non-empty string or a whole number of 0 or more, or
 * a Latchkey `usr_…` id) that expires in `ttlSeconds`: `{sub, iss, iat, exp, jti}` with a random `jti`.
 */
export function generateSignInToken(
  customerId: string | number,
  ttlSeconds: number,
  options: SignInTokenOptions,
): string {
  const input = signInTokenInput(customerId, ttlSeconds, options);
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
  return signInLink(generateSignInToken(customerId, ttlSeconds, options), options);
}

export class SignInTokens extends AsyncSignInTokens {
  generate(customerId: string | number, ttlSeconds: number, options: SignInTokenOptions): string {
    return generateSignInToken(customerId, ttlSeconds, options);
  }

  signInUrl(
    customerId: string | number,
    ttlSeconds: number,
    options: SignInTokenOptions & { baseUrl?: string },
  ): string {
    return signInUrl(customerId, ttlSeconds, { ...options, baseUrl: options.baseUrl ?? this.baseUrl });
  }
}
