/**
 * `events.stream` against a real, listening Latchkey (SQLite): events arrive as they are written, a dropped
 * connection is resumed with Last-Event-ID (nothing missed, nothing twice), and the loop ends on abort or break.
 */
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, uniqueEmail } from '../../server/src/test-support/test-server.js';
import { Latchkey } from './client.js';
import { LatchkeyError } from './errors.js';
import type { FetchLike } from './http.js';
import type { LatchkeyEvent } from './types.js';

let server: TestServer;
let baseUrl: string;
// The tests' own connection pool, destroyed before the server closes (a server's close waits for open connections,
// and fetch's shared pool keeps a spare one after an aborted stream).
const agent = new Agent();
const pooled: FetchLike = (input, init) => fetch(input, { ...init, dispatcher: agent } as RequestInit);

beforeAll(async () => {
  server = await startTestServer('sqlite');
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await agent.destroy();
  await server?.close();
});

const createUser = async (client: Latchkey) => (await client.users.create({ email: uniqueEmail() })).id;
const userOf = (event: LatchkeyEvent) => (event.data as { user_id?: string }).user_id;

describe('events.stream', () => {
  it('yields the events written after it started, oldest first, until the loop breaks', async () => {
    const client = new Latchkey({ baseUrl, apiKey: server.apiKey, fetch: pooled });
    const before = await createUser(client);
    await new Promise((resolve) => setTimeout(resolve, 5));
    // From a moment of our own: the stream connects while the users below are created.
    const stream = client.events.stream({ type: 'user.created', since: new Date() });
    const first = stream.next();
    const [a, b] = [await createUser(client), await createUser(client)];
    const got = [(await first).value as LatchkeyEvent, (await stream.next()).value as LatchkeyEvent];
    expect(got.map(userOf)).toEqual([a, b]);
    expect(got.map(userOf)).not.toContain(before);
    expect(got[0]).toEqual(await client.events.get(got[0]!.id));
    expect(await stream.return()).toEqual({ done: true, value: undefined });
  });

  it('reconnects after a dropped connection with Last-Event-ID: nothing missed, nothing twice', async () => {
    const requests: Array<string | null> = [];
    let cut = false;
    // The first stream's connection breaks right after its first event, as a network would break it.
    const flaky: FetchLike = async (input, init) => {
      const response = await pooled(input, init);
      if (!String(input).includes('/v1/events/stream')) return response;
      requests.push(new Headers(init?.headers).get('last-event-id'));
      if (cut || !response.body) return response;
      cut = true;
      const reader = response.body.getReader();
      let seen = '';
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (seen.includes('data:')) {
            await reader.cancel();
            controller.error(new TypeError('terminated'));
            return;
          }
          const { done, value } = await reader.read();
          if (done) return controller.close();
          seen += new TextDecoder().decode(value);
          controller.enqueue(value);
        },
      });
      return new Response(body, { status: response.status, headers: response.headers });
    };
    const client = new Latchkey({ baseUrl, apiKey: server.apiKey, fetch: flaky });
    const stream = client.events.stream({ type: 'user.created', since: new Date() });
    const first = stream.next();
    const a = await createUser(client);
    const eventA = (await first).value as LatchkeyEvent;
    expect(userOf(eventA)).toBe(a);
    // Written while the client is cut off and waiting to reconnect.
    const b = await createUser(client);
    const eventB = (await stream.next()).value as LatchkeyEvent;
    expect(userOf(eventB)).toBe(b);
    expect(requests).toEqual([null, eventA.id]);
    const c = await createUser(client);
    expect(userOf((await stream.next()).value as LatchkeyEvent)).toBe(c);
    await stream.return();
  }, 20_000);

  it('ends without an error when its signal aborts', async () => {
    const client = new Latchkey({ baseUrl, apiKey: server.apiKey, fetch: pooled });
    const controller = new AbortController();
    const seen: LatchkeyEvent[] = [];
    const loop = (async () => {
      for await (const event of client.events.stream({ since: new Date(), signal: controller.signal })) {
        seen.push(event);
      }
    })();
    const a = await createUser(client);
    while (!seen.some((e) => userOf(e) === a)) await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    await expect(loop).resolves.toBeUndefined();
  });

  it('throws the server’s refusal as a LatchkeyError', async () => {
    const client = new Latchkey({ baseUrl, apiKey: server.apiKey, fetch: pooled });
    const error = await client.events
      .stream({ since: 'yesterday' })
      .next()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(LatchkeyError);
    expect(error).toMatchObject({ status: 400, code: 'validation_failed' });
  });
});
