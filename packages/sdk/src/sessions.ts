import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import type { Transport } from './http.js';
import type { ExchangeResult, ListSessionsParams, RefreshResult, Session } from './types.js';

export interface VerifySessionOptions {
  /** The app the token must be for (its `aud`). */
  appId: string;
  /** Expected `iss`: the server's public URL. Defaults to the client's `issuer`. */
  issuer?: string;
  /** Seconds of clock skew to allow on `exp` and `iat` (default 0). */
  clockToleranceSeconds?: number;
}

/** The claims of a verified session token. */
export interface SessionClaims extends JWTPayload {
  /** The user id. */
  sub: string;
  /** The session id. */
  sid: string;
  aud: string | string[];
  iss: string;
  exp: number;
}

export class Sessions {
  readonly #http: Transport;
  readonly #issuer: string;
  #jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  readonly #jwksCooldownMs: number | undefined;

  constructor(http: Transport, issuer: string, jwksCooldownMs?: number) {
    this.#http = http;
    this.#issuer = issuer;
    this.#jwksCooldownMs = jwksCooldownMs;
  }

  /** Trades the `lk_code` from a sign-in redirect for the user and a session. Codes work once: never retried. */
  exchange(params: { code: string; codeVerifier?: string }): Promise<ExchangeResult> {
    return this.#http.request({
      method: 'POST',
      path: '/v1/sessions/exchange',
      body: {
        code: params.code,
        ...(params.codeVerifier === undefined ? {} : { code_verifier: params.codeVerifier }),
      },
    });
  }

  /** A new session token and refresh token. Each refresh token works once, so this is never retried. */
  refresh(refreshToken: string): Promise<RefreshResult> {
    return this.#http.request({
      method: 'POST',
      path: '/v1/sessions/refresh',
      body: { refresh_token: refreshToken },
    });
  }

  /** Every session matching the filters, across pages. */
  list(params: ListSessionsParams = {}): AsyncGenerator<Session, void, undefined> {
    return this.#http.paginate<Session>('/v1/sessions', { ...params });
  }

  get(id: string): Promise<Session> {
    return this.#http.request({ method: 'GET', path: `/v1/sessions/${encodeURIComponent(id)}` });
  }

  revoke(id: string): Promise<Session> {
    return this.#http.request({
      method: 'POST',
      path: `/v1/sessions/${encodeURIComponent(id)}/revoke`,
      idempotent: true,
    });
  }

  /**
   * Checks a session token offline: ES256 signature against the server's JWKS (fetched once and cached for this
   * client; fetched again when a token names a key it has not seen, at most once per `jwksCooldownMs`), `iss`, `aud` = `appId`, and `exp`.
   * Answers the claims; throws jose's error (`JWTExpired`, `JWTClaimValidationFailed`,
   * `JWSSignatureVerificationFailed`, …) when the token does not pass.
   */
  async verify(token: string, options: VerifySessionOptions): Promise<SessionClaims> {
    this.#jwks ??= createRemoteJWKSet(
      new URL('/.well-known/jwks.json', `${this.#http.baseUrl}/`),
      this.#jwksCooldownMs === undefined ? {} : { cooldownDuration: this.#jwksCooldownMs },
    );
    const { payload } = await jwtVerify(token, this.#jwks, {
      issuer: options.issuer ?? this.#issuer,
      audience: options.appId,
      algorithms: ['ES256'],
      requiredClaims: ['sub', 'exp'],
      ...(options.clockToleranceSeconds === undefined
        ? {}
        : { clockTolerance: options.clockToleranceSeconds }),
    });
    return payload as SessionClaims;
  }
}
