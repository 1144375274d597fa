import type { Transport } from './http.js';
import type { ListUsersParams, User, UserParams } from './types.js';

const path = (id: string) => `/v1/users/${encodeURIComponent(id)}`;

export class Users {
  readonly #http: Transport;

  constructor(http: Transport) {
    this.#http = http;
  }

  /** A user needs at least one of `email`, `phone` (E.164) or `external_id`. */
  create(params: UserParams): Promise<User> {
    return this.#http.request({ method: 'POST', path: '/v1/users', body: params });
  }

  get(id: string): Promise<User> {
    return this.#http.request({ method: 'GET', path: path(id) });
  }

  /** Changes the given fields; the same patch twice gives the same user, so it is retried safely. */
  update(id: string, patch: UserParams): Promise<User> {
    return this.#http.request({ method: 'PATCH', path: path(id), body: patch, idempotent: true });
  }

  /** Deletes the user and revokes its links and sessions. */
  async delete(id: string): Promise<void> {
    await this.#http.request({ method: 'DELETE', path: path(id) });
  }

  /** Every user matching the filters (`email`, `phone`, `external_id` look one up), across pages. */
  list(params: ListUsersParams = {}): AsyncGenerator<User, void, undefined> {
    return this.#http.paginate<User>('/v1/users', { ...params });
  }
}
