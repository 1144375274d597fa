import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error.js';
import { STORAGE_RETRY_AFTER_SECONDS, storageOutage } from '../storage/storage-errors.js';
import { redactText, redactUrl } from './logger.js';
import { type SchemaIssue, validationFailure } from './validation.js';

/**
 * The one place that turns errors into responses. Our own `ApiError`s carry their code; Fastify's request errors
 * (schema validation, bad JSON, wrong content type, oversized body) are mapped to registry codes; anything else
 * is an `internal_error` whose details go to the log, never to the client.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    const apiError = toApiError(error);
    const outage = storageOutage(error);
    // The cause and what to check go to the operator's log; the client learns only that storage is unavailable.
    if (outage)
      request.log.error({ err: error, storage: outage.kind }, `storage unavailable: ${outage.advice}`);
    else if (apiError.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendError(request, reply, apiError);
  });

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

export function sendError(_request: FastifyRequest, reply: FastifyReply, error: ApiError): FastifyReply {
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
