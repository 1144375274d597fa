import type { Transport } from './http.js';

export interface SessionKey {
  kid: string;
  alg: 'ES256';
  status: 'active' | 'retired';
  /** Whether the key is in the JWKS (active, or retired less than 24 hours ago). */
  published: boolean;
  created_at: string;
  retired_at: string | null;
}

/** The installation's session-token signing keys (admin key). */
export class SessionKeys {
  readonly #http: Transport;

  constructor(http: Transport) {
    this.#http = http;
  }

  /** Every key, newest first; never the private parts. */
  async list(): Promise<SessionKey[]> {
    return (await this.#http.request<{ data: SessionKey[] }>({ method: 'GET', path: '/v1/session-keys' }))
      .data;
  }

  /**
   * A new key signs session tokens from now on; the others are retired and stay in the JWKS for 24 hours, so
   * tokens they signed keep verifying until they expire.
   */
  rotate(): Promise<{ kid: string; data: SessionKey[] }> {
    return this.#http.request({ method: 'POST', path: '/v1/session-keys/rotate' });
  }
}
