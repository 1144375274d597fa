import type { Transport } from './http.js';
import type { ApiKey, CreatedApiKey, PageParams } from './types.js';

export class ApiKeys {
  readonly #http: Transport;

  constructor(http: Transport) {
    this.#http = http;
  }

  /**
   * A new API key for the app (or, with `kind: 'admin'` and an admin key, a new admin key). The answer's `key` is
   * the only time the secret is shown.
   */
  create(params: { label?: string; kind?: 'app' | 'admin' } = {}): Promise<CreatedApiKey> {
    return this.#http.request({ method: 'POST', path: '/v1/api-keys', body: params });
  }

  /** Every key (`kind: 'admin'` for admin keys), newest first, never their secrets. */
  list(params: PageParams & { kind?: 'app' | 'admin' } = {}): AsyncGenerator<ApiKey, void, undefined> {
    return this.#http.paginate<ApiKey>('/v1/api-keys', { ...params });
  }

  /** Revokes a key at once; requests with it are refused from then on. */
  revoke(id: string): Promise<ApiKey> {
    return this.#http.request({ method: 'DELETE', path: `/v1/api-keys/${encodeURIComponent(id)}` });
  }
}
