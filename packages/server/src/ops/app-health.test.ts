/**
 * `GET /v1/health` on both databases: quiet when nothing waits or fails; the outbox's oldest message ages into
 * warning and then failing; a failed send and a failing webhook endpoint show; and nothing of another app counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../test-support/databases.js';
import {
  createOtherApp,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from '../test-support/test-server.js';

describe.each(DIALECTS)('app health on %s', (dialect) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(dialect, { env: { LATCHKEY_WEBHOOK_ALLOW_PRIVATE: 'true' } });
  });
  afterAll(() => server.close());

  const health = async (key?: string) => {
    const res = await server.api('GET', '/v1/health', undefined, key);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    return res.json();
  };

  /** One value of the Prometheus text the server exports, e.g. `latchkey_delivery_failures_last_hour{kind="webhook"}`. */
  const metric = async (name: string) => {
    const text = (await server.app.inject({ method: 'GET', url: '/metrics' })).body;
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    if (!line) throw new Error(`no metric ${name}`);
    return Number(line.slice(name.length + 1));
  };

  it('is ok with nothing waiting, failing or failed', async () => {
    // The same facts across every app, as metrics for alert rules (docs/deployment.md#monitoring).
    expect(await metric('latchkey_outbox_oldest_age_seconds')).toBe(0);
    expect(await metric('latchkey_webhook_endpoints_failing')).toBe(0);
    expect(await metric('latchkey_delivery_failures_last_hour{kind="message"}')).toBe(0);
    expect(await health()).toEqual({
      status: 'ok',
      checked_at: expect.any(String),
      outbox: { status: 'ok', pending: 0, sending: 0, oldest_queued_at: null, oldest_age_seconds: null },
      webhooks: { status: 'ok', endpoints: 0, failing: [] },
      delivery_failures: { status: 'ok', since: expect.any(String), email_and_sms: 0, webhooks: 0 },
    });
  });

  it('counts the backlog and ages its oldest message into warning, then failing', async () => {
    // No worker runs in this test: the messages wait.
    for (let i = 0; i < 2; i++) {
      const res = await server.api('POST', '/v1/magic-links', { email: uniqueEmail(), send: true });
      expect(res.statusCode, res.body).toBe(201);
    }
    let now = await health();
    expect(now.outbox).toMatchObject({ status: 'ok', pending: 2, sending: 0 });
    expect(now.outbox.oldest_age_seconds).toBeLessThan(5);

    server.advance(6 * 60_000);
    now = await health();
    expect(now.outbox.status).toBe('warning');
    expect(now.outbox.oldest_age_seconds).toBeGreaterThanOrEqual(360);
    expect(now.status).toBe('warning');

    server.advance(30 * 60_000);
    now = await health();
    expect(now.outbox.status).toBe('failing');
    expect(now.status).toBe('failing');
    expect(await metric('latchkey_outbox_oldest_age_seconds')).toBeGreaterThanOrEqual(36 * 60);

    // Another app's view has none of it.
    const other = await createOtherApp(server);
    expect((await health(other.key)).status).toBe('ok');
  });

  it('counts the last hour’s failed sends, and names a failing webhook endpoint', async () => {
    const ctx = server.ctx;
    // A worker claims the waiting messages and fails one attempt of each, to be retried later.
    const claimed = await ctx.store.claimOutbox(ctx.clock(), ctx.clock() + 60_000, 10, 'test-worker');
    expect(claimed.length).toBeGreaterThan(0);
    for (const row of claimed) {
      await ctx.store.markOutboxFailed({
        id: row.id,
        worker: 'test-worker',
        now: ctx.clock(),
        events: [],
        error: 'SMTP refused (temporary): 451 try later',
        retryAt: ctx.clock() + 60_000,
        attempt: {
          id: `att_${row.id}`,
          message_id: row.id,
          app_id: row.app_id,
          link_id: row.link_id,
          attempt: 1,
          at: ctx.clock(),
          ok: 0,
          permanent: 0,
          answer: 'SMTP refused (temporary): 451 try later',
          duration_ms: 10,
        },
      });
    }

    const endpoint = (
      await server.api('POST', '/v1/webhook-endpoints', {
        url: 'http://127.0.0.1:9/hook',
        description: 'CRM',
      })
    ).json() as { id: string };
    // A delivery to it fails, as the webhook worker records one: the endpoint is failing from then on.
    await ctx.store.recordWebhookAttempt(
      {
        id: 'wha_health_test',
        app_id: server.appId,
        endpoint_id: endpoint.id,
        event_id: 'evt_health_test',
        message_id: 'msg_health_test',
        attempt: 1,
        ok: 0,
        status_code: 500,
        latency_ms: 20,
        response_excerpt: null,
        error: 'HTTP 500',
        created_at: ctx.clock(),
      },
      0,
      () => {
        throw new Error('not disabled on its first failure');
      },
    );

    const now = await health();
    expect(now.delivery_failures).toMatchObject({ status: 'warning', email_and_sms: claimed.length });
    expect(now.delivery_failures.webhooks).toBe(1);
    expect(await metric('latchkey_delivery_failures_last_hour{kind="message"}')).toBe(claimed.length);
    expect(await metric('latchkey_delivery_failures_last_hour{kind="webhook"}')).toBe(1);
    expect(await metric('latchkey_webhook_endpoints_failing')).toBe(1);
    expect(now.webhooks).toMatchObject({
      status: 'warning',
      endpoints: 1,
      failing: [
        {
          id: endpoint.id,
          url: 'http://127.0.0.1:9/hook',
          status: 'enabled',
          failing_since: expect.any(String),
        },
      ],
    });

    // An hour later the failures are history; the endpoint fails until a delivery succeeds.
    server.advance(61 * 60_000);
    const later = await health();
    expect(later.delivery_failures).toMatchObject({ status: 'ok', email_and_sms: 0, webhooks: 0 });
    expect(later.webhooks.status).toBe('warning');
  });
});
