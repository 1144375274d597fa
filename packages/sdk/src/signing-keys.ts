import type { Transport } from './http.js';
import type { CreatedSigningKey, PageParams, SigningKey } from './types.js';

export class SigningKeys {
  readonly #http: Transport;

  constructor(http: Transport) {
    this.#http = http;
  }

  /** A new HS256 key for stateless links; the answer's `secret` is the only time it is shown. */
  create(params: { label?: string } = {}): Promise<CreatedSigningKey> {
    return this.#http.request({ method: 'POST', path: '/v1/signing-keys', body: params });
  }

  /** Every signing key of the app, active and revoked, newest first, never their secrets. */
  list(params: PageParams = {}): AsyncGenerator<SigningKey, void, undefined> {
    return this.#http.paginate<SigningKey>('/v1/signing-keys', { ...params });
  }

  /** Revokes a key; links signed with it stop working at once. */
  revoke(kid: string): Promise<SigningKey> {
    return this.#http.request({ method: 'DELETE', path: `/v1/signing-keys/${encodeURIComponent(kid)}` });
  }
}
