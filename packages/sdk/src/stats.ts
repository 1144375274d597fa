import { isoOf } from './events.js';
import type { Transport } from './http.js';
import type { LinkStats, StatsParams } from './types.js';

/** Link figures: funnel, conversion, time to redeem, invites, failures and a per-day series. */
export class Stats {
  readonly #http: Transport;

  constructor(http: Transport) {
    this.#http = http;
  }

  /** The figures of the links created in [from, to) (default: the last 30 days), at most 400 days. */
  get(params: StatsParams = {}): Promise<LinkStats> {
    return this.#http.request({
      method: 'GET',
      path: '/v1/stats',
      query: { from: isoOf(params.from), to: isoOf(params.to), type: params.type },
    });
  }
}
