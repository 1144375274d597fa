/**
 * What the server answers when Node's HTTP parser refuses a request before any route sees it: oversized headers,
 * broken chunked bodies, Transfer-Encoding with Content-Length, garbage on the request line, a request that never
 * finishes. Sent as raw bytes over a real socket, since `inject()` never goes through the parser.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, isErrorCode } from '../errors/error-codes.js';
import { createTestLink, startTestServer, type TestServer } from '../test-support/test-server.js';

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Everything the server sent, for messages. */
  raw: string;
}

/**
 * Sends `bytes` on a fresh connection and collects what comes back until the server closes it; `gapMs` between
 * the parts lets a test send a good request, read its answer, then send a bad one on the same connection.
 */
function exchange(port: number, parts: string[], gapMs = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not close the connection; it sent: ${JSON.stringify(received)}`));
    }, 5000);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.on('connect', async () => {
      for (const [i, part] of parts.entries()) {
        if (i > 0 && gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
        if (!socket.destroyed) socket.write(part, 'latin1');
      }
    });
  });
}

/** The last response in `raw` (a good request before the bad one has its own response first). */
function lastResponse(raw: string): RawResponse {
  const starts = [...raw.matchAll(/HTTP\/1\.1 \d{3} [^\r\n]*\r\n/g)];
  expect(starts.length, `no status line in ${JSON.stringify(raw)}`).toBeGreaterThan(0);
  const text = raw.slice(starts.at(-1)!.index);
  const split = text.indexOf('\r\n\r\n');
  expect(split, `no end of headers in ${JSON.stringify(raw)}`).toBeGreaterThan(0);
  const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(split + 4), raw };
}

/** A complete error answer: the status, JSON of the documented shape, a registered code, and a closed connection. */
function expectJsonError(res: RawResponse, status: number, code: string): void {
  const what = JSON.stringify(res.raw.slice(0, 400));
  expect(res.status, what).toBe(status);
  expect(res.headers['content-type'], what).toMatch(/^application\/json/);
  expect(res.headers.connection, what).toBe('close');
  expect(Number(res.headers['content-length']), what).toBe(Buffer.byteLength(res.body));
  const body = JSON.parse(res.body) as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error)).toEqual(['code', 'message']);
  expect(body.error.code).toBe(code);
  expect(isErrorCode(code), `${code} is not in the registry`).toBe(true);
  if (isErrorCode(code)) expect(errorCodes[code].status).toBe(status);
  expect(body.error.message.length).toBeGreaterThan(20);
}

const BIG = 'a'.repeat(20_000);
const request = (head: string, body = '') => `${head.split('\n').join('\r\n')}\r\n\r\n${body}`;

const CHUNKED_POST =
  'POST /v1/public/login/start HTTP/1.1\nHost: x\nContent-Type: application/json\nTransfer-Encoding: chunked';

const PARSE_ERRORS: Array<[string, number, string, string]> = [
  ['an oversized header', 431, 'headers_too_large', request(`GET /healthz HTTP/1.1\nHost: x\nX-Big: ${BIG}`)],
  ['a bad chunk size', 400, 'malformed_request', request(CHUNKED_POST, 'ZZ\r\n{}\r\n0\r\n\r\n')],
  [
    'Transfer-Encoding together with Content-Length',
    400,
    'malformed_request',
    request(`${CHUNKED_POST}\nContent-Length: 2`, '2\r\n{}\r\n0\r\n\r\n'),
  ],
  ['a garbage request line', 400, 'malformed_request', '\u0001\u0002 garbage\r\n\r\n'],
  ['an unknown HTTP version', 400, 'malformed_request', request('GET /healthz HTTP/9.9\nHost: x')],
  [
    'a space in a header name',
    400,
    'malformed_request',
    request('GET /healthz HTTP/1.1\nHost: x\nBad Header: 1'),
  ],
  [
    'an oversized chunk extension',
    413,
    'payload_too_large',
    request(CHUNKED_POST, `2;${'e'.repeat(20_000)}\r\n{}\r\n0\r\n\r\n`),
  ],
];

describe('requests the HTTP parser refuses', () => {
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

  async function expectStillServing(): Promise<void> {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(200);
  }

  it.each(PARSE_ERRORS)(
    'answers %s with %i %s in the error format, and keeps serving',
    async (_name, status, code, bytes) => {
      expectJsonError(lastResponse(await exchange(port, [bytes])), status, code);
      await expectStillServing();
    },
  );

  it('answers HEAD with an oversized header with 431 and no body', async () => {
    const raw = await exchange(port, [request(`HEAD /healthz HTTP/1.1\nHost: x\nX-Big: ${BIG}`)]);
    const res = lastResponse(raw);
    expect(res.status, raw).toBe(431);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers.connection).toBe('close');
    expect(res.body).toBe('');
    await expectStillServing();
  });

  it('answers a bad request after a good one on the same connection', async () => {
    const raw = await exchange(
      port,
      [request('GET /healthz HTTP/1.1\nHost: x'), 'NOT HTTP AT ALL\r\n\r\n'],
      200,
    );
    expect(raw.startsWith('HTTP/1.1 200 '), raw).toBe(true);
    expectJsonError(lastResponse(raw), 400, 'malformed_request');
    await expectStillServing();
  });

  it('answers a HEAD with a broken chunked body without a body', async () => {
    const raw = await exchange(port, [
      request('HEAD /healthz HTTP/1.1\nHost: x\nTransfer-Encoding: chunked', 'ZZ\r\n\r\n'),
    ]);
    const res = lastResponse(raw);
    expect(res.status, raw).toBeGreaterThanOrEqual(200);
    expect(res.body, raw).toBe('');
    await expectStillServing();
  });

  it('logs what it refused without logging the request, and never a secret in it', async () => {
    const link = await createTestLink(server);
    lines.length = 0;
    const raw = await exchange(port, [
      request(
        `GET /l/${link.token} HTTP/1.1\nHost: x\nAuthorization: Bearer ${server.apiKey}\nX-Big: ${BIG}`,
      ),
    ]);
    expectJsonError(lastResponse(raw), 431, 'headers_too_large');
    const refusal = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(refusal.some((line) => line.code === 'headers_too_large')).toBe(true);
    for (const line of lines) {
      expect(line).not.toContain(link.token);
      expect(line).not.toContain(server.apiKey);
      expect(line).not.toContain('aaaaaaaaaa');
    }
  });
});

describe('a request that never finishes its headers', () => {
  let server: TestServer;
  let port: number;

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    // Node checks for timed-out requests every 30 s by default; a test cannot wait that long.
    Object.assign(server.app.server, {
      connectionsCheckingInterval: 50,
      headersTimeout: 300,
      requestTimeout: 600,
    });
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    port = (server.app.server.address() as { port: number }).port;
  });
  afterAll(async () => server?.close());

  it('answers 408 request_timeout in the error format, and keeps serving', async () => {
    const raw = await exchange(port, ['GET /healthz HTTP/1.1\r\nHost: x\r\n']);
    expectJsonError(lastResponse(raw), 408, 'request_timeout');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });
});
