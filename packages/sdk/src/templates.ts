import type { Transport } from './http.js';
import type { LinkType, TemplateTestParams, TemplateTestResult } from './types.js';

/** The app's message templates (docs/delivery.md). */
export class Templates {
  readonly #http: Transport;

  constructor(http: Transport) {
    this.#http = http;
  }

  /**
   * Sends the template of `type` in `language` (with any draft parts given in place of the saved ones) to one
   * address or phone number now, through the server's real transport, with a sample link and code. Answers what
   * the transport said; a refusal is a LatchkeyError `transport_refused` (502), a transport that could not be
   * reached `transport_unavailable` (503). A few a minute per app. Never retried: a retry would send twice.
   */
  sendTest(type: LinkType, language: string, params: TemplateTestParams): Promise<TemplateTestResult> {
    return this.#http.request({
      method: 'POST',
      path: `/v1/templates/${encodeURIComponent(type)}/${encodeURIComponent(language)}/test`,
      body: params,
    });
  }
}
