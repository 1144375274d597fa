/**
 * The outbox, delivery status and a link's visits through the SDK, against a real, listening Latchkey (SQLite)
 * whose mail goes to an SMTP server on loopback.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { OutboxWorker } from '../../server/src/delivery/outbox-worker.js';
import { deliveryChannels } from '../../server/src/runtime.js';
import { type SmtpSink, startSmtpSink } from '../../server/src/test-support/smtp-sink.js';
import { startTestServer, type TestServer, uniqueEmail } from '../../server/src/test-support/test-server.js';
import { Latchkey } from './client.js';
import { LatchkeyError } from './errors.js';
import type { DeliveryStatus, LinkVisit, OutboxMessage } from './types.js';

let server: TestServer;
let smtp: SmtpSink;
let worker: OutboxWorker;
let client: Latchkey;
let refuse = true;

beforeAll(async () => {
  smtp = await startSmtpSink({ reject: () => (refuse ? 550 : undefined) });
  server = await startTestServer('sqlite', { env: { LATCHKEY_SMTP_URL: smtp.url } });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  client = new Latchkey({ baseUrl, apiKey: server.apiKey });
  worker = new OutboxWorker(server.ctx, deliveryChannels(server.ctx));
});

afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

describe('the outbox through the SDK', () => {
  it('lists a failed message with its attempts, retries it, and refuses a second retry', async () => {
    const link = await client.magicLinks.create({ email: uniqueEmail(), send: true });
    await worker.runOnce();
    const messages: OutboxMessage[] = [];
    for await (const message of client.outbox.list({ link_id: link.id })) messages.push(message);
    expect(messages).toHaveLength(1);
    const failed = messages[0]!;
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, channel: 'email' });
    expect(failed.attempt_log[0]).toMatchObject({ attempt: 1, ok: false, permanent: true });
    expect(failed.attempt_log[0]?.answer).toMatch(/550/);

    refuse = false;
    expect(await client.outbox.retry(failed.id)).toMatchObject({ id: failed.id, status: 'pending' });
    await worker.runOnce();
    await smtp.waitFor(1);
    const sent = await client.outbox.get(failed.id);
    expect(sent.attempt_log.map((a) => a.ok)).toEqual([false, true]);
    const refused = await client.outbox.retry(failed.id).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LatchkeyError);
    expect((refused as LatchkeyError).code).toBe('conflict');
    expect((refused as LatchkeyError).status).toBe(409);
  });

  it('reads a link with its deliveries and visits', async () => {
    const link = await client.magicLinks.create({ email: uniqueEmail() });
    await server.app.inject({ method: 'HEAD', url: new URL(link.url).pathname });
    const read = await client.magicLinks.get(link.id);
    expectTypeOf(read.visits).toEqualTypeOf<LinkVisit[]>();
    expect(read.visits).toMatchObject([
      { method: 'HEAD', verdict: 'likely_scanner', reason: 'HEAD request' },
    ]);
    expect(read.timeline.find((t) => t.status === 'visited')).toMatchObject({ verdict: 'likely_scanner' });
  });

  it('reads the delivery status and tests the connection', async () => {
    const status = await client.delivery.status();
    expectTypeOf(status).toEqualTypeOf<DeliveryStatus>();
    expect(status.email).toMatchObject({
      transport: 'smtp',
      smtp: { host: '127.0.0.1', port: smtp.port, user: null, password: null },
    });
    const test = await client.delivery.test();
    expect(test.ok).toBe(true);
    expect(test.checks.map((c) => c.name)).toEqual(['Email (smtp)', 'SMS (log)']);
  });
});
