import { maxHeaderSize, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ApiError } from '../errors/api-error.js';
import { STORAGE_RETRY_AFTER_SECONDS, storageOutage } from '../storage/storage-errors.js';
import { redactText, redactUrl } from './logger.js';
import { newRequestId, REQUEST_ID_HEADER } from './request-id.js';
import type { RouteScope } from './routes.js';
import { type SchemaIssue, validationFailure } from './validation.js';

/** The stable code of an error page, for programs that read pages (link checkers, tests, the SDK's callers). */
export const ERROR_CODE_HEADER = 'latchkey-error-code';

/**
 * The one place that turns errors into responses. Our own `ApiError`s carry their code; Fastify's request errors
 * (schema validation, bad JSON, wrong content type, oversized body) are mapped to registry codes; anything else
 * is an `internal_error` whose details go to the log, never to the client.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) =>
    sendError(request, reply, reported(error, request)),
  );

  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      new ApiError(
        'route_not_found',
        // The path is redacted: a token pasted into a wrong path must not come back in the answer (or its log).
        `No route for ${request.method} ${redactUrl(request.url.split('?')[0] ?? '')}. The API reference is at /docs.`,
      ),
    ),
  );
}

/** The error as an `ApiError`, with what the operator needs written to the log first. */
function reported(error: FastifyError | ApiError | Error, request: FastifyRequest): ApiError {
  const apiError = toApiError(error);
  const outage = storageOutage(error);
  // The cause and what to check go to the operator's log; the client learns only that storage is unavailable.
  if (outage)
    request.log.error({ err: error, storage: outage.kind }, `storage unavailable: ${outage.advice}`);
  else if (apiError.status >= 500) request.log.error({ err: error }, 'request failed');
  return apiError;
}

/** How a page scope answers an error with its own page (the hosted link and sign-in pages). */
export type PageAnswer = (request: FastifyRequest, reply: FastifyReply, error: ApiError) => FastifyReply;

/**
 * Errors that reach no handler of a page scope: the route's schema refusing a parameter or form, a body the page
 * does not read, a database outage, a bug. A browser (its `Accept` names `text/html` on every navigation and form
 * post) gets the scope's own page; any other client gets the API's JSON error, which it can read. Both carry the
 * code in `Latchkey-Error-Code`, like every error page.
 */
export function answerErrorsWithPages(app: RouteScope, answer: PageAnswer): void {
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    const apiError = reported(error, request);
    reply.header(ERROR_CODE_HEADER, apiError.code);
    if (!acceptsHtml(request)) return sendError(request, reply, apiError);
    for (const [name, value] of Object.entries(apiError.headers)) reply.header(name, value);
    return answer(request, reply, apiError);
  });
}

function acceptsHtml(request: FastifyRequest): boolean {
  return /\btext\/html\b/i.test(request.headers.accept ?? '');
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: ApiError): FastifyReply {
  // Here as well as in the server's onSend hook: the router's own errors (frameworkErrors) are sent without hooks.
  reply.header(REQUEST_ID_HEADER, request.id);
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply.code(error.status).type('application/json; charset=utf-8').send(error.toJSON());
}

export function toApiError(error: FastifyError | ApiError | Error): ApiError {
  if (error instanceof ApiError) return error;
  if (storageOutage(error)) return storageUnavailable();
  const fe = error as FastifyError;
  if (fe.validation && fe.validation.length > 0) {
    return validationFailure(fe.validation as unknown as SchemaIssue[], fe.validationContext ?? 'body');
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError(
        'invalid_json',
        'The request body is not valid JSON. Send a JSON object with Content-Type: application/json.',
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('unsupported_media_type', 'This route reads application/json bodies.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('payload_too_large', 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('validation_failed', 'The Content-Length header does not match the body.');
    case 'FST_ERR_BAD_URL':
      // Fastify's own message quotes the path, which may hold a token: it is not repeated back.
      return new ApiError(
        'validation_failed',
        'The path has a broken percent-encoding (a % not followed by two hex digits of valid UTF-8). Encode the URL and send it again.',
      );
  }
  if (fe.statusCode === 400 && typeof fe.message === 'string') {
    // Other 4xx from Fastify's request parsing are the client's to fix; a message that quotes the request is scrubbed.
    return new ApiError('validation_failed', redactText(fe.message));
  }
  if (fe.statusCode === 404) return new ApiError('route_not_found', 'No such route.');
  if (fe.statusCode === 405) return new ApiError('method_not_allowed', 'Method not allowed on this path.');
  if (fe.statusCode === 414 || fe.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return new ApiError('validation_failed', 'A path parameter is too long.');
  }
  if (fe.statusCode === 413) return new ApiError('payload_too_large', 'The request body is too large.');
  if (fe.statusCode === 415)
    return new ApiError('unsupported_media_type', 'Unsupported content type for this route.');
  return new ApiError('internal_error', 'Something went wrong on our side. The server log has the details.');
}

/** The database is down, full or read-only (storage/storage-errors.ts): a 503 the client may retry. */
function storageUnavailable(): ApiError {
  return new ApiError(
    'storage_unavailable',
    `Latchkey cannot use its database right now, so this request was not completed. Retry in ${STORAGE_RETRY_AFTER_SECONDS} seconds (Retry-After); if it keeps failing, the operator should check the database (the server log names the cause).`,
    { headers: { 'retry-after': String(STORAGE_RETRY_AFTER_SECONDS) } },
  );
}

/** What Node's HTTP server passes with its 'clientError' event (the typings of Fastify's option differ a little). */
interface ClientError extends Error {
  code?: string;
  /** The parser's reason, one of llhttp's fixed strings ("Invalid character in chunk size"). */
  reason?: unknown;
  /** The bytes the parser was reading when it failed, and how far it got. */
  rawPacket?: unknown;
  bytesParsed?: number;
}

/** The response Node is writing on a connection, if any (Node's own 'clientError' default looks at it the same way). */
type ConnectionSocket = Socket & { _httpMessage?: ServerResponse | null };

/**
 * Fastify's `clientErrorHandler`: answers the requests Node's HTTP parser refuses before Fastify sees them (broken
 * request lines, headers or chunked bodies, oversized headers, requests that never finish) in the same error format
 * as everything else: a complete HTTP/1.1 response with a registered code, then the connection is closed, since the
 * parser cannot find where the next request would begin. The refusal is logged by its code only: the raw bytes of the
 * request may hold a token or a key.
 */
export function clientErrorHandler(logger: Logger): (error: ClientError, socket: Socket) => void {
  return (error, socket) => {
    // Reset by the client, or already closing: nobody is left to read an answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const apiError = clientErrorOf(error);
    // Never the caller's X-Request-Id: the request could not be read, so a fresh one, in the log line and the answer.
    const requestId = newRequestId();
    logger.info(
      { reqId: requestId, code: apiError.code, status: apiError.status, parserError: error.code },
      `refused a request the server could not read: ${apiError.code}`,
    );
    const inFlight = (socket as ConnectionSocket)._httpMessage ?? undefined;
    // Part of an answer is on the wire already: anything written now would corrupt it, so the connection just ends.
    if (inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const head = refusedMethod(error, inFlight) === 'HEAD';
    socket.end(rawResponse(apiError, head, requestId), () => socket.destroy());
  };
}

function clientErrorOf(error: ClientError): ApiError {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new ApiError(
        'headers_too_large',
        `The request headers are larger than the server reads (${Math.floor(maxHeaderSize / 1024)} KiB in all, cookies included). Send fewer or shorter headers; in a browser, clear this site's cookies.`,
      );
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new ApiError(
        'payload_too_large',
        'The chunk extensions of the request body are larger than the server reads. Send the body without chunk extensions.',
      );
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ApiError(
        'request_timeout',
        'The request did not arrive in full in time, so the connection was closed. Send the whole request at once and retry.',
      );
    default:
      return new ApiError(
        'malformed_request',
        `The request is not valid HTTP/1.1${parserReason(error)}, so the server could not read it. Fix the client or proxy that built it; the connection is closed.`,
      );
  }
}

/** llhttp's reason, such as "Content-Length can't be present with Transfer-Encoding", when it is one of its phrases. */
function parserReason(error: ClientError): string {
  const reason = error.reason;
  return typeof reason === 'string' && /^[A-Za-z][A-Za-z0-9 '-]{0,79}$/.test(reason) ? ` (${reason})` : '';
}

/**
 * The method of the refused request, if it can be known. Node does not say: the parser failed before it made a
 * request of the bytes. Its `rawPacket` holds the bytes it was reading, so the last request line in them up to the
 * failure is the refused request's; failing that, a request whose body was being read is the one refused.
 */
function refusedMethod(error: ClientError, inFlight: ServerResponse | undefined): string | undefined {
  if (Buffer.isBuffer(error.rawPacket)) {
    const end = typeof error.bytesParsed === 'number' ? error.bytesParsed + 1 : undefined;
    const read = error.rawPacket.subarray(0, end).toString('latin1');
    const lines = [...read.matchAll(/(?:^|\n)([A-Z]+) \S+ HTTP\/\d\.\d\r?\n/g)];
    const method = lines.at(-1)?.[1];
    if (method !== undefined) return method;
  }
  return inFlight?.req?.method;
}

function rawResponse(error: ApiError, head: boolean, requestId: string): string {
  const body = JSON.stringify(error.toJSON());
  const lines = [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Cache-Control: no-store',
    'X-Content-Type-Options: nosniff',
    `X-Request-Id: ${requestId}`,
    `Date: ${new Date().toUTCString()}`,
    'Connection: close',
  ];
  // An answer to HEAD has the headers of the answer to GET and no body.
  return `${lines.join('\r\n')}\r\n\r\n${head ? '' : body}`;
}
