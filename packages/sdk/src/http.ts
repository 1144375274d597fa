/**
 * The one place requests are made: JSON in and out, errors turned into LatchkeyError, retries with backoff for
 * calls that are safe to repeat, and cursor pagination.
 */
import type { LatchkeyErrorCode } from './error-codes.js';
import { LatchkeyError } from './errors.js';

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

export type QueryValue = string | number | boolean | undefined | null;

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, QueryValue> | undefined;
  body?: unknown;
  /** A POST or PATCH that gives the same result when repeated, so it may be retried. GET and DELETE always are. */
  idempotent?: boolean;
  /** Extra request headers, such as `Idempotency-Key`. */
  headers?: Record<string, string> | undefined;
  /** A body sent as it is (CSV, NDJSON) instead of `body` as JSON. */
  rawBody?: { type: string; text: string } | undefined;
  /** The `Accept` header; default `application/json`. */
  accept?: string | undefined;
  /** Aborts the request, and the reading of a streamed answer. */
  signal?: AbortSignal | undefined;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export interface TransportOptions {
  baseUrl: string;
  apiKey?: string | undefined;
  /** Sent as `Latchkey-App`: the app an admin key acts on. */
  appId?: string | undefined;
  fetch: FetchLike;
  maxRetries: number;
  /** First backoff delay; doubles on each retry unless the server sends `Retry-After`. */
  retryDelayMs?: number;
}

const RETRY_STATUSES = new Set([429, 502, 503, 504]);
const MAX_DELAY_MS = 30_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Transport {
  readonly baseUrl: string;
  readonly #apiKey: string | undefined;
  readonly #appId: string | undefined;
  readonly #fetch: FetchLike;
  readonly #maxRetries: number;
  readonly #retryDelayMs: number;

  constructor(options: TransportOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#apiKey = options.apiKey;
    this.#appId = options.appId;
    this.#fetch = options.fetch;
    this.#maxRetries = Math.max(0, Math.floor(options.maxRetries));
    this.#retryDelayMs = options.retryDelayMs ?? 250;
  }

  url(path: string, query?: Record<string, QueryValue>): string {
    const url = new URL(this.baseUrl + path);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
    }
    return url.toString();
  }

  async request<T>(options: RequestOptions): Promise<T> {
    const response = await this.send(options);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /**
   * Makes the request, with retries when it is safe, and answers the successful `Response` unread (for streamed
   * bodies); a failure is thrown as a LatchkeyError.
   */
  async send(options: RequestOptions): Promise<Response> {
    if (!this.#apiKey) {
      throw new TypeError('This call needs an API key: pass `apiKey` to new Latchkey({ baseUrl, apiKey }).');
    }
    const retryable = options.method === 'GET' || options.method === 'DELETE' || options.idempotent === true;
    const url = this.url(options.path, options.query);
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#apiKey}`,
      accept: options.accept ?? 'application/json',
      ...(this.#appId === undefined ? {} : { 'latchkey-app': this.#appId }),
      ...options.headers,
    };
    let payload: string | undefined;
    if (options.rawBody !== undefined) {
      headers['content-type'] = options.rawBody.type;
      payload = options.rawBody.text;
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(options.body);
    }

    for (let attempt = 0; ; attempt++) {
      const canRetry = retryable && attempt < this.#maxRetries;
      let response: Response;
      try {
        response = await this.#fetch(url, {
          method: options.method,
          headers,
          body: payload,
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        });
      } catch (cause) {
        if (options.signal?.aborted) throw cause;
        if (canRetry) {
          await sleep(this.#backoff(attempt));
          continue;
        }
        throw new LatchkeyError({
          status: 0,
          code: 'network_error',
          message: `${options.method} ${options.path} got no answer: ${cause instanceof Error ? cause.message : String(cause)}`,
          cause,
        });
      }
      if (response.ok) return response;
      if (canRetry && (RETRY_STATUSES.has(response.status) || (await isKeyInUse(response, headers)))) {
        await response.body?.cancel().catch(() => {});
        await sleep(retryAfterMs(response.headers.get('retry-after')) ?? this.#backoff(attempt));
        continue;
      }
      throw await toError(response, options);
    }
  }

  /** Every item of a list endpoint, following `next_cursor` page after page. */
  async *paginate<T>(
    path: string,
    query: Record<string, QueryValue> = {},
  ): AsyncGenerator<T, void, undefined> {
    let cursor: string | null | undefined = (query.cursor as string | undefined) ?? undefined;
    do {
      const page: Page<T> = await this.request<Page<T>>({ method: 'GET', path, query: { ...query, cursor } });
      yield* page.data;
      cursor = page.next_cursor;
    } while (cursor);
  }

  #backoff(attempt: number): number {
    const base = Math.min(this.#retryDelayMs * 2 ** attempt, MAX_DELAY_MS);
    // Up to 25% jitter, so many clients do not retry in step.
    return Math.round(base * (1 + Math.random() * 0.25));
  }
}

/**
 * A 409 `idempotency_key_in_use`: the first request with this Idempotency-Key is still running, so a retry after
 * `Retry-After` gets its answer. Reads a copy of the body, so the response can still be turned into an error.
 */
async function isKeyInUse(response: Response, headers: Record<string, string>): Promise<boolean> {
  if (response.status !== 409 || headers['idempotency-key'] === undefined) return false;
  try {
    const body = (await response.clone().json()) as { error?: { code?: unknown } };
    return body.error?.code === 'idempotency_key_in_use';
  } catch {
    return false;
  }
}

/** `Retry-After` in whole seconds (the form Latchkey sends), or an HTTP date. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_DELAY_MS);
  const date = Date.parse(header);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, date - Date.now()), MAX_DELAY_MS);
}

async function toError(response: Response, options: RequestOptions): Promise<LatchkeyError> {
  const text = await response.text().catch(() => '');
  let error: { code?: unknown; message?: unknown; param?: unknown } | undefined;
  try {
    error = (JSON.parse(text) as { error?: typeof error }).error;
  } catch {
    error = undefined;
  }
  const code =
    typeof error?.code === 'string' && error.code !== ''
      ? // A newer server may answer with a code this SDK does not list yet; pass it on as it is.
        (error.code as LatchkeyErrorCode)
      : response.status >= 500
        ? 'internal_error'
        : response.status === 429
          ? 'rate_limited'
          : response.status === 404
            ? 'not_found'
            : response.status === 401
              ? 'unauthorized'
              : response.status === 403
                ? 'forbidden'
                : 'validation_failed';
  const message =
    typeof error?.message === 'string'
      ? error.message
      : `${options.method} ${options.path} failed with HTTP ${response.status}.`;
  return new LatchkeyError({
    status: response.status,
    code,
    message,
    param: typeof error?.param === 'string' ? error.param : undefined,
    requestId: response.headers.get('x-request-id') ?? undefined,
  });
}
