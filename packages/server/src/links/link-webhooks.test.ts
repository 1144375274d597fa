/** A link's detail lists the webhook sends of its events, on both databases. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxWorker } from '../delivery/outbox-worker.js';
import { deliveryChannels } from '../runtime.js';
import { DIALECTS } from '../test-support/databases.js';
import {
  createTestLink,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from '../test-support/test-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../test-support/webhook-receiver.js';

describe.each(DIALECTS)("a link's webhook sends on %s", (dialect) => {
  let server: TestServer;
  let receiver: WebhookReceiver;
  let worker: OutboxWorker;

  beforeAll(async () => {
    server = await startTestServer(dialect, { env: { LATCHKEY_WEBHOOK_ALLOW_PRIVATE: 'true' } });
    receiver = await startWebhookReceiver();
    worker = new OutboxWorker(server.ctx, deliveryChannels(server.ctx));
  });
  afterAll(async () => {
    await receiver?.close();
    await server?.close();
  });

  it('shows each send of the link’s events, and none of another link’s', async () => {
    const made = await server.api('POST', '/v1/webhook-endpoints', {
      url: `${receiver.url}/hook`,
      event_types: ['magic_link.created', 'magic_link.revoked'],
    });
    expect(made.statusCode, made.body).toBe(201);
    const endpointId = made.json().id as string;
    const link = await createTestLink(server, { email: uniqueEmail() });
    const other = await createTestLink(server, { email: uniqueEmail() });
    await server.api('POST', `/v1/magic-links/${link.id}/revoke`);
    receiver.respond = () => ({ status: 200, body: 'ok' });
    while ((await worker.runOnce(100)) > 0) {}

    const detail = (await server.api('GET', `/v1/magic-links/${link.id}`)).json();
    expect(detail.webhooks).toHaveLength(2);
    // Both were sent in one run of the worker, possibly in the same millisecond: their order is the ids'.
    expect(detail.webhooks.map((w: { event_type: string }) => w.event_type).sort()).toEqual([
      'magic_link.created',
      'magic_link.revoked',
    ]);
    for (const sent of detail.webhooks)
      expect(sent).toMatchObject({
        endpoint_id: endpointId,
        attempt: 1,
        ok: true,
        status_code: 200,
        error: null,
      });
    expect(detail.webhooks[0].at).toMatch(/Z$/);
    const otherDetail = (await server.api('GET', `/v1/magic-links/${other.id}`)).json();
    expect(otherDetail.webhooks.map((w: { event_type: string }) => w.event_type)).toEqual([
      'magic_link.created',
    ]);
  });
});
