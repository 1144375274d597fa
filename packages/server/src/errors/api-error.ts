import { type ErrorCode, errorCodes } from './error-codes.js';

/**
 * The one error class. Services throw it with a registered code; the HTTP error handler turns it into
 * `{"error": {"code", "message", "param"?}}` with the registry's status.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly param: string | undefined;
  /** Extra response headers, such as `Retry-After`. */
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { param?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.code = code;
    this.status = errorCodes[code].status;
    this.param = options.param;
    this.headers = options.headers ?? {};
  }

  toJSON(): { error: { code: ErrorCode; message: string; param?: string } } {
    const body: { code: ErrorCode; message: string; param?: string } = {
      code: this.code,
      message: this.message,
    };
    if (this.param !== undefined) body.param = this.param;
    return { error: body };
  }
}

export function validationError(param: string, message: string): ApiError {
  return new ApiError('validation_failed', message, { param });
}
