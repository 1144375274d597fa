import type { LatchkeyClientErrorCode, LatchkeyErrorCode } from './error-codes.js';

export interface LatchkeyErrorOptions {
  status: number;
  code: LatchkeyErrorCode | LatchkeyClientErrorCode;
  message: string;
  param?: string | undefined;
  requestId?: string | undefined;
  cause?: unknown;
}

/**
 * Every failure the SDK reports. `status` is the HTTP status of the answer, or 0 when there was none
 * (`network_error`, `webhook_invalid`). `code` is the server's stable code (switch on it; see docs/errors.md) or
 * one of the SDK's own: `network_error` (the request never got an answer) and `webhook_invalid` (a webhook's
 * headers, signature, timestamp or body did not pass `webhooks.verify`).
 */
export class LatchkeyError extends Error {
  override readonly name = 'LatchkeyError';
  readonly status: number;
  readonly code: LatchkeyErrorCode | LatchkeyClientErrorCode;
  readonly param?: string;
  readonly requestId?: string;

  constructor(options: LatchkeyErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
    this.code = options.code;
    if (options.param !== undefined) this.param = options.param;
    if (options.requestId !== undefined) this.requestId = options.requestId;
  }
}
