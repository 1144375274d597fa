/**
 * `X-Request-Id` on every kind of answer: a route's, the error handler's, a 404, the router's own errors, a page, a
 * redirect, a stream, and the raw answer to a request the HTTP parser refused. A well-formed id from the caller is
 * kept (and is the log's `reqId`); any other is replaced and never echoed.
 */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestLink, startTestServer, type TestServer } from '../test-support/test-server.js';
import { requestIdOf } from './request-id.js';

const OURS = /^req_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('the request id', () => {
  const lines: string[] = [];
  let server: TestServer;
  let port: number;

  beforeAll(async () => {
    server = await startTestServer('sqlite', {
      logDestination: { write: (line: string) => lines.push(line) },
    });
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    port = (server.app.server.address() as { port: number }).port;
  });
  afterAll(async () => server?.close());

  const inject = (url: string, headers: Record<string, string> = {}, method: 'GET' | 'POST' = 'GET') =>
    server.app.inject({ method, url, headers });

  it('keeps a well-formed id from the caller, answers it, and logs the request under it', async () => {
    const res = await inject('/healthz', { 'x-request-id': 'edge-7f3a.2026:12_06' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-id']).toBe('edge-7f3a.2026:12_06');
    const logged = lines.map((line) => JSON.parse(line) as { reqId?: string });
    expect(logged.some((line) => line.reqId === 'edge-7f3a.2026:12_06')).toBe(true);
  });

  it('makes its own id when the caller sends none', async () => {
    const res = await inject('/healthz');
    expect(res.headers['x-request-id']).toMatch(OURS);
  });

  it.each([
    ['with a space', 'abc def'],
    ['too long', 'a'.repeat(129)],
    ['with markup', '<script>'],
    ['with a newline escape', 'a%0d%0aset-cookie:x'],
    ['empty', ''],
    ['with non-ASCII letters', 'idé'],
  ])('replaces an id %s, and never repeats it', async (_name, given) => {
    const res = await inject('/healthz', { 'x-request-id': given });
    expect(res.headers['x-request-id']).toMatch(OURS);
    expect(res.body).not.toContain(given || '\u0000');
  });

  it('reads only a single header value', () => {
    expect(requestIdOf({ headers: { 'x-request-id': ['a', 'b'] as unknown as string } })).toMatch(OURS);
    expect(requestIdOf({ headers: { 'x-request-id': 'x'.repeat(128) } })).toBe('x'.repeat(128));
  });

  it('is on an error from the error handler (401)', async () => {
    const res = await inject('/v1/magic-links', { 'x-request-id': 'err-1' }, 'POST');
    expect(res.statusCode).toBe(401);
    expect(res.headers['x-request-id']).toBe('err-1');
  });

  it('is on an answer of a route that failed validation (400)', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/v1/magic-links',
      headers: {
        authorization: `Bearer ${server.apiKey}`,
        'content-type': 'application/json',
        'x-request-id': 'bad-1',
      },
      payload: '{"email": 5}',
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['x-request-id']).toBe('bad-1');
  });

  it('is on a 404', async () => {
    const res = await inject('/no/such/route', { 'x-request-id': 'nf-1' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['x-request-id']).toBe('nf-1');
  });

  it("is on the router's own errors (a broken percent-encoding)", async () => {
    const res = await inject('/l/%zz', { 'x-request-id': 'fw-1' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['x-request-id']).toBe('fw-1');
  });

  it('is on an HTML page and on an error page', async () => {
    const link = await createTestLink(server);
    const page = await inject(link.path, { accept: 'text/html', 'x-request-id': 'page-1' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['x-request-id']).toBe('page-1');
    const missing = await inject('/l/not-a-token', { accept: 'text/html', 'x-request-id': 'page-2' });
    expect(missing.statusCode).toBeGreaterThanOrEqual(400);
    expect(missing.headers['content-type']).toMatch(/text\/html/);
    expect(missing.headers['x-request-id']).toBe('page-2');
  });

  it('is on a redirect', async () => {
    const link = await createTestLink(server);
    const res = await inject(link.path, { 'x-request-id': 'redir-1' }, 'POST');
    expect(res.statusCode).toBe(303);
    expect(res.headers['x-request-id']).toBe('redir-1');
  });

  it('is on a stream (server-sent events)', async () => {
    const headers = await new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/v1/events/stream',
          headers: { authorization: `Bearer ${server.apiKey}`, 'x-request-id': 'sse-1' },
        },
        (res) => {
          expect(res.headers['content-type']).toMatch(/text\/event-stream/);
          resolve(res.headers);
          req.destroy();
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(headers['x-request-id']).toBe('sse-1');
  });

  it('is on the answer to a request the HTTP parser refused, a fresh one that is also logged', async () => {
    const raw = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let received = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        received += chunk;
      });
      socket.on('error', () => {});
      socket.on('close', () => resolve(received));
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: raw-1\r\nBad Header\r\n\r\n');
    });
    const id = /^X-Request-Id: (\S+)\r$/im.exec(raw)?.[1];
    expect(id).toMatch(OURS);
    expect(raw).not.toContain('raw-1');
    expect(lines.some((line) => line.includes(id!))).toBe(true);
  });
});
