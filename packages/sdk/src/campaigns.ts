import type { Transport } from './http.js';
import type { Campaign, CampaignWithFigures, ListCampaignsParams } from './types.js';

const path = (id: string) => `/v1/campaigns/${encodeURIComponent(id)}`;

/**
 * Campaigns: bulk requests made with a name (`magicLinks.bulk(rows, { campaign })`). Read them with the figures of
 * their links, export their links as CSV, and revoke them.
 */
export class Campaigns {
  readonly #http: Transport;

  constructor(http: Transport) {
    this.#http = http;
  }

  /** Every campaign of the app, newest first, across as many pages as it takes. */
  list(params: ListCampaignsParams = {}): AsyncGenerator<Campaign, void, undefined> {
    return this.#http.paginate<Campaign>('/v1/campaigns', { ...params });
  }

  /** The campaign with its links' funnel, rates and per-day series. */
  get(id: string): Promise<CampaignWithFigures> {
    return this.#http.request({ method: 'GET', path: path(id) });
  }

  /** The campaign's links as CSV text (id, user, identifier, status and times; never a token). */
  async exportCsv(id: string): Promise<string> {
    const response = await this.#http.send({
      method: 'GET',
      path: `${path(id)}/links.csv`,
      accept: 'text/csv',
    });
    return response.text();
  }

  /**
   * Revokes the campaign and every outstanding link it made; redeemed and expired links stay as they are. Revoking
   * again changes nothing (`revoked: 0`), so the call is retried safely.
   */
  revoke(id: string): Promise<{ campaign: Campaign; revoked: number }> {
    return this.#http.request({ method: 'POST', path: `${path(id)}/revoke`, idempotent: true });
  }
}
