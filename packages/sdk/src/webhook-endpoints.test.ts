/**
 * Webhook endpoints, the events API and stats through the SDK, against a real, listening Latchkey (SQLite): a real
 * receiver on loopback gets deliveries from the real outbox worker, and the SDK verifies them.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { OutboxWorker } from '../../server/src/delivery/outbox-worker.js';
import { deliveryChannels } from '../../server/src/runtime.js';
import {
  startTestServer,
  TEST_REDIRECT,
  type TestServer,
  uniqueEmail,
} from '../../server/src/test-support/test-server.js';
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from '../../server/src/test-support/webhook-receiver.js';
import {
  type WebhookEventType as ServerEventType,
  WEBHOOK_EVENT_TYPES,
} from '../../server/src/webhooks/event-types.js';
import { Latchkey } from './client-node.js';
import { LatchkeyError } from './errors.js';
import type { FetchLike } from './http.js';
import { type WebhookEventType, webhookEventTypes } from './types.js';

let server: TestServer;
let receiver: WebhookReceiver;
let worker: OutboxWorker;
let baseUrl: string;
let client: Latchkey;

beforeAll(async () => {
  // Loopback receivers are refused unless the server allows private addresses (docs/configuration.md).
  server = await startTestServer('sqlite', { env: { LATCHKEY_WEBHOOK_ALLOW_PRIVATE: 'true' } });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  client = new Latchkey({ baseUrl, apiKey: server.apiKey });
  receiver = await startWebhookReceiver();
  worker = new OutboxWorker(server.ctx, deliveryChannels(server.ctx));
});

afterAll(async () => {
  await receiver?.close();
  await server?.close();
});

beforeEach(async () => {
  // Each test starts with no endpoints, nothing queued and nothing received.
  for await (const endpoint of client.webhookEndpoints.list())
    await client.webhookEndpoints.delete(endpoint.id);
  while ((await worker.runOnce(100)) > 0) {}
  receiver.received.length = 0;
  receiver.respond = () => ({ status: 200, body: 'ok' });
});

afterEach(() => {
  vi.useRealTimers();
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function caught(promise: Promise<unknown>): Promise<LatchkeyError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LatchkeyError);
  return error as LatchkeyError;
}

function expectInvalid(fn: () => unknown) {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(LatchkeyError);
  expect((error as LatchkeyError).code).toBe('webhook_invalid');
}

const headersOf = (i: number) => receiver.received[i]!.headers as Record<string, string>;

describe('webhook verification of a real delivery', () => {
  it('verifies what the server sent, and refuses a tampered body and a stale timestamp', async () => {
    const endpoint = await client.webhookEndpoints.create({
      url: `${receiver.url}/hooks/latchkey`,
      event_types: ['magic_link.created'],
      description: 'SDK test',
    });
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);

    const link = await client.magicLinks.create({ email: uniqueEmail(), redirect_url: TEST_REDIRECT });
    expect(await worker.runOnce()).toBe(1);
    expect(receiver.received).toHaveLength(1);
    const { body, path } = receiver.received[0]!;
    expect(path).toBe('/hooks/latchkey');

    const event = client.webhooks.verify<{ type: string; timestamp: string; data: Record<string, unknown> }>(
      body,
      headersOf(0),
      endpoint.secret,
    );
    expect(event.type).toBe('magic_link.created');
    expect(event.data.magic_link_id).toBe(link.id);
    // The link's token never travels in a webhook.
    expect(body).not.toContain(link.secret);
    // The webhook-id is the event's id in the events API.
    const stored = await client.events.get(headersOf(0)['webhook-id']!);
    expect(stored).toMatchObject({ type: 'magic_link.created', data: { magic_link_id: link.id } });

    // One byte changed: refused.
    expectInvalid(() =>
      client.webhooks.verify(
        body.replace(link.id, `${link.id.slice(0, -1)}0`),
        headersOf(0),
        endpoint.secret,
      ),
    );
    expectInvalid(() => client.webhooks.verify(`${body} `, headersOf(0), endpoint.secret));
    // Another endpoint's secret: refused.
    const other = await client.webhookEndpoints.create({ url: `${receiver.url}/other` });
    expectInvalid(() => client.webhooks.verify(body, headersOf(0), other.secret));
    // The same request replayed six minutes later: its timestamp is stale.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 6 * 60_000);
    expectInvalid(() => client.webhooks.verify(body, headersOf(0), endpoint.secret));
    expect(client.webhooks.verify(body, headersOf(0), endpoint.secret, { toleranceSeconds: 600 })).toEqual(
      event,
    );
  });

  it('verifies with the old and the new secret for a day after a rotation', async () => {
    const endpoint = await client.webhookEndpoints.create({
      url: `${receiver.url}/hook`,
      event_types: ['magic_link.created'],
    });
    const rotated = await client.webhookEndpoints.rotateSecret(endpoint.id);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(endpoint.secret);
    expect(rotated.previous_secret_expires_at).not.toBeNull();
    expect(rotated.secret_hint).toBe(`${rotated.secret.slice(0, 10)}…`);

    await client.magicLinks.create({ email: uniqueEmail() });
    expect(await worker.runOnce()).toBe(1);
    const { body } = receiver.received[0]!;
    expect(client.webhooks.verify(body, headersOf(0), rotated.secret)).toMatchObject({
      type: 'magic_link.created',
    });
    expect(client.webhooks.verify(body, headersOf(0), endpoint.secret)).toMatchObject({
      type: 'magic_link.created',
    });
  });
});

describe('webhookEndpoints', () => {
  it('creates, reads, lists, updates and deletes, never showing the secret again', async () => {
    const created = await client.webhookEndpoints.create({ url: `${receiver.url}/a`, description: 'first' });
    expect(created).toMatchObject({
      url: `${receiver.url}/a`,
      description: 'first',
      event_types: ['*'],
      status: 'enabled',
      disabled_reason: null,
      app_id: server.appId,
    });
    expect(created.id).toMatch(/^whe_/);

    const read = await client.webhookEndpoints.get(created.id);
    expect(read).not.toHaveProperty('secret');
    expect(read.secret_hint).toBe(created.secret_hint);
    expect(JSON.stringify(read)).not.toContain(created.secret);

    const updated = await client.webhookEndpoints.update(created.id, {
      event_types: ['user.created', 'magic_link.redeemed'],
      description: 'changed',
      enabled: false,
    });
    expect(updated).toMatchObject({
      event_types: ['magic_link.redeemed', 'user.created'],
      description: 'changed',
      status: 'disabled',
    });
    expect((await client.webhookEndpoints.update(created.id, { enabled: true })).status).toBe('enabled');

    const listed = await collect(client.webhookEndpoints.list());
    expect(listed.map((e) => e.id)).toEqual([created.id]);
    expect(listed[0]).not.toHaveProperty('secret');

    await client.webhookEndpoints.delete(created.id);
    expect((await caught(client.webhookEndpoints.get(created.id))).code).toBe('not_found');
    expect(await collect(client.webhookEndpoints.list())).toEqual([]);
  });

  it('walks every page of endpoints and of the delivery log', async () => {
    const pages: string[] = [];
    const counting: FetchLike = (input, init) => {
      if ((init?.method ?? 'GET') === 'GET') pages.push(new URL(String(input)).pathname);
      return fetch(input, init);
    };
    const sdk = new Latchkey({ baseUrl, apiKey: server.apiKey, fetch: counting });
    const ids: string[] = [];
    for (const n of [1, 2, 3])
      ids.push((await client.webhookEndpoints.create({ url: `${receiver.url}/${n}` })).id);
    const listed = await collect(sdk.webhookEndpoints.list({ limit: 2 }));
    expect(listed.map((e) => e.id)).toEqual([...ids].reverse());
    expect(pages).toEqual(['/v1/webhook-endpoints', '/v1/webhook-endpoints']);

    // Events for the first endpoint only; the first two requests fail.
    for (const other of ids.slice(1)) await client.webhookEndpoints.delete(other);
    receiver.respond = (_req, i) => (i < 2 ? { status: 500, body: 'boom' } : { status: 204 });
    const user = await client.users.create({ email: uniqueEmail() });
    await client.users.update(user.id, { metadata: { plan: 'pro' } });
    await client.users.delete(user.id);
    expect(await worker.runOnce()).toBeGreaterThan(0);
    server.advance(10 * 60_000);
    while ((await worker.runOnce()) > 0) server.advance(10 * 60_000);
    server.advance(Date.now() - server.ctx.clock());

    pages.length = 0;
    const attempts = await collect(sdk.webhookEndpoints.attempts(ids[0]!, { limit: 2 }));
    // user.created and user.deleted (a metadata change is not a webhook event), each failing once.
    expect(receiver.received).toHaveLength(4);
    expect(attempts).toHaveLength(4);
    expect(pages).toEqual(Array(2).fill(`/v1/webhook-endpoints/${ids[0]}/attempts`));
    expect(attempts.filter((a) => !a.ok)).toHaveLength(2);
    expect(attempts.find((a) => !a.ok)).toMatchObject({ status_code: 500, response_excerpt: 'boom' });
    for (const a of attempts) expect(a.webhook_endpoint_id).toBe(ids[0]);

    const oneEvent = attempts.find((a) => a.attempt === 2)!.event_id;
    const ofEvent = await collect(client.webhookEndpoints.attempts(ids[0]!, { event_id: oneEvent }));
    expect(ofEvent.map((a) => a.attempt)).toEqual([2, 1]);
  });

  it('redelivers an event with the same webhook-id', async () => {
    const endpoint = await client.webhookEndpoints.create({
      url: `${receiver.url}/hook`,
      event_types: ['user.created'],
    });
    await client.users.create({ email: uniqueEmail() });
    expect(await worker.runOnce()).toBe(1);
    const eventId = headersOf(0)['webhook-id']!;

    const queued = await client.webhookEndpoints.redeliver(endpoint.id, eventId);
    expect(queued).toMatchObject({ event_id: eventId, status: 'queued' });
    expect(await worker.runOnce()).toBe(1);
    expect(receiver.received).toHaveLength(2);
    expect(headersOf(1)['webhook-id']).toBe(eventId);
    expect(client.webhooks.verify(receiver.received[1]!.body, headersOf(1), endpoint.secret)).toMatchObject({
      type: 'user.created',
    });
    const attempts = await collect(client.webhookEndpoints.attempts(endpoint.id));
    expect(attempts.map((a) => a.event_id)).toEqual([eventId, eventId]);
  });

  it('sends a test event now and answers its attempt, which webhooks.verify accepts', async () => {
    const endpoint = await client.webhookEndpoints.create({ url: `${receiver.url}/hook` });
    receiver.respond = () => ({ status: 202, body: 'thanks' });
    const attempt = await client.webhookEndpoints.sendTest(endpoint.id);
    expect(attempt).toMatchObject({ ok: true, status_code: 202, response_excerpt: 'thanks', test: true });
    expect(receiver.received).toHaveLength(1);
    expect(headersOf(0)['webhook-id']).toBe(attempt.event_id);
    expect(client.webhooks.verify(receiver.received[0]!.body, headersOf(0), endpoint.secret)).toMatchObject({
      type: 'webhook.test',
      data: { webhook_endpoint_id: endpoint.id },
    });
    expect(await collect(client.webhookEndpoints.attempts(endpoint.id))).toEqual([attempt]);
    expect(await worker.runOnce(100)).toBe(0);
    const missing = await caught(client.webhookEndpoints.sendTest('whe_00000000000000000000000000'));
    expect(missing).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('throws LatchkeyError with the server’s code and param', async () => {
    const badUrl = await caught(client.webhookEndpoints.create({ url: 'ftp://example.com/hook' }));
    expect(badUrl).toMatchObject({ status: 400, code: 'validation_failed', param: 'url' });

    const badType = await caught(
      client.webhookEndpoints.create({
        url: `${receiver.url}/hook`,
        event_types: ['user.nope' as WebhookEventType],
      }),
    );
    expect(badType.code).toBe('validation_failed');
    expect(await collect(client.webhookEndpoints.list())).toEqual([]);

    const missing = await caught(client.webhookEndpoints.get('whe_01m80c9f60kfkkz6dda4arwc44'));
    expect(missing).toMatchObject({ status: 404, code: 'not_found' });

    const endpoint = await client.webhookEndpoints.create({ url: `${receiver.url}/hook` });
    const noEvent = await caught(
      client.webhookEndpoints.redeliver(endpoint.id, 'evt_01m80c9f60kfkkz6dda4arwc44'),
    );
    expect(noEvent).toMatchObject({ code: 'not_found', param: 'event_id' });
    await client.webhookEndpoints.update(endpoint.id, { enabled: false });
    const [anEvent] = await collect(client.events.list({ limit: 1 }));
    const disabled = await caught(client.webhookEndpoints.redeliver(endpoint.id, anEvent!.id));
    expect(disabled).toMatchObject({ status: 409, code: 'conflict' });
  });

  it('lists the same event types as the server', () => {
    expect([...webhookEventTypes].sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
    expectTypeOf<WebhookEventType>().toEqualTypeOf<ServerEventType>();
  });
});

describe('events', () => {
  it('lists events newest first by type and since, across pages, and reads one', async () => {
    const since = new Date(server.ctx.clock());
    const users = [];
    for (let i = 0; i < 3; i++) users.push(await client.users.create({ email: uniqueEmail() }));
    const created = await collect(client.events.list({ type: 'user.created', since, limit: 2 }));
    expect(created.map((e) => e.data.user_id)).toEqual(users.map((u) => u.id).reverse());
    for (const e of created)
      expect(e).toMatchObject({ type: 'user.created', id: expect.stringMatching(/^evt_/) });

    // `since` as an ISO string works the same; a later time finds none of them.
    expect(
      await collect(client.events.list({ type: 'user.created', since: since.toISOString() })),
    ).toHaveLength(3);
    const later = new Date(server.ctx.clock() + 60_000);
    expect(await collect(client.events.list({ type: 'user.created', since: later }))).toEqual([]);
    // `until` ends the range (a Date too), and `subject_id` picks the events about one id.
    const ids = users.map((u) => u.id);
    const before = await collect(client.events.list({ type: 'user.created', until: since }));
    expect(before.filter((e) => ids.includes(e.data.user_id as string))).toEqual([]);
    const about = await collect(client.events.list({ subject_id: ids[0] }));
    expect(about.map((e) => e.data.user_id)).toContain(ids[0]);

    expect(await client.events.get(created[0]!.id)).toEqual(created[0]);
    const missing = await caught(client.events.get('evt_01m80c9f60kfkkz6dda4arwc44'));
    expect(missing.code).toBe('not_found');
    const bad = await caught(collect(client.events.list({ since: 'yesterday' })));
    expect(bad.code).toBe('validation_failed');
  });
});

describe('stats', () => {
  it('answers the funnel of the period, by type', async () => {
    const from = new Date(server.ctx.clock() - 60_000);
    const before = await client.stats.get({ from, type: 'login' });
    await client.magicLinks.create({ email: uniqueEmail() });
    await client.magicLinks.create({ email: uniqueEmail() });
    const to = new Date(server.ctx.clock() + 60_000);
    const stats = await client.stats.get({ from, to, type: 'login' });
    expect(stats).toMatchObject({ from: from.toISOString(), to: to.toISOString(), type: 'login' });
    expect(stats.funnel.created).toBe(before.funnel.created + 2);
    expect(stats.series.at(-1)).toMatchObject({ date: to.toISOString().slice(0, 10) });
    expect(stats.conversion).toHaveProperty('created_to_redeemed');
    expect((await client.stats.get({ from, to, type: 'invite' })).funnel.created).toBe(0);

    const backwards = await caught(client.stats.get({ from: to, to: from }));
    expect(backwards).toMatchObject({ code: 'validation_failed', param: 'from' });
  });
});
