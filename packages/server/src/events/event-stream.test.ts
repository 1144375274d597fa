/**
 * The live tail, over a real socket with a streaming fetch reader: events written after connecting arrive within
 * seconds, as GET /v1/events shows them; a reconnect with Last-Event-ID gets what it missed and nothing twice;
 * other apps' events never appear; a key holds at most five streams; closing the server ends every stream.
 */
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInOperator } from '../test-support/dashboard.js';
import { DIALECTS } from '../test-support/databases.js';
import {
  createOtherApp,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from '../test-support/test-server.js';
import { MAX_STREAMS_PER_CALLER } from './event-stream.js';

interface Message {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** A client of the stream: reads the body as it arrives and parses it into messages. */
class StreamReader {
  readonly messages: Message[] = [];
  ended = false;
  readonly #waiters = new Set<() => void>();

  constructor(
    readonly response: Response,
    readonly abort: () => void,
  ) {
    void this.#read();
  }

  async #read(): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    let message: Message = {};
    try {
      for await (const chunk of this.response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (line === '') {
            if (Object.keys(message).length > 0) this.messages.push(message);
            message = {};
          } else if (line.startsWith(':')) {
            this.messages.push({ comment: line.slice(1).trim() });
          } else {
            const colon = line.indexOf(':');
            const field = line.slice(0, colon) as 'id' | 'event' | 'data' | 'retry';
            if (field !== 'retry') message[field] = line.slice(colon + 1).replace(/^ /, '');
          }
          newline = buffer.indexOf('\n');
        }
        this.#wake();
      }
    } catch {
      // Aborted by the test.
    }
    this.ended = true;
    this.#wake();
  }

  #wake(): void {
    for (const waiter of this.#waiters) waiter();
  }

  /** The events received (messages with data). */
  get events(): Array<{ id: string; type: string; data: Record<string, unknown> }> {
    return this.messages
      .filter((m) => m.data !== undefined)
      .map((m) => ({ id: m.id!, type: m.event!, data: JSON.parse(m.data!) as Record<string, unknown> }));
  }

  /** The last `id:` received: what a browser would send back as Last-Event-ID. */
  get lastEventId(): string | undefined {
    return this.messages.filter((m) => m.id !== undefined).at(-1)?.id;
  }

  /** Waits until `done` holds, or fails after `timeoutMs`. */
  async until(what: string, done: () => boolean, timeoutMs = 8_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, Math.min(left, 200));
        this.#waiters.add(finish);
        function finish() {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  }
}

/**
 * The tests' own connection pool, destroyed before each server closes: after an aborted stream, fetch's shared pool
 * opens a spare connection that never sends a request, and a server's close waits for every open connection.
 */
let agent = new Agent();
const get = (url: string, init: RequestInit = {}) =>
  fetch(url, { ...init, dispatcher: agent } as RequestInit);

async function listen(server: TestServer): Promise<string> {
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
}

async function open(
  base: string,
  key: string,
  path = '/v1/events/stream',
  headers: Record<string, string> = {},
) {
  const controller = new AbortController();
  const response = await get(`${base}${path}`, {
    headers: { authorization: `Bearer ${key}`, ...headers },
    signal: controller.signal,
  });
  return new StreamReader(response, () => controller.abort());
}

describe.each(DIALECTS)('the live tail of events on %s', (dialect) => {
  let server: TestServer;
  let base: string;
  const readers: StreamReader[] = [];

  const stream = async (path?: string, headers?: Record<string, string>, key = server.apiKey) => {
    const reader = await open(base, key, path, headers);
    readers.push(reader);
    return reader;
  };
  const createUser = async (key = server.apiKey) => {
    const res = await server.api('POST', '/v1/users', { email: uniqueEmail() }, key);
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };
  const eventOfUser = (reader: StreamReader, userId: string) =>
    reader.events.find(
      (e) => e.type === 'user.created' && (e.data.data as { user_id?: string }).user_id === userId,
    );
  const userCreated = (reader: StreamReader, userId: string) => eventOfUser(reader, userId) !== undefined;

  beforeAll(async () => {
    server = await startTestServer(dialect);
    base = await listen(server);
  });
  afterAll(async () => {
    for (const reader of readers) reader.abort();
    await agent.destroy();
    agent = new Agent();
    await server.close();
  });

  it('sends the events written after connecting, as GET /v1/events shows them, within seconds', async () => {
    const before = await createUser();
    const reader = await stream();
    expect(reader.response.status).toBe(200);
    expect(reader.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(reader.response.headers.get('cache-control')).toBe('no-store');
    expect(reader.response.headers.get('x-accel-buffering')).toBe('no');
    // First the point it starts from, an id without data.
    await reader.until('the starting id', () => reader.lastEventId !== undefined);
    expect(reader.messages[0]).toEqual({ id: expect.stringMatching(/^evt_[0-9a-z]{26}$/) });

    const written = Date.now();
    const after = await createUser();
    await reader.until('the new user.created', () => userCreated(reader, after));
    expect(Date.now() - written).toBeLessThan(4_000);
    const event = eventOfUser(reader, after)!;
    const shown = (await server.api('GET', `/v1/events/${event.id}`)).json();
    expect(event.data).toEqual(shown);
    expect(reader.messages.find((m) => m.data !== undefined)).toMatchObject({
      id: shown.id,
      event: 'user.created',
    });
    expect(userCreated(reader, before)).toBe(false);
    reader.abort();
  });

  it('resumes after a reconnect with Last-Event-ID: nothing missed, nothing twice', async () => {
    const first = await stream('/v1/events/stream?type=user.created');
    const [a, b] = [await createUser(), await createUser()];
    await first.until('two users', () => userCreated(first, a) && userCreated(first, b));
    first.abort();
    const resumeFrom = first.lastEventId!;
    const [c, d] = [await createUser(), await createUser()];

    const second = await stream('/v1/events/stream?type=user.created', { 'last-event-id': resumeFrom });
    await second.until('the two missed users', () => userCreated(second, c) && userCreated(second, d));
    // Another poll or two: nothing more arrives, and nothing that the first stream had.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const ids = [...first.events, ...second.events].map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(second.events.map((e) => (e.data.data as { user_id: string }).user_id)).toEqual([c, d]);
    expect(ids).toEqual([...ids].sort());
    second.abort();
  });

  it('resumes from where it started when it dropped before any event arrived', async () => {
    const first = await stream();
    await first.until('the starting id', () => first.lastEventId !== undefined);
    first.abort();
    const missed = await createUser();
    const second = await stream('/v1/events/stream', { 'last-event-id': first.lastEventId! });
    await second.until('the user created while disconnected', () => userCreated(second, missed));
    second.abort();

    // `after` and `since` in the query do the same for clients that cannot set the header.
    const byQuery = await stream(`/v1/events/stream?after=${first.lastEventId}`);
    await byQuery.until('the same user, by after=', () => userCreated(byQuery, missed));
    byQuery.abort();
  });

  it("never sends another app's events, and filters by type", async () => {
    const other = await createOtherApp(server);
    const reader = await stream('/v1/events/stream?type=user.created');
    const theirs = await createUser(other.key);
    const mine = await createUser();
    await server.api('POST', '/v1/magic-links', { email: uniqueEmail() });
    const marker = await createUser();
    await reader.until('our users', () => userCreated(reader, mine) && userCreated(reader, marker));
    expect(userCreated(reader, theirs)).toBe(false);
    expect(reader.events.every((e) => e.type === 'user.created')).toBe(true);
    // Their own stream sees theirs.
    const theirReader = await stream(
      '/v1/events/stream',
      { 'last-event-id': reader.messages[0]!.id! },
      other.key,
    );
    await theirReader.until('their user', () => userCreated(theirReader, theirs));
    expect(userCreated(theirReader, mine)).toBe(false);
    reader.abort();
    theirReader.abort();
  });

  it('refuses bad starts with 400 before streaming', async () => {
    for (const [path, headers, param] of [
      ['/v1/events/stream?type=DROP%20TABLE', {}, undefined],
      ['/v1/events/stream?since=yesterday', {}, undefined],
      ['/v1/events/stream?after=evt_nope', {}, undefined],
      [`/v1/events/stream?after=evt_${'0'.repeat(26)}&since=2026-01-01T00:00:00Z`, {}, 'after'],
      ['/v1/events/stream', { 'last-event-id': 'garbage' }, 'Last-Event-ID'],
    ] as const) {
      const res = await get(`${base}${path}`, {
        headers: { authorization: `Bearer ${server.apiKey}`, ...headers },
      });
      expect(res.status, path).toBe(400);
      const { error } = (await res.json()) as { error: { code: string; param?: string } };
      expect(error.code).toBe('validation_failed');
      if (param) expect(error.param).toBe(param);
    }
    const admin = await get(`${base}/v1/events/stream`, {
      headers: { authorization: `Bearer ${server.adminKey}` },
    });
    expect(admin.status).toBe(400);
    expect(((await admin.json()) as { error: { param: string } }).error.param).toBe('Latchkey-App');
    const unauthenticated = await get(`${base}/v1/events/stream`);
    expect(unauthenticated.status).toBe(401);
  });

  it('holds a key to five open streams, and frees a slot when a client leaves', async () => {
    const key = (await createOtherApp(server)).key;
    const open5 = [];
    for (let i = 0; i < MAX_STREAMS_PER_CALLER; i++) open5.push(await stream(undefined, undefined, key));
    const refused = await get(`${base}/v1/events/stream`, { headers: { authorization: `Bearer ${key}` } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    // Another key is counted apart.
    const mine = await stream();
    expect(mine.response.status).toBe(200);
    mine.abort();

    open5[0]!.abort();
    let again: Response | undefined;
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline) {
      const controller = new AbortController();
      const res = await get(`${base}/v1/events/stream`, {
        headers: { authorization: `Bearer ${key}` },
        signal: controller.signal,
      });
      if (res.status === 200) {
        again = res;
        controller.abort();
        break;
      }
      await res.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(again?.status).toBe(200);
    for (const reader of open5) reader.abort();
  });

  it.runIf(dialect === 'sqlite')(
    'is a read for the dashboard: a viewer streams the app it names',
    async () => {
      const viewer = await signInOperator(server, 'viewer');
      const controller = new AbortController();
      const response = await get(`${base}/dashboard/api/v1/events/stream`, {
        headers: { cookie: viewer.cookie, 'latchkey-app': server.appId },
        signal: controller.signal,
      });
      const reader = new StreamReader(response, () => controller.abort());
      readers.push(reader);
      expect(response.status).toBe(200);
      const nobody = await get(`${base}/dashboard/api/v1/events/stream`, {
        headers: { 'latchkey-app': server.appId },
      });
      expect(nobody.status).toBe(401);
      const created = await createUser();
      await reader.until('the user', () => userCreated(reader, created));
      reader.abort();
    },
  );
});

describe.each(DIALECTS)('closing the server with streams open, on %s', (dialect) => {
  it('ends every stream cleanly and does not hang', async () => {
    const server = await startTestServer(dialect);
    try {
      const base = await listen(server);
      const readers = [await open(base, server.apiKey), await open(base, server.apiKey)];
      for (const reader of readers) await reader.until('the start', () => reader.lastEventId !== undefined);
      const started = Date.now();
      await server.app.close();
      expect(Date.now() - started).toBeLessThan(3_000);
      for (const reader of readers) await reader.until('the end of the stream', () => reader.ended, 3_000);
    } finally {
      await server.close();
    }
  });
});
