import type { Transport } from './http.js';
import type {
  BulkDryRunResult,
  BulkInput,
  BulkOptions,
  BulkResult,
  BulkRowResult,
  BulkSummary,
  CreatedMagicLink,
  CreateMagicLinkParams,
  IdempotencyOptions,
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

  /**
   * Creates a link (`POST /v1/magic-links`). The answer is the only place the token (`secret`) appears. With an
   * `idempotencyKey` a retry cannot create a second link, so the call is retried on 429, 5xx and network errors.
   */
  async create(params: CreateMagicLinkParams, options: IdempotencyOptions = {}): Promise<CreatedMagicLink> {
    const body = await this.#http.request<{ magic_link: CreatedMagicLink }>({
      method: 'POST',
      path: '/v1/magic-links',
      body: params,
      ...idempotency(options),
    });
    return body.magic_link;
  }

  /**
   * A QR code of a link's `url`, as SVG text (`POST /v1/qr`), drawn by the server and stored nowhere. Only URLs of
   * the app's links and pages are drawn (on the server's or the app's public URL, or its site).
   */
  async qrCode(url: string): Promise<string> {
    const response = await this.#http.send({
      method: 'POST',
      path: '/v1/qr',
      body: { text: url },
      accept: 'image/svg+xml',
      idempotent: true,
    });
    return response.text();
  }

  /**
   * Creates up to 100,000 links in one request (`POST /v1/magic-links/bulk`) and answers one result per row, in
   * order: the link, or the row's own error. One bad row never fails the others. With `campaign` the links belong to
   * a new campaign, whose id is `summary.campaign_id` (see `campaigns`).
   */
  bulk(input: BulkInput, options: BulkOptions = {}): Promise<BulkResult> {
    return this.#http.request({
      method: 'POST',
      path: '/v1/magic-links/bulk',
      query: bulkQuery(options),
      ...bulkBody(input),
      ...idempotency(options),
    });
  }

  /**
   * Checks every row exactly as `bulk` would (the same errors, codes and `param`) and creates nothing: no user,
   * link, message or campaign. Answers what each good row would create.
   */
  bulkDryRun(input: BulkInput, options: Omit<BulkOptions, 'idempotencyKey'> = {}): Promise<BulkDryRunResult> {
    return this.#http.request({
      method: 'POST',
      path: '/v1/magic-links/bulk',
      query: { ...bulkQuery(options), dry_run: true },
      // Nothing is created, so asking again is safe.
      idempotent: true,
      ...bulkBody(input),
    });
  }

  /**
   * Like `bulk`, but streamed: yields each row's result as the server creates it, then `{ summary }`. Stopping the
   * iteration hangs up, and the server creates no more rows.
   */
  async *bulkStream(
    input: BulkInput,
    options: BulkOptions = {},
  ): AsyncGenerator<BulkRowResult | { summary: BulkSummary }, void, undefined> {
    const response = await this.#http.send({
      method: 'POST',
      path: '/v1/magic-links/bulk',
      query: bulkQuery(options),
      accept: 'application/x-ndjson',
      ...bulkBody(input),
      ...idempotency(options),
    });
    if (!response.body) return;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let pending = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        pending += value;
        let newline = pending.indexOf('\n');
        while (newline >= 0) {
          const line = pending.slice(0, newline).trim();
          pending = pending.slice(newline + 1);
          if (line !== '') yield JSON.parse(line) as BulkRowResult | { summary: BulkSummary };
          newline = pending.indexOf('\n');
        }
      }
      if (pending.trim() !== '') yield JSON.parse(pending) as BulkRowResult | { summary: BulkSummary };
    } finally {
      await reader.cancel().catch(() => {});
    }
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

  /**
   * Sends a link again (`POST /v1/magic-links/{id}/resend`): tokens are stored hashed, so a new link like it (same
   * user, type, redirect, language, channel and ttl) is made and sent, and the old one revoked. The answer is the
   * new link, with its token. A used, revoked or expired link is refused (`link_used`, `link_revoked`,
   * `link_expired`). With an `idempotencyKey` a retry cannot send twice, so the call is retried.
   */
  async resend(id: string, options: IdempotencyOptions = {}): Promise<CreatedMagicLink> {
    const body = await this.#http.request<{ magic_link: CreatedMagicLink }>({
      method: 'POST',
      path: `${path(id)}/resend`,
      ...idempotency(options),
    });
    return body.magic_link;
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

function idempotency(options: IdempotencyOptions) {
  return options.idempotencyKey === undefined
    ? {}
    : { headers: { 'idempotency-key': options.idempotencyKey }, idempotent: true };
}

function bulkQuery(options: Pick<BulkOptions, 'campaign' | 'send'>) {
  return { campaign: options.campaign, send: options.send };
}

function bulkBody(input: BulkInput) {
  if (Array.isArray(input)) return { body: input };
  if ('csv' in input) return { rawBody: { type: 'text/csv', text: input.csv } };
  return { rawBody: { type: 'application/x-ndjson', text: input.ndjson } };
}
