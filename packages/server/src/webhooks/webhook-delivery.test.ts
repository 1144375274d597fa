/**
 * Webhook delivery end to end: a real receiver on loopback, the real outbox worker, and signatures checked with the
 * `standardwebhooks` package (an implementation independent of ours).
 */

import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OutboxWorker } from '../delivery/outbox-worker.js';
import { deliveryChannels } from '../runtime.js';
import {
  createTestLink,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from '../test-support/test-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../test-support/webhook-receiver.js';
import { verifyWebhook } from './verify-webhook.js';
import { DISABLE_AFTER_FAILING_MS } from './webhook-sender.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('webhook delivery', () => {
  let server: TestServer;
  let receiver: WebhookReceiver;
  let worker: OutboxWorker;

  beforeAll(async () => {
    server = await startTestServer('sqlite', { env: { LATCHKEY_WEBHOOK_ALLOW_PRIVATE: 'true' } });
    receiver = await startWebhookReceiver();
    worker = new OutboxWorker(server.ctx, deliveryChannels(server.ctx));
  });
  afterAll(async () => {
    await receiver.close();
    await server.close();
  });
  beforeEach(async () => {
    // The independent verifier checks timestamps against the real clock; earlier tests moved the server's on.
    server.advance(Date.now() - server.ctx.clock());
    receiver.received.length = 0;
    receiver.respond = () => ({ status: 200, body: 'ok' });
    // Each test starts with no endpoints and no queued messages.
    const list = (await server.api('GET', '/v1/webhook-endpoints')).json() as { data: Array<{ id: string }> };
    for (const ep of list.data) await server.api('DELETE', `/v1/webhook-endpoints/${ep.id}`);
    while ((await worker.runOnce(100)) > 0) {}
  });

  async function endpoint(body: Record<string, unknown> = {}, path = '/hook') {
    const res = await server.api('POST', '/v1/webhook-endpoints', { url: `${receiver.url}${path}`, ...body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; secret: string; event_types: string[]; status: string };
  }

  const createUser = async () => {
    const res = await server.api('POST', '/v1/users', { email: uniqueEmail() });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string };
  };

  const attempts = async (endpointId: string) =>
    (await server.api('GET', `/v1/webhook-endpoints/${endpointId}/attempts`)).json().data as Array<{
      ok: boolean;
      status_code: number | null;
      event_id: string;
      attempt: number;
      response_excerpt: string | null;
      error: string | null;
      latency_ms: number;
    }>;

  it('delivers signed events that an independent Standard Webhooks implementation verifies', async () => {
    const ep = await endpoint({ description: 'audit sink' });
    expect(ep.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const user = await createUser();
    expect(await worker.runOnce()).toBe(1);
    expect(receiver.received).toHaveLength(1);
    const got = receiver.received[0]!;
    expect(got.path).toBe('/hook');
    expect(got.headers['content-type']).toBe('application/json');
    const verified = new Webhook(ep.secret).verify(got.body, got.headers as Record<string, string>) as {
      type: string;
      timestamp: string;
      data: Record<string, unknown>;
    };
    expect(verified.type).toBe('user.created');
    expect(verified.data.user_id).toBe(user.id);
    expect(Object.keys(verified).sort()).toEqual(['data', 'timestamp', 'type']);
    expect(got.headers['webhook-id']).toMatch(/^evt_/);
    // Our own verifier agrees, and refuses a tampered body or another secret.
    expect(verifyWebhook(got.body, got.headers as Record<string, string>, ep.secret).type).toBe(
      'user.created',
    );
    expect(() => verifyWebhook(`${got.body} `, got.headers as Record<string, string>, ep.secret)).toThrow(
      /signature/,
    );
    const other = await endpoint();
    expect(() => verifyWebhook(got.body, got.headers as Record<string, string>, other.secret)).toThrow();
    // The event is the one the events API shows.
    const event = await server.api('GET', `/v1/events/${got.headers['webhook-id']}`);
    expect(event.json()).toMatchObject({ type: 'user.created', data: { user_id: user.id } });
    const log = await attempts(ep.id);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ ok: true, status_code: 200, attempt: 1, response_excerpt: 'ok' });
  });

  it('retries a failing receiver with backoff, with the same webhook-id every time', async () => {
    const ep = await endpoint();
    receiver.respond = (_req, i) => (i < 2 ? { status: 503, body: 'down for maintenance' } : { status: 204 });
    await createUser();
    expect(await worker.runOnce()).toBe(1);
    // Not due again at once.
    expect(await worker.runOnce()).toBe(0);
    server.advance(6_000);
    expect(await worker.runOnce()).toBe(1);
    expect(await worker.runOnce()).toBe(0);
    server.advance(6 * 60_000);
    expect(await worker.runOnce()).toBe(1);
    expect(receiver.received).toHaveLength(3);
    const ids = new Set(receiver.received.map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    // Every body is the same bytes; each attempt is signed afresh with its own timestamp.
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    const log = await attempts(ep.id);
    expect(log.map((a) => [a.attempt, a.status_code, a.ok])).toEqual([
      [3, 204, true],
      [2, 503, false],
      [1, 503, false],
    ]);
    expect(log[2]!.response_excerpt).toBe('down for maintenance');
    server.advance(DAY);
    expect(await worker.runOnce()).toBe(0);
  });

  it('sends only the subscribed event types', async () => {
    const ep = await endpoint({ event_types: ['magic_link.created'] });
    expect(ep.event_types).toEqual(['magic_link.created']);
    await createUser();
    const link = await createTestLink(server, { email: uniqueEmail() });
    while ((await worker.runOnce()) > 0) {}
    expect(receiver.received.map((r) => JSON.parse(r.body).type)).toEqual(['magic_link.created']);
    expect(JSON.parse(receiver.received[0]!.body).data.magic_link_id).toBe(link.id);
    const bad = await server.api('POST', '/v1/webhook-endpoints', {
      url: `${receiver.url}/x`,
      event_types: ['api_key.created'],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'validation_failed' });
  });

  it('does not follow redirects and keeps only the first KiB of an answer', async () => {
    const ep = await endpoint();
    receiver.respond = (req) =>
      req.path === '/hook'
        ? { status: 302, headers: { location: `${receiver.url}/elsewhere` }, body: 'x'.repeat(5000) }
        : { status: 200 };
    await createUser();
    await worker.runOnce();
    expect(receiver.received.map((r) => r.path)).toEqual(['/hook']);
    const [attempt] = await attempts(ep.id);
    expect(attempt).toMatchObject({ ok: false, status_code: 302 });
    expect(attempt!.error).toMatch(/redirect/);
    expect(attempt!.response_excerpt).toHaveLength(1024);
  });

  it('gives up on an answer after 10 seconds and retries later', async () => {
    const ep = await endpoint();
    receiver.respond = (_req, i) => (i === 0 ? 'hang' : { status: 200 });
    await createUser();
    const started = Date.now();
    expect(await worker.runOnce()).toBe(1);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(9_500);
    expect(waited).toBeLessThan(15_000);
    const [attempt] = await attempts(ep.id);
    expect(attempt).toMatchObject({ ok: false, status_code: null });
    expect(attempt!.error).toMatch(/10 s/);
    server.advance(6_000);
    // (Retries of earlier tests' messages may be due as well by now; they are dropped, their endpoints deleted.)
    expect(await worker.runOnce()).toBeGreaterThanOrEqual(1);
    expect((await attempts(ep.id))[0]).toMatchObject({ ok: true, attempt: 2 });
  }, 30_000);

  it('redelivers one event on request, with its id', async () => {
    const ep = await endpoint();
    await createUser();
    await worker.runOnce();
    const first = receiver.received[0]!;
    const eventId = first.headers['webhook-id'] as string;
    const res = await server.api('POST', `/v1/webhook-endpoints/${ep.id}/redeliver`, { event_id: eventId });
    expect(res.statusCode, res.body).toBe(202);
    expect(await worker.runOnce()).toBe(1);
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]!.headers['webhook-id']).toBe(eventId);
    expect(receiver.received[1]!.body).toBe(first.body);
    const unknown = await server.api('POST', `/v1/webhook-endpoints/${ep.id}/redeliver`, {
      event_id: 'evt_01aaaaaaaaaaaaaaaaaaaaaaaa',
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('signs with the old and the new secret for 24 hours after a rotation', async () => {
    const ep = await endpoint();
    const rotated = await server.api('POST', `/v1/webhook-endpoints/${ep.id}/rotate-secret`);
    expect(rotated.statusCode, rotated.body).toBe(200);
    const { secret } = rotated.json() as { secret: string };
    expect(secret).not.toBe(ep.secret);
    await createUser();
    await worker.runOnce();
    const got = receiver.received[0]!;
    expect(String(got.headers['webhook-signature']).split(' ')).toHaveLength(2);
    // Each secret's signature, computed independently, is among those sent.
    const sent = String(got.headers['webhook-signature']).split(' ');
    const timestamp = new Date(Number(got.headers['webhook-timestamp']) * 1000);
    for (const s of [ep.secret, secret]) {
      expect(sent).toContain(new Webhook(s).sign(String(got.headers['webhook-id']), timestamp, got.body));
    }

    server.advance(25 * HOUR);
    await createUser();
    await worker.runOnce();
    const later = receiver.received[1]!;
    expect(String(later.headers['webhook-signature']).split(' ')).toHaveLength(1);
    const now = server.ctx.clock();
    expect(verifyWebhook(later.body, later.headers as Record<string, string>, secret, { now }).type).toBe(
      'user.created',
    );
    expect(() =>
      verifyWebhook(later.body, later.headers as Record<string, string>, ep.secret, { now }),
    ).toThrow();
  });

  it('disables an endpoint that has failed for days, with an event about it', async () => {
    const ep = await endpoint();
    const watcher = await endpoint({ event_types: ['webhook_endpoint.disabled'] }, '/watcher');
    receiver.respond = (req) => (req.path === '/hook' ? { status: 500 } : { status: 200 });
    await createUser();
    await worker.runOnce();
    expect((await server.api('GET', `/v1/webhook-endpoints/${ep.id}`)).json()).toMatchObject({
      status: 'enabled',
    });
    server.advance(DISABLE_AFTER_FAILING_MS + HOUR);
    await createUser();
    while ((await worker.runOnce()) > 0) {}
    const after = (await server.api('GET', `/v1/webhook-endpoints/${ep.id}`)).json();
    expect(after).toMatchObject({ status: 'disabled', disabled_reason: 'failing' });
    const events = (await server.api('GET', '/v1/events?type=webhook_endpoint.disabled')).json().data;
    expect(events).toHaveLength(1);
    expect(events[0].data.webhook_endpoint_id).toBe(ep.id);
    // The other endpoint heard about it.
    const told = receiver.received.filter((r) => r.path === '/watcher').map((r) => JSON.parse(r.body));
    expect(told).toEqual([expect.objectContaining({ type: 'webhook_endpoint.disabled' })]);
    expect(watcher.status).toBe('enabled');
    // Disabled: new events are not queued for it; enabling it again starts afresh.
    const before = receiver.received.length;
    await createUser();
    while ((await worker.runOnce()) > 0) {}
    expect(receiver.received.filter((r) => r.path === '/hook').length).toBe(
      receiver.received.slice(0, before).filter((r) => r.path === '/hook').length,
    );
    const enabled = await server.api('PATCH', `/v1/webhook-endpoints/${ep.id}`, { enabled: true });
    expect(enabled.json()).toMatchObject({ status: 'enabled', disabled_reason: null, failing_since: null });
  });
});
