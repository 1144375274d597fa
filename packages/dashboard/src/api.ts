/**
 * The dashboard's only way to the server: same-origin calls under /dashboard/api, authenticated by the session
 * cookie the server sets (the browser never holds an API key or a token). Every call that changes something
 * carries the session's CSRF token; an answer `403 reauth_required` asks the operator for a fresh code through the
 * handler the reauth dialog installs, and the call is sent again once.
 */

export type Role = 'owner' | 'admin' | 'operator' | 'viewer';

export interface Operator {
  id: string;
  email: string;
  role: Role;
}

export interface AppSummary {
  id: string;
  name: string;
}

export interface Session {
  operator: Operator;
  csrf_token: string;
  apps: AppSummary[];
}

export interface CodeSent {
  status: 'pending';
  code_length: number;
  expires_in_seconds: number;
}

export interface ErrorBody {
  code: string;
  message: string;
  param?: string;
}

/** Every failure a call can end in: the server's error body, or one made here when no such body came back. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly param: string | undefined;

  constructor(status: number, body: ErrorBody) {
    super(body.message);
    this.status = status;
    this.code = body.code;
    this.param = body.param;
  }
}

/** The funnel counts of GET /v1/stats (docs/api.md#analytics). */
export interface Funnel {
  created: number;
  sent: number;
  delivered: number;
  delivery_failed: number;
  opened: number;
  redeemed: number;
  revoked: number;
  expired: number;
}

export interface Stats {
  from: string;
  to: string;
  type: string | null;
  funnel: Funnel;
  conversion: {
    sent_to_redeemed: number | null;
    created_to_redeemed: number | null;
    created_to_opened: number | null;
    invite_to_first_login: number | null;
  };
  send_to_redeem_seconds: { count: number; median: number | null; p90: number | null };
  invites: {
    invited: number;
    signed_in: number;
    at_least_7_days_old: number;
    active_within_7_days: number;
    active_within_7_days_share: number | null;
  };
  failures: Array<{ type: string; reason: string; count: number }>;
  series: Array<{ date: string } & Funnel>;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface CallOptions {
  /** The app the call acts on, sent as `Latchkey-App`. */
  app?: string | undefined;
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** The media type asked for; JSON unless said (Campaigns: NDJSON progress, CSV exports). */
  accept?: string;
}

/** Asks the operator for a fresh code; resolves true once the server accepted it, false if they gave up. */
export type ReauthHandler = () => Promise<boolean>;

const CHANGES = new Set<Method>(['POST', 'PUT', 'PATCH', 'DELETE']);

export class DashboardApi {
  #csrfToken: string | undefined;
  #reauth: ReauthHandler | undefined;
  readonly #fetch: typeof fetch;
  readonly #base: string;

  constructor(options: { fetch?: typeof fetch; base?: string } = {}) {
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#base = options.base ?? '/dashboard/api';
  }

  /** Installed by the reauth dialog; without one, `reauth_required` is thrown like any other error. */
  handleReauth(handler: ReauthHandler | undefined): void {
    this.#reauth = handler;
  }

  /** The signed-in operator, or null when nobody is signed in. */
  async session(): Promise<Session | null> {
    try {
      const session = await this.call<Session>('GET', '/session');
      this.#csrfToken = session.csrf_token;
      return session;
    } catch (error) {
      // 404 counts as signed out too while the server has no session endpoint yet (a server built before the
      // dashboard's back end): the sign-in screen is the honest thing to show either way.
      if (error instanceof ApiError && (error.status === 401 || error.status === 404)) {
        this.#csrfToken = undefined;
        return null;
      }
      throw error;
    }
  }

  /** Sends a sign-in link and code to the address, if it belongs to an operator (the answer never says). */
  startSignIn(email: string): Promise<CodeSent> {
    return this.call('POST', '/auth/start', { body: { email } });
  }

  async verifySignIn(email: string, code: string): Promise<void> {
    await this.call('POST', '/auth/verify', { body: { email, code } });
  }

  async signOut(): Promise<void> {
    await this.call('POST', '/auth/sign-out');
    this.#csrfToken = undefined;
  }

  /** Sends the signed-in operator a fresh code for an action that asks for one. */
  async startReauth(): Promise<void> {
    await this.call('POST', '/auth/reauth/start', { retryAfterReauth: false });
  }

  async verifyReauth(code: string): Promise<void> {
    await this.call('POST', '/auth/reauth/verify', { body: { code }, retryAfterReauth: false });
  }

  stats(app: string, range: { from?: string; to?: string }): Promise<Stats> {
    return this.v1('GET', '/stats', { app, query: range });
  }

  /** A call to the public API's route `path` (e.g. `/magic-links`), made under the operator's session. */
  v1<T>(method: Method, path: string, options: CallOptions = {}): Promise<T> {
    return this.call(method, `/v1${path}`, options);
  }

  // ── Links: answers that are not JSON ──
  /**
   * A call to the public API whose answer is text (the QR code's SVG), read as text. Errors are read as every
   * other call's are; a fresh code, if asked for, is not (such calls only read).
   */
  async v1Text(method: Method, path: string, options: CallOptions = {}): Promise<string> {
    const response = await this.#send(method, `/v1${path}`, options);
    if (response.ok) return response.text();
    throw await errorOf(response);
  }
  // ── end Links ──
  /**
   * A GET under the public API answered as a raw response, for a body read as it arrives (the events' live tail);
   * the caller reads it and says what a failed answer means. The session cookie goes along as with every call.
   */
  async openStream(
    path: string,
    options: {
      app: string;
      query?: CallOptions['query'];
      headers?: Record<string, string>;
      signal: AbortSignal;
    },
  ): Promise<Response> {
    const response = await this.#fetch(`${this.#base}/v1${path}${queryString(options.query)}`, {
      method: 'GET',
      headers: { accept: 'text/event-stream', 'latchkey-app': options.app, ...options.headers },
      credentials: 'same-origin',
      cache: 'no-store',
      signal: options.signal,
    });
    if (!response.ok) throw await errorOf(response);
    return response;
  }

  async call<T>(
    method: Method,
    path: string,
    options: CallOptions & { retryAfterReauth?: boolean } = {},
  ): Promise<T> {
    const response = await this.#send(method, path, options);
    if (response.ok) return (response.status === 204 ? undefined : await response.json()) as T;
    const error = await errorOf(response);
    if (error.code === 'reauth_required' && options.retryAfterReauth !== false && this.#reauth) {
      if (await this.#reauth()) return this.call(method, path, { ...options, retryAfterReauth: false });
    }
    throw error;
  }

  // ── Campaigns: answers read as they come ──────────────────────────────────────────────────────────────────
  /**
   * A /v1 call whose successful answer is not one JSON body (a stream of NDJSON lines, a CSV file): the response,
   * for the caller to read. A failure is thrown as `call` throws it, after a fresh code if one was asked for.
   */
  async v1Response(
    method: Method,
    path: string,
    options: CallOptions & { retryAfterReauth?: boolean } = {},
  ): Promise<Response> {
    const response = await this.#send(method, `/v1${path}`, options);
    if (response.ok) return response;
    const error = await errorOf(response);
    if (error.code === 'reauth_required' && options.retryAfterReauth !== false && this.#reauth) {
      if (await this.#reauth()) return this.v1Response(method, path, { ...options, retryAfterReauth: false });
    }
    throw error;
  }
  // ── end Campaigns ──────────────────────────────────────────────────────────────────────────────────────────

  async #send(method: Method, path: string, options: CallOptions): Promise<Response> {
    const headers: Record<string, string> = { accept: options.accept ?? 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.app) headers['latchkey-app'] = options.app;
    // Before sign-in there is no session and so no token; the sign-in calls go without one.
    if (CHANGES.has(method) && this.#csrfToken) headers['x-csrf-token'] = this.#csrfToken;
    try {
      return await this.#fetch(this.#base + path + queryString(options.query), {
        method,
        headers,
        credentials: 'same-origin',
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
    } catch {
      throw new ApiError(0, {
        code: 'network_error',
        message:
          'Latchkey did not answer. Check your connection and that the server is running, then try again.',
      });
    }
  }
}

function queryString(query: CallOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The error body of a failed answer; a proxy's HTML page or an empty body becomes an error of our own. */
async function errorOf(response: Response): Promise<ApiError> {
  const body: unknown = await response.json().catch(() => undefined);
  const error = (body as { error?: Partial<ErrorBody> } | undefined)?.error;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    return new ApiError(response.status, {
      code: error.code,
      message: error.message,
      ...(typeof error.param === 'string' ? { param: error.param } : {}),
    });
  }
  return new ApiError(response.status, {
    code: 'unexpected_response',
    message: `The server answered ${response.status} ${response.statusText} without saying why. Try again; if it persists, check the server's log.`,
  });
}

// ── Delivery, webhooks and events (docs/api.md#delivery-log-and-outbox, docs/webhooks.md) ──

export type MessageStatus = 'pending' | 'sending' | 'sent' | 'failed';
export type MessageChannel = 'email' | 'phone';

/** One try at handing a message over, with the provider's answer to it. */
export interface OutboxAttempt {
  attempt: number;
  at: string;
  ok: boolean;
  permanent: boolean;
  answer: string | null;
  duration_ms: number | null;
}

/** An email or SMS message of GET /v1/outbox; never its content. */
export interface OutboxMessage {
  id: string;
  link_id: string | null;
  channel: MessageChannel;
  recipient: string;
  status: MessageStatus;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
  attempt_log: OutboxAttempt[];
}

/** GET /v1/delivery/status: the transports as the server sees them, secrets already masked by the server. */
export interface DeliveryStatus {
  environment: string;
  environment_detail?: string;
  email: { transport: string } & Record<string, unknown>;
  sms: { transport: string } & Record<string, unknown>;
  outbox?: Record<string, unknown>;
}

export interface DeliveryCheck {
  name: string;
  channel: string;
  transport: string;
  ok: boolean;
  detail: string;
}

export interface DeliveryTest {
  ok: boolean;
  checks: DeliveryCheck[];
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string | null;
  event_types: string[];
  status: 'enabled' | 'disabled';
  disabled_reason: string | null;
  secret_hint: string;
  previous_secret_expires_at: string | null;
  failing_since: string | null;
  created_at: string;
  updated_at: string;
}

/** The answer of create and rotate-secret: the endpoint and its secret, shown this once. */
export type WebhookEndpointWithSecret = WebhookEndpoint & { secret: string };

export interface WebhookAttempt {
  id: string;
  webhook_endpoint_id: string;
  event_id: string;
  message_id: string;
  test: boolean;
  attempt: number;
  ok: boolean;
  status_code: number | null;
  latency_ms: number | null;
  response_excerpt: string | null;
  error: string | null;
  created_at: string;
}

export interface WebhookEventType {
  type: string;
  description: string;
}

/** An event of GET /v1/events and of the live tail. */
export interface AppEvent {
  id: string;
  type: string;
  subject_id: string | null;
  created_at: string;
  data: Record<string, unknown>;
}
