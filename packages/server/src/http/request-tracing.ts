/**
 * A span per request, installed only while tracing is on (tracing/tracing.ts). It is named after the route's
 * template (`POST /v1/magic-links`, `GET /l/{token}`), never the URL itself, which for a link's page holds its token;
 * it continues the caller's trace when the request brings a W3C `traceparent`; and while it lasts it is the active
 * span, so the statements the request runs, and the outbox rows it queues, belong to it.
 */
import {
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { tracer } from '../tracing/tracer.js';

/** Each request's span, until it is answered. */
const spans = new WeakMap<FastifyRequest, Span>();

export function traceRequests(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const route = routeTemplate(request);
    const span = tracer().startSpan(
      route === undefined ? request.method : `${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          ...(route === undefined ? {} : { 'http.route': route }),
          'latchkey.request_id': request.id,
        },
      },
      parent,
    );
    spans.set(request, span);
    // The rest of the request (hooks, handler, every await after them) runs with the span active.
    context.with(trace.setSpan(parent, span), done);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request);
    if (span) {
      spans.delete(request);
      const status = reply.statusCode;
      span.setAttribute('http.response.status_code', status);
      const appId = request.auth?.appId;
      if (appId) span.setAttribute('latchkey.app_id', appId);
      if (status >= 500) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.setAttribute('error.type', String(status));
      }
      span.end();
    }
    done();
  });
}

/**
 * The route's path as OpenAPI writes it (`/l/{token}`), or undefined for a request no route took (a 404): the raw
 * path is never used, since it could hold a token.
 */
function routeTemplate(request: FastifyRequest): string | undefined {
  const url = request.routeOptions.url;
  if (url === undefined || request.is404) return undefined;
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
