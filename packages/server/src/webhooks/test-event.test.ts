/**
 * The test event: sent now to one endpoint, signed like every delivery (checked with the independent
 * `standardwebhooks` package), over the same pinned connection (a DNS rebinding is refused), answered and logged as
 * an attempt — and nothing else: no stored event, no message for other endpoints, no change to the endpoint's health.
 */
import { createServer } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OutboxWorker } from '../delivery/outbox-worker.js';
import { deliveryChannels } from '../runtime.js';
import { DIALECTS } from '../test-support/databases.js';
import { createOtherApp, startTestServer, type TestServer } from '../test-support/test-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../test-support/webhook-receiver.js';

interface Attempt {
  id: string;
  webhook_endpoint_id: string;
  event_id: string;
  message_id: string;
  test: boolean;
  attempt: number;
  ok: boolean;
  status_code: number | null;
  latency_ms: number;
  response_excerpt: string | null;
  error: string | null;
  created_at: string;
}

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe.each(DIALECTS)('the webhook test event on %s', (dialect) => {
  let server: TestServer;
  let receiver: WebhookReceiver;
  let worker: OutboxWorker;

  beforeAll(async () => {
    server = await startTestServer(dialect, { env: { LATCHKEY_WEBHOOK_ALLOW_PRIVATE: 'true' } });
    receiver = await startWebhookReceiver();
    worker = new OutboxWorker(server.ctx, deliveryChannels(server.ctx));
  });
  afterAll(async () => {
    await receiver.close();
    await server.close();
  });
  beforeEach(async () => {
    receiver.received.length = 0;
    receiver.respond = () => ({ status: 200, body: 'ok' });
    const list = (await server.api('GET', '/v1/webhook-endpoints')).json() as { data: Array<{ id: string }> };
    for (const ep of list.data) await server.api('DELETE', `/v1/webhook-endpoints/${ep.id}`);
    while ((await worker.runOnce(100)) > 0) {}
  });

  async function endpoint(url = `${receiver.url}/hook`, body: Record<string, unknown> = {}) {
    const res = await server.api('POST', '/v1/webhook-endpoints', { url, ...body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; secret: string };
  }

  const sendTest = async (id: string, key?: string) =>
    server.api('POST', `/v1/webhook-endpoints/${id}/test`, undefined, key);
  const attempts = async (id: string) =>
    (await server.api('GET', `/v1/webhook-endpoints/${id}/attempts`)).json().data as Attempt[];

  it('sends a signed webhook.test to the endpoint now and answers the attempt, also logged', async () => {
    const ep = await endpoint();
    const res = await sendTest(ep.id);
    expect(res.statusCode, res.body).toBe(200);
    const attempt = res.json() as Attempt;
    expect(attempt).toMatchObject({
      webhook_endpoint_id: ep.id,
      test: true,
      attempt: 1,
      ok: true,
      status_code: 200,
      response_excerpt: 'ok',
      error: null,
    });
    expect(attempt.event_id).toMatch(/^evt_[0-9a-z]{26}$/);
    expect(attempt.message_id).toMatch(/^wht_[0-9a-z]{26}$/);
    expect(attempt.latency_ms).toBeGreaterThanOrEqual(0);

    expect(receiver.received).toHaveLength(1);
    const got = receiver.received[0]!;
    expect(got.headers['webhook-id']).toBe(attempt.event_id);
    expect(got.headers['user-agent']).toBe('Latchkey-Webhooks/1');
    const verified = new Webhook(ep.secret).verify(got.body, got.headers as Record<string, string>);
    expect(verified).toEqual({
      type: 'webhook.test',
      timestamp: expect.any(String),
      data: { webhook_endpoint_id: ep.id, message: expect.stringContaining('test event') },
    });
    expect(await attempts(ep.id)).toEqual([attempt]);
  });

  it('reaches no other endpoint and stores no event', async () => {
    const ep = await endpoint();
    const other = await endpoint(`${receiver.url}/other`);
    const attempt = (await sendTest(ep.id)).json() as Attempt;
    expect(receiver.received.map((r) => r.path)).toEqual(['/hook']);
    expect(await worker.runOnce(100)).toBe(0);
    expect(await attempts(other.id)).toEqual([]);
    expect((await server.api('GET', `/v1/events/${attempt.event_id}`)).statusCode).toBe(404);
    const types = (await server.api('GET', '/v1/events?limit=20'))
      .json()
      .data.map((e: { type: string }) => e.type);
    expect(types).not.toContain('webhook.test');
    // Nobody subscribes to it, and it is not redelivered as an event.
    const subscribe = await server.api('POST', '/v1/webhook-endpoints', {
      url: `${receiver.url}/x`,
      event_types: ['webhook.test'],
    });
    expect(subscribe.statusCode).toBe(400);
    const redeliver = await server.api('POST', `/v1/webhook-endpoints/${ep.id}/redeliver`, {
      event_id: attempt.event_id,
    });
    expect(redeliver.statusCode).toBe(404);
  });

  it("answers a failing receiver's attempt as it went, and leaves the endpoint's health alone", async () => {
    const ep = await endpoint();
    receiver.respond = () => ({ status: 500, body: 'receiver broke' });
    const failed = await sendTest(ep.id);
    expect(failed.statusCode).toBe(200);
    expect(failed.json()).toMatchObject({
      ok: false,
      status_code: 500,
      response_excerpt: 'receiver broke',
      test: true,
    });
    expect((await server.api('GET', `/v1/webhook-endpoints/${ep.id}`)).json()).toMatchObject({
      status: 'enabled',
      failing_since: null,
    });

    const gone = await endpoint(`http://127.0.0.1:${await closedPort()}/hook`);
    const refused = (await sendTest(gone.id)).json() as Attempt;
    expect(refused).toMatchObject({ ok: false, status_code: null, response_excerpt: null });
    expect(refused.error).toMatch(/^Could not connect: ECONNREFUSED/);
  });

  it('tests a disabled endpoint (to check a fix before enabling it) without enabling it', async () => {
    const ep = await endpoint();
    await server.api('PATCH', `/v1/webhook-endpoints/${ep.id}`, { enabled: false });
    const res = await sendTest(ep.id);
    expect(res.json()).toMatchObject({ ok: true, status_code: 200 });
    expect((await server.api('GET', `/v1/webhook-endpoints/${ep.id}`)).json().status).toBe('disabled');
  });

  it("refuses unknown endpoints and other apps' endpoints with 404", async () => {
    expect((await sendTest('whe_00000000000000000000000000')).json().error.code).toBe('not_found');
    expect((await sendTest('nope')).statusCode).toBe(400);
    const ep = await endpoint();
    const other = await createOtherApp(server);
    const foreign = await sendTest(ep.id, other.key);
    expect(foreign.statusCode).toBe(404);
    expect(receiver.received).toEqual([]);
  });

  it.runIf(dialect === 'sqlite')('documents webhook.test in the OpenAPI webhooks', async () => {
    const doc = (await server.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.webhooks['webhook.test'].post.description).toContain('test');
  });
});

describe('the webhook test event over the pinned connection (private destinations refused)', () => {
  let server: TestServer;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await server.close();
  });

  it('never connects to a loopback address DNS answers after the check', async () => {
    const port = new URL(receiver.url).port;
    const questions: string[] = [];
    let answers = [['93.184.215.14']];
    server.ctx.resolveHost = async (host) => {
      questions.push(host);
      return (answers.length > 1 ? answers.shift() : answers[0]) ?? [];
    };
    const created = await server.api('POST', '/v1/webhook-endpoints', {
      url: `http://localhost:${port}/hook`,
    });
    expect(created.statusCode, created.body).toBe(201);
    answers = [['93.184.215.14'], ['127.0.0.1']];
    questions.length = 0;
    const res = await server.api('POST', `/v1/webhook-endpoints/${created.json().id}/test`);
    expect(res.statusCode).toBe(200);
    expect(receiver.received).toEqual([]);
    expect(questions).toEqual(['localhost', 'localhost']);
    expect(res.json()).toMatchObject({ ok: false, status_code: null });
    expect(res.json().error).toMatch(
      /^Refused: localhost is a loopback, private, link-local or reserved address \(127\.0\.0\.1\)/,
    );
  });
});
