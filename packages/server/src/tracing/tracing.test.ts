/**
 * Tracing through the real set-up path (config from OTEL_* variables, the SDK loaded by startTracing), with spans
 * kept in memory: the request's span and its statements, the send of the message or webhook it queued continuing
 * its trace from the outbox row, and no secret in any span.
 */
import { request as httpRequest } from 'node:http';
import { type AttributeValue, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxWorker } from '../delivery/outbox-worker.js';
import { deliveryChannels } from '../runtime.js';
import { DIALECTS } from '../test-support/databases.js';
import {
  createTestLink,
  redeemHostedForCode,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from '../test-support/test-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../test-support/webhook-receiver.js';
import { tracingActive } from './tracing.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const traceparent = (traceId = TRACE_ID) => `00-${traceId}-${CALLER_SPAN}-01`;
const newTraceId = () =>
  [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');

describe.each(DIALECTS)('tracing on %s', (dialect) => {
  const exporter = new InMemorySpanExporter();
  const dbSystem = dialect === 'sqlite' ? 'sqlite' : 'postgresql';
  let server: TestServer;
  let receiver: WebhookReceiver;
  let worker: OutboxWorker;
  /** Every secret the flows below handle: none may appear in any span. */
  const secrets = new Set<string>();

  beforeAll(async () => {
    server = await startTestServer(dialect, {
      env: {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_SERVICE_NAME: 'latchkey-test',
        LATCHKEY_WEBHOOK_ALLOW_PRIVATE: 'true',
      },
      tracing: { exporter },
    });
    receiver = await startWebhookReceiver();
    worker = new OutboxWorker(server.ctx, deliveryChannels(server.ctx));
    secrets.add(server.apiKey).add(server.adminKey);
    secrets
      .add(server.ctx.config.masterKey!.toString('base64'))
      .add(server.ctx.config.masterKey!.toString('hex'));
  });
  afterAll(async () => {
    await receiver?.close();
    await server?.close();
  });

  const spans = () => exporter.getFinishedSpans();
  const inTrace = (traceId: string) => spans().filter((span) => span.spanContext().traceId === traceId);
  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
  const only = (found: ReadableSpan[], what: string): ReadableSpan => {
    expect(
      found.map((span) => span.name),
      what,
    ).toHaveLength(1);
    return found[0]!;
  };
  const drain = async () => {
    while ((await worker.runOnce(100)) > 0) {}
  };

  it('is on, through the OTEL_* variables', () => {
    expect(server.ctx.config.tracing).toEqual({
      enabled: true,
      exporter: 'otlp',
      serviceName: 'latchkey-test',
    });
    expect(tracingActive()).toBe(true);
  });

  it("gives a request a span in the caller's trace, named by its route, with its statements under it", async () => {
    await drain();
    const email = uniqueEmail();
    secrets.add(email);
    const res = await server.app.inject({
      method: 'POST',
      url: '/v1/magic-links',
      headers: {
        authorization: `Bearer ${server.apiKey}`,
        'content-type': 'application/json',
        traceparent: traceparent(),
        'x-request-id': 'trace-test-1',
      },
      payload: JSON.stringify({ email, send: true }),
    });
    expect(res.statusCode, res.body).toBe(201);
    const request = only(
      inTrace(TRACE_ID).filter((span) => span.attributes['http.route'] !== undefined),
      'request spans',
    );
    expect(request.name).toBe('POST /v1/magic-links');
    expect(parentOf(request)).toBe(CALLER_SPAN);
    expect(request.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/v1/magic-links',
      'http.response.status_code': 201,
      'latchkey.app_id': server.appId,
      'latchkey.request_id': 'trace-test-1',
    });
    const statements = inTrace(TRACE_ID).filter((span) => span.attributes['db.system.name'] !== undefined);
    expect(statements.length).toBeGreaterThan(2);
    for (const statement of statements) {
      expect(parentOf(statement)).toBe(request.spanContext().spanId);
      expect(statement.attributes['db.system.name']).toBe(dbSystem);
      expect(statement.attributes['db.query.text']).toBeUndefined();
    }
    const summaries = statements.map((span) => span.attributes['db.query.summary']);
    expect(summaries).toContain('INSERT magic_links');
    // On PostgreSQL the link, its message and its events are one statement (storage/query-helpers.ts, insertAtOnce).
    if (dialect === 'sqlite') expect(summaries).toContain('INSERT outbox');

    // The worker sends the message later, in a span of the same trace, under the request's.
    const secret = (res.json() as { magic_link: { secret?: string } }).magic_link.secret;
    if (secret) secrets.add(secret);
    await drain();
    const send = only(
      inTrace(TRACE_ID).filter((span) => span.name === 'deliver email'),
      'send spans',
    );
    expect(parentOf(send)).toBe(request.spanContext().spanId);
    expect(send.attributes).toMatchObject({
      'latchkey.app_id': server.appId,
      'latchkey.channel': 'email',
      'latchkey.attempt': 1,
      'latchkey.outcome': 'sent',
    });
    expect(send.attributes['latchkey.message_id']).toMatch(/^msg_/);
    expect(
      inTrace(TRACE_ID).filter(
        (span) => parentOf(span) === send.spanContext().spanId && span.attributes['db.system.name'],
      ),
    ).not.toHaveLength(0);
  });

  it('keeps the statements of a request whose body came over a socket later, under its span', async () => {
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = server.app.server.address() as { port: number };
    const traceId = newTraceId();
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/v1/users',
            headers: {
              authorization: `Bearer ${server.apiKey}`,
              'content-type': 'application/json',
              'transfer-encoding': 'chunked',
              traceparent: traceparent(traceId),
            },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        // The headers first, the body in a later packet: the statements after it still belong to the request.
        req.flushHeaders();
        setTimeout(() => req.end(JSON.stringify({ email: uniqueEmail() })), 50);
      });
      expect(status).toBe(201);
    } finally {
      server.app.server.closeAllConnections();
      server.app.server.close();
    }
    const request = only(
      inTrace(traceId).filter((span) => span.name === 'POST /v1/users'),
      'request spans',
    );
    const statements = inTrace(traceId).filter((span) => span.attributes['db.system.name'] !== undefined);
    expect(statements.map((span) => span.attributes['db.query.summary'])).toContain('INSERT users');
    for (const statement of statements) expect(parentOf(statement)).toBe(request.spanContext().spanId);
  });

  it("continues the request's trace into the webhook's send and its POST, and hands it to the receiver", async () => {
    await drain();
    const created = await server.api('POST', '/v1/webhook-endpoints', {
      url: `${receiver.url}/hook?key=receiver-secret`,
    });
    expect(created.statusCode, created.body).toBe(201);
    const endpoint = created.json() as { id: string; secret: string };
    secrets.add(endpoint.secret).add('receiver-secret');
    const traceId = newTraceId();
    const email = uniqueEmail();
    secrets.add(email);
    const res = await server.app.inject({
      method: 'POST',
      url: '/v1/users',
      headers: {
        authorization: `Bearer ${server.apiKey}`,
        'content-type': 'application/json',
        traceparent: traceparent(traceId),
      },
      payload: JSON.stringify({ email }),
    });
    expect(res.statusCode, res.body).toBe(201);
    const request = only(
      inTrace(traceId).filter((span) => span.name === 'POST /v1/users'),
      'request spans',
    );
    await drain();
    expect(receiver.received).toHaveLength(1);
    const send = only(
      inTrace(traceId).filter((span) => span.name === 'send webhook'),
      'webhook spans',
    );
    expect(parentOf(send)).toBe(request.spanContext().spanId);
    expect(send.attributes).toMatchObject({
      'latchkey.channel': 'webhook',
      'latchkey.webhook_endpoint_id': endpoint.id,
      'latchkey.outcome': 'sent',
      'latchkey.attempt': 1,
    });
    const post = only(
      inTrace(traceId).filter((span) => span.name === 'POST' && parentOf(span) === send.spanContext().spanId),
      'POST spans',
    );
    expect(post.attributes).toMatchObject({
      'http.request.method': 'POST',
      'server.address': '127.0.0.1',
      'http.response.status_code': 200,
    });
    expect(receiver.received[0]!.headers.traceparent).toBe(`00-${traceId}-${post.spanContext().spanId}-01`);
    await server.api('DELETE', `/v1/webhook-endpoints/${endpoint.id}`);
  });

  it("names a link page's span by the route's template, never the token", async () => {
    const link = await createTestLink(server);
    secrets.add(link.token);
    const traceId = newTraceId();
    const res = await server.app.inject({
      method: 'POST',
      url: link.path,
      headers: { traceparent: traceparent(traceId) },
    });
    expect(res.statusCode).toBe(303);
    const code = new URL(res.headers.location as string).searchParams.get('lk_code')!;
    secrets.add(code);
    const page = only(
      inTrace(traceId).filter((span) => span.attributes['http.route'] !== undefined),
      'page spans',
    );
    expect(page.name).toBe('POST /l/{token}');
    expect(page.attributes['http.route']).toBe('/l/{token}');
    expect(JSON.stringify(inTrace(traceId).map((span) => [span.name, span.attributes]))).not.toContain(
      link.token,
    );
  });

  it('gives a request no route took a span without one', async () => {
    const traceId = newTraceId();
    const res = await server.app.inject({
      method: 'GET',
      url: '/v1/no-such-thing',
      headers: { traceparent: traceparent(traceId) },
    });
    expect(res.statusCode).toBe(404);
    const span = only(inTrace(traceId), 'spans of the 404');
    expect(span.name).toBe('GET');
    expect(span.attributes['http.route']).toBeUndefined();
    expect(span.attributes['http.response.status_code']).toBe(404);
  });

  it('lets no token, code, key, secret or address into any span of a whole flow', async () => {
    // A whole sign-in: a link sent by email, its page, the exchange of the code for a session, a refresh.
    const email = uniqueEmail();
    secrets.add(email);
    const link = await createTestLink(server, { email });
    secrets.add(link.token);
    await drain();
    const code = await redeemHostedForCode(server, link.token);
    secrets.add(code);
    const exchanged = await server.api('POST', '/v1/sessions/exchange', { code });
    expect(exchanged.statusCode, exchanged.body).toBe(200);
    collectStrings(exchanged.json(), (value, key) => {
      if (/token|secret/i.test(key) && value.length >= 16) secrets.add(value);
    });
    const everything = spans();
    expect(everything.length).toBeGreaterThan(20);
    const seen = everything.map((span) =>
      JSON.stringify([
        span.name,
        span.attributes,
        span.events,
        span.links,
        span.resource.attributes,
        span.status,
      ]),
    );
    for (const secret of secrets) {
      const found = seen.filter((text) => text.includes(secret));
      expect(found, `a span holds ${secret.slice(0, 12)}…`).toEqual([]);
    }
    // Nor anything that looks like one of our secrets or an address.
    const values = everything.flatMap((span) => Object.values(span.attributes).map(String));
    expect(values.filter((value) => /lk_(sk|admin)_|whsec_|@/.test(value))).toEqual([]);
  });
});

describe('tracing a request that fails', () => {
  const exporter = new InMemorySpanExporter();
  let server: TestServer;
  beforeAll(async () => {
    // A Redis that does not answer: /readyz says so with a 503.
    server = await startTestServer('sqlite', {
      env: { OTEL_TRACES_EXPORTER: 'otlp', REDIS_URL: 'redis://127.0.0.1:1' },
      tracing: { exporter },
      asInstalled: true,
    });
  });
  afterAll(async () => server?.close());

  it('marks the span of a 5xx answer as an error', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    const [span] = exporter.getFinishedSpans().filter((s) => s.name === 'GET /readyz');
    expect(span?.attributes['http.response.status_code']).toBe(503);
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
  });
});

function collectStrings(value: unknown, visit: (value: string, key: string) => void, key = ''): void {
  if (typeof value === 'string') visit(value, key);
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, visit, key);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, AttributeValue | object>))
      collectStrings(v, visit, k);
  }
}
