/**
 * Server-Sent Events (text/event-stream) for routes that stream until the client leaves. A route opens a stream and
 * hands it a `run` function that writes messages; this module does the rest, the same way for every such route:
 *
 * - the headers that keep a stream a stream: `Cache-Control: no-store`, and `X-Accel-Buffering: no` so nginx and
 *   its kind pass each message on at once instead of buffering the response; `Connection: close`, so the socket
 *   closes with the stream instead of idling as a keep-alive connection that `server.close()` would wait for;
 * - a comment line every `heartbeatMs`, so proxies and load balancers do not take a quiet stream for a dead one;
 * - backpressure: `send` resolves only once the socket can take more, so a slow reader holds the writer back
 *   rather than filling memory;
 * - ending: the stream's `signal` aborts when the client goes away or the server shuts down; on shutdown the scope's
 *   `preClose` hook aborts every open stream and waits for its `run` to return, so `fastify.close()` never waits on
 *   a stream that would otherwise last for hours.
 */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { RouteScope } from './routes.js';

export interface SseMessage {
  /** The `id:` field: what the client sends back as `Last-Event-ID` when it reconnects. */
  id?: string;
  /** The `event:` field (the type a browser's EventSource dispatches). */
  event?: string;
  /** The `data:` field; one line (JSON has none). */
  data?: string;
}

export interface SseStream {
  /** Aborted when the client has gone or the server is shutting down: `run` should return soon after. */
  readonly signal: AbortSignal;
  /** Writes one message; resolves when the stream can take more. A message to a closed stream is dropped. */
  send(message: SseMessage): Promise<void>;
}

export interface SseOptions {
  /** A comment line this often while the stream is open. */
  heartbeatMs: number;
  /** The `retry:` field: how long a browser waits before it reconnects. */
  retryMs: number;
}

export interface ServerSentEvents {
  /** Answers the request with a stream that `run` writes to; the stream ends when `run` returns or throws. */
  open(reply: FastifyReply, options: SseOptions, run: (stream: SseStream) => Promise<void>): FastifyReply;
}

/** The streams of one route scope, ended and awaited when the server closes. */
export function serverSentEvents(scope: RouteScope): ServerSentEvents {
  const live = new Set<{ stop: () => void; done: Promise<void> }>();
  scope.addHook('preClose', async () => {
    const open = [...live];
    for (const stream of open) stream.stop();
    await Promise.allSettled(open.map((stream) => stream.done));
  });

  return {
    open(reply, options, run) {
      const controller = new AbortController();
      const body = new PassThrough();
      // Fastify destroys the body when the client goes away; ending it ourselves closes it too.
      body.once('close', () => controller.abort());
      const write = async (text: string) => {
        if (controller.signal.aborted || body.destroyed) return;
        if (!body.write(text)) {
          await once(body, 'drain', { signal: controller.signal }).catch(() => {});
        }
      };
      const heartbeat = setInterval(() => void write(': keep-alive\n\n'), options.heartbeatMs);
      heartbeat.unref();
      const stream: SseStream = { signal: controller.signal, send: (message) => write(format(message)) };
      const entry = { stop: () => controller.abort(), done: Promise.resolve() };
      // Tracked before `run` starts, so a shutdown that begins at once still finds and waits for it.
      live.add(entry);
      entry.done = (async () => {
        try {
          await write(`retry: ${options.retryMs}\n\n`);
          await run(stream);
        } catch (error) {
          reply.log.error({ err: error }, 'an event stream failed; it is closed and the client reconnects');
        } finally {
          clearInterval(heartbeat);
          controller.abort();
          if (!body.destroyed) body.end();
          live.delete(entry);
        }
      })();
      return reply
        .code(200)
        .type('text/event-stream; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('x-accel-buffering', 'no')
        .header('connection', 'close')
        .send(body);
    },
  };
}

/** One message in the wire format: a field per line, a blank line after. */
function format(message: SseMessage): string {
  let text = '';
  if (message.id !== undefined) text += `id: ${oneLine(message.id)}\n`;
  if (message.event !== undefined) text += `event: ${oneLine(message.event)}\n`;
  if (message.data !== undefined) text += `data: ${oneLine(message.data)}\n`;
  return `${text}\n`;
}

/** A line break inside a field would start a field of its own; our values never hold one, and never will here. */
function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}
