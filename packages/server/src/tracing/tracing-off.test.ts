/**
 * With no OTEL_* variables, tracing is off: no provider, propagator or context manager is registered, spans are the
 * API's no-op ones, and a caller's `traceparent` is not stored on the outbox rows its request queues.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { propagation, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../storage/database.js';
import { DIALECTS } from '../test-support/databases.js';
import { startTestServer, type TestServer, uniqueEmail } from '../test-support/test-server.js';
import { tracingActive } from './tracing.js';

describe.each(DIALECTS)('tracing off on %s', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(async () => server?.close());

  it('is off by default, and registers nothing', () => {
    expect(server.ctx.config.tracing).toEqual({ enabled: false });
    expect(tracingActive()).toBe(false);
    expect(propagation.fields()).toEqual([]);
    const span = trace.getTracer('latchkey').startSpan('probe');
    expect(span.isRecording()).toBe(false);
    span.end();
  });

  it('keeps no trace context on the rows a request queues, even when the caller sent one', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/v1/magic-links',
      headers: {
        authorization: `Bearer ${server.apiKey}`,
        'content-type': 'application/json',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      },
      payload: JSON.stringify({ email: uniqueEmail(), send: true }),
    });
    expect(res.statusCode, res.body).toBe(201);
    const linkId = (res.json() as { magic_link: { id: string } }).magic_link.id;
    const handle = openDatabase(server.db.target);
    try {
      const rows = await handle.db
        .selectFrom('outbox')
        .select(['trace_parent', 'trace_state'])
        .where('link_id', '=', linkId)
        .execute();
      expect(rows).toEqual([{ trace_parent: null, trace_state: null }]);
    } finally {
      await handle.close();
    }
  });
});

describe('the OpenTelemetry SDK', () => {
  it('is imported by no module of the server but dynamically, so a server that does not trace never loads it', () => {
    const src = fileURLToPath(new URL('..', import.meta.url));
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter(
      (file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.startsWith('test-support'),
    );
    // A static import of anything but the API (type-only imports vanish when compiled).
    const eager = /^import\s+(?!type\s)[^;]*?from\s+'@opentelemetry\/(?!api')[^']+'/ms;
    const offenders = files.filter((file) =>
      readFileSync(`${src}/${file}`, 'utf8')
        .split(/\n(?=import\s)/)
        .some((statement) => eager.test(statement)),
    );
    expect(files.length).toBeGreaterThan(150);
    expect(offenders).toEqual([]);
  });
});
