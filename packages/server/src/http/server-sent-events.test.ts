/**
 * The Server-Sent Events plumbing on its own, on a small Fastify over a real socket: the wire format, the retry
 * line, heartbeats, the signal on a client's leaving, and a shutdown that ends the streams and waits for their
 * writers instead of for the streams.
 */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../test-support/eventually.js';
import { type SseStream, serverSentEvents } from './server-sent-events.js';

interface Client {
  text: () => string;
  ended: () => boolean;
  headers: Record<string, string | string[] | undefined>;
  close: () => void;
}

function connect(port: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    let text = '';
    let ended = false;
    const req = request({ host: '127.0.0.1', port, path: '/stream' }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => {
        ended = true;
      });
      res.on('error', () => {});
      resolve({ text: () => text, ended: () => ended, headers: res.headers, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('server-sent events', () => {
  let app: FastifyInstance;
  afterEach(async () => {
    await app?.close();
  });

  async function serve(run: (stream: SseStream) => Promise<void>, heartbeatMs = 60_000): Promise<number> {
    app = Fastify();
    await app.register(async (scope) => {
      const sse = serverSentEvents(scope);
      scope.get('/stream', async (_request, reply) => sse.open(reply, { heartbeatMs, retryMs: 1234 }, run));
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return (app.server.address() as AddressInfo).port;
  }

  it('writes the retry line, then each message as fields and a blank line, and ends when run returns', async () => {
    const port = await serve(async (stream) => {
      await stream.send({ id: 'evt_1' });
      await stream.send({ id: 'evt_2', event: 'user.created', data: '{"a":1}' });
      await stream.send({ data: 'two\nlines' });
    });
    const client = await connect(port);
    await eventually('the end of the stream', async () => (client.ended() ? true : undefined));
    expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(client.headers['cache-control']).toBe('no-store');
    expect(client.headers['x-accel-buffering']).toBe('no');
    expect(client.text()).toBe(
      'retry: 1234\n\nid: evt_1\n\nid: evt_2\nevent: user.created\ndata: {"a":1}\n\ndata: two lines\n\n',
    );
  });

  it('sends a comment line as a heartbeat while the stream is quiet', async () => {
    const port = await serve(
      (stream) => new Promise((resolve) => stream.signal.addEventListener('abort', () => resolve())),
      30,
    );
    const client = await connect(port);
    await eventually('two heartbeats', async () =>
      client.text().split(': keep-alive\n\n').length > 2 ? true : undefined,
    );
    client.close();
  });

  it('aborts the signal when the client leaves, so the writer stops', async () => {
    let stopped = false;
    const port = await serve(async (stream) => {
      await new Promise<void>((resolve) => stream.signal.addEventListener('abort', () => resolve()));
      stopped = true;
    });
    const client = await connect(port);
    await eventually('the retry line', async () => (client.text() !== '' ? true : undefined));
    client.close();
    await eventually('the writer to stop', async () => (stopped ? true : undefined));
  });

  it('ends every stream on close and waits for its writer to return, without hanging', async () => {
    let finished = 0;
    const port = await serve(async (stream) => {
      while (!stream.signal.aborted) {
        await stream.send({ data: 'tick' });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      finished++;
    });
    const clients = [await connect(port), await connect(port)];
    await eventually('ticks', async () =>
      clients.every((c) => c.text().includes('tick')) ? true : undefined,
    );
    const started = Date.now();
    await app.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(finished).toBe(2);
    await eventually('both clients to see the end', async () =>
      clients.every((c) => c.ended()) ? true : undefined,
    );
  });

  it('closes a stream whose writer failed', async () => {
    const port = await serve(async (stream) => {
      await stream.send({ data: 'before' });
      throw new Error('boom');
    });
    const client = await connect(port);
    await eventually('the end', async () => (client.ended() ? true : undefined));
    expect(client.text()).toContain('data: before');
  });
});
