/** Webhook secrets never reach the logs, the events or the attempt log, even when deliveries fail. */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxWorker } from '../delivery/outbox-worker.js';
import { deliveryChannels } from '../runtime.js';
import { startTestServer, type TestServer, uniqueEmail } from '../test-support/test-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../test-support/webhook-receiver.js';

describe('webhook secrets', () => {
  const lines: string[] = [];
  let server: TestServer;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    server = await startTestServer('sqlite', {
      env: { LATCHKEY_WEBHOOK_ALLOW_PRIVATE: 'true' },
      logDestination: { write: (line: string) => lines.push(line) },
    });
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await server.close();
  });

  it('appear only in the create and rotate answers', async () => {
    const created = await server.api('POST', '/v1/webhook-endpoints', { url: `${receiver.url}/hook` });
    const { id, secret } = created.json() as { id: string; secret: string };
    const rotated = (await server.api('POST', `/v1/webhook-endpoints/${id}/rotate-secret`)).json()
      .secret as string;
    receiver.respond = () => ({ status: 500, body: 'broken' });
    await server.api('POST', '/v1/users', { email: uniqueEmail() });
    const worker = new OutboxWorker(server.ctx, deliveryChannels(server.ctx));
    expect(await worker.runOnce()).toBe(1);
    expect(receiver.received).toHaveLength(1);

    const everything = [
      lines.join('\n'),
      (await server.api('GET', '/v1/events?limit=500')).body,
      (await server.api('GET', `/v1/webhook-endpoints/${id}/attempts`)).body,
      (await server.api('GET', '/v1/webhook-endpoints')).body,
      (await server.api('GET', `/v1/webhook-endpoints/${id}`)).body,
    ].join('\n');
    for (const s of [secret, rotated]) {
      expect(everything).not.toContain(s);
      expect(everything).not.toContain(s.slice('whsec_'.length));
    }
    expect(lines.length).toBeGreaterThan(0);
  });
});
