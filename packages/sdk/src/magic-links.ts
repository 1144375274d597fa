import type { Transport } from './http.js';
import type {
  CreatedMagicLink,
  CreateMagicLinkParams,
  ListMagicLinksParams,
  MagicLink,
  MagicLinkWithDeliveries,
} from './types.js';

const path = (id: string) => `/v1/magic-links/${encodeURIComponent(id)}`;

export class MagicLinks {
  readonly #http: Transport;

  constructor(http: Transport) {
    this.#http = http;
  }

  /** Creates a link (`POST /v1/magic-links`). The answer is the only place the token (`secret`) appears. */
  async create(params: CreateMagicLinkParams): Promise<CreatedMagicLink> {
    const body = await this.#http.request<{ magic_link: CreatedMagicLink }>({
      method: 'POST',
      path: '/v1/magic-links',
      body: params,
    });
    return body.magic_link;
  }

  /** A link's status, timeline and deliveries; never its token. */
  get(id: string): Promise<MagicLinkWithDeliveries> {
    return this.#http.request({ method: 'GET', path: path(id) });
  }

  /** Every link matching the filters, newest first, across as many pages as it takes. */
  list(params: ListMagicLinksParams = {}): AsyncGenerator<MagicLink, void, undefined> {
    return this.#http.paginate<MagicLink>('/v1/magic-links', { ...params });
  }

  /** Revokes one link; revoking it again answers the same, so the call is retried safely. */
  revoke(id: string): Promise<MagicLink> {
    return this.#http.request({ method: 'POST', path: `${path(id)}/revoke`, idempotent: true });
  }

  /** Revokes every outstanding link of a user; answers how many were revoked. */
  revokeAll(userId: string): Promise<{ revoked: number }> {
    return this.#http.request({
      method: 'POST',
      path: `/v1/users/${encodeURIComponent(userId)}/magic-links/revoke`,
      idempotent: true,
    });
  }
}
