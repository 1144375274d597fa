import type { Latchkey } from './client.js';
import { LatchkeyError } from './errors.js';
import type { SessionTokens, User } from './types.js';

/** What a sign-in callback hands the app: the user, their new session and where the link asked to go. */
export interface CallbackResult {
  user: User;
  session: SessionTokens;
  /** The link's `redirect_url`, or null when it had none. */
  redirectUrl: string | null;
}

export interface ExchangeCallbackOptions {
  /** The PKCE verifier, when the sign-in started with a `code_challenge`. */
  codeVerifier?: string | undefined;
}

type MaybePromise<T> = T | Promise<T>;

/** The query parameter Latchkey adds to the redirect after a sign-in. */
export const CALLBACK_CODE_PARAM = 'lk_code';

function readCode(url: string | URL): string | null {
  const parsed = typeof url === 'string' ? new URL(url, 'http://callback.invalid') : url;
  const code = parsed.searchParams.get(CALLBACK_CODE_PARAM);
  return code ? code : null;
}

function missingCode(): LatchkeyError {
  return new LatchkeyError({
    status: 400,
    code: 'code_invalid',
    message: `The callback URL has no ${CALLBACK_CODE_PARAM} parameter.`,
    param: CALLBACK_CODE_PARAM,
  });
}

/**
 * Reads `lk_code` from a callback URL (absolute, or a path such as `req.url`) and exchanges it for the user and a
 * session. Answers null when the URL carries no `lk_code`; throws `LatchkeyError` when the exchange fails
 * (`code_invalid` for an unknown, expired or used code).
 */
export async function exchangeCallback(
  latchkey: Latchkey,
  url: string | URL,
  options: ExchangeCallbackOptions = {},
): Promise<CallbackResult | null> {
  const code = readCode(url);
  if (code === null) return null;
  const result = await latchkey.sessions.exchange({
    code,
    ...(options.codeVerifier === undefined ? {} : { codeVerifier: options.codeVerifier }),
  });
  return { user: result.user, session: result.session, redirectUrl: result.redirect_url };
}

/** The parts of an Express (or plain Node) request the callback reads. */
export interface ExpressLikeRequest {
  originalUrl?: string | undefined;
  url?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

export interface ExpressCallbackOptions<Req extends ExpressLikeRequest, Res> {
  /** Called after a successful exchange: set your session cookie and redirect. */
  onSuccess(req: Req, res: Res, result: CallbackResult): MaybePromise<unknown>;
  /** Called when the exchange fails. Without it the error goes to `next(error)`. */
  onError?(req: Req, res: Res, error: LatchkeyError): MaybePromise<unknown>;
  /** The PKCE verifier for this request, for example from the session that started the sign-in. */
  codeVerifier?(req: Req): MaybePromise<string | undefined>;
}

export type ExpressCallbackHandler<Req, Res> = (req: Req, res: Res, next: (error?: unknown) => void) => void;

/**
 * Express middleware for the page Latchkey redirects to. Without `lk_code` it calls `next()`; otherwise it exchanges
 * the code and calls `onSuccess`, or `onError` (else `next(error)`) when the exchange fails. Errors thrown by the
 * hooks go to `next(error)`.
 */
export function expressCallback<Req extends ExpressLikeRequest, Res>(
  latchkey: Latchkey,
  options: ExpressCallbackOptions<Req, Res>,
): ExpressCallbackHandler<Req, Res> {
  return (req, res, next) => {
    const run = async (): Promise<void> => {
      const url = req.originalUrl ?? req.url ?? '/';
      if (readCode(url) === null) return next();
      let result: CallbackResult | null;
      try {
        const codeVerifier = await options.codeVerifier?.(req);
        result = await exchangeCallback(latchkey, url, { codeVerifier });
      } catch (error) {
        if (options.onError && error instanceof LatchkeyError) {
          await options.onError(req, res, error);
          return;
        }
        return next(error);
      }
      if (result === null) return next();
      await options.onSuccess(req, res, result);
    };
    run().catch(next);
  };
}

/** The parts of a Fastify request the callback reads. */
export interface FastifyLikeRequest {
  url: string;
  originalUrl?: string | undefined;
}

/** The parts of a Fastify reply the callback uses. */
export interface FastifyLikeReply {
  code(statusCode: number): { send(payload?: unknown): unknown };
}

export interface FastifyCallbackOptions<Req extends FastifyLikeRequest, Reply extends FastifyLikeReply> {
  /** Called after a successful exchange; its return value is the handler's (return `reply` after sending). */
  onSuccess(request: Req, reply: Reply, result: CallbackResult): MaybePromise<unknown>;
  /**
   * Called when there is no `lk_code` or the exchange fails. Without it the reply is the error as JSON,
   * `{ error: { code, message } }`, with its status (400 for a missing or used code, 502 when Latchkey gave no
   * answer or a server error).
   */
  onError?(request: Req, reply: Reply, error: LatchkeyError): MaybePromise<unknown>;
  /** The PKCE verifier for this request. */
  codeVerifier?(request: Req): MaybePromise<string | undefined>;
}

export type FastifyCallbackHandler<Req, Reply> = (request: Req, reply: Reply) => Promise<unknown>;

/** A Fastify route handler for the page Latchkey redirects to. */
export function fastifyCallback<Req extends FastifyLikeRequest, Reply extends FastifyLikeReply>(
  latchkey: Latchkey,
  options: FastifyCallbackOptions<Req, Reply>,
): FastifyCallbackHandler<Req, Reply> {
  const fail = (request: Req, reply: Reply, error: LatchkeyError): MaybePromise<unknown> => {
    if (options.onError) return options.onError(request, reply, error);
    const status = error.status >= 400 && error.status < 500 ? error.status : 502;
    return reply.code(status).send({ error: { code: error.code, message: error.message } });
  };
  return async (request, reply) => {
    const url = request.originalUrl ?? request.url;
    if (readCode(url) === null) return fail(request, reply, missingCode());
    let result: CallbackResult | null;
    try {
      const codeVerifier = await options.codeVerifier?.(request);
      result = await exchangeCallback(latchkey, url, { codeVerifier });
    } catch (error) {
      if (error instanceof LatchkeyError) return fail(request, reply, error);
      throw error;
    }
    if (result === null) return fail(request, reply, missingCode());
    return options.onSuccess(request, reply, result);
  };
}
