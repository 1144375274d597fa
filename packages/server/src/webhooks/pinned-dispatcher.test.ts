/**
 * DNS rebinding: a hostile DNS server answers a public address when the destination is checked and a loopback or
 * metadata address when the connection is made. The delivery must connect only to an address that was checked:
 * real outbox worker, real fetch, real receiver on 127.0.0.1, and a resolver that answers differently the second
 * time it is asked.
 */

import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OutboxWorker } from '../delivery/outbox-worker.js';
import { deliveryChannels } from '../runtime.js';
import { DIALECTS } from '../test-support/databases.js';
import { startTestServer, type TestServer, uniqueEmail } from '../test-support/test-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../test-support/webhook-receiver.js';
import {
  checkedLookup,
  DESTINATION_REFUSED,
  DestinationRefusedError,
  pinnedDispatcher,
} from './pinned-dispatcher.js';
import type { ResolveHost } from './url-policy.js';

const PUBLIC_IP = '93.184.215.14';

/**
 * A DNS stand-in. Each name has a list of answers given out one per question, the last one repeated from then on,
 * so a test can make the second answer differ from the first. Every question is recorded.
 */
class TestDns {
  readonly questions: string[] = [];
  private readonly answers = new Map<string, string[][]>();

  answer(host: string, ...answers: string[][]): void {
    this.answers.set(host, answers);
  }

  readonly resolve: ResolveHost = async (host) => {
    this.questions.push(host);
    const queue = this.answers.get(host);
    if (!queue) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return (queue.length > 1 ? queue.shift() : queue[0]) ?? [];
  };
}

interface Attempt {
  ok: boolean;
  status_code: number | null;
  error: string | null;
}

const attemptsOf = async (server: TestServer, endpointId: string) =>
  (await server.api('GET', `/v1/webhook-endpoints/${endpointId}/attempts`)).json().data as Attempt[];

describe.each(DIALECTS)('DNS rebinding at delivery on %s (private destinations refused)', (dialect) => {
  let server: TestServer;
  let receiver: WebhookReceiver;
  let worker: OutboxWorker;
  let dns: TestDns;
  let port: string;

  beforeAll(async () => {
    server = await startTestServer(dialect);
    expect(server.ctx.config.webhooks.allowPrivate).toBe(false);
    receiver = await startWebhookReceiver();
    port = new URL(receiver.url).port;
    worker = new OutboxWorker(server.ctx, deliveryChannels(server.ctx));
  });
  afterAll(async () => {
    await receiver.close();
    await server.close();
  });
  beforeEach(async () => {
    dns = new TestDns();
    server.ctx.resolveHost = dns.resolve;
    receiver.received.length = 0;
    const list = (await server.api('GET', '/v1/webhook-endpoints')).json() as { data: Array<{ id: string }> };
    for (const ep of list.data) await server.api('DELETE', `/v1/webhook-endpoints/${ep.id}`);
    while ((await worker.runOnce(100)) > 0) {}
  });

  // The endpoint names `localhost` on the receiver's port: the system resolver answers 127.0.0.1 for it, so a
  // connection that resolved the name on its own, past the check, would reach the receiver.
  it.each(['127.0.0.1', '169.254.169.254', '::ffff:127.0.0.1'])(
    'never connects to %s when DNS answers a public address to the check and it to the connection',
    async (rebound) => {
      dns.answer('localhost', [PUBLIC_IP]);
      const created = await server.api('POST', '/v1/webhook-endpoints', {
        url: `http://localhost:${port}/hook`,
      });
      expect(created.statusCode, created.body).toBe(201);
      const { id } = created.json() as { id: string };

      // At send time: the first answer is public (it passes the check), the second is not.
      dns.answer('localhost', [PUBLIC_IP], [rebound]);
      dns.questions.length = 0;
      const user = await server.api('POST', '/v1/users', { email: uniqueEmail() });
      expect(user.statusCode, user.body).toBe(201);
      expect(await worker.runOnce()).toBe(1);

      expect(receiver.received).toEqual([]);
      // Asked twice: by the check before signing, and by the connection, which checked its own answer.
      expect(dns.questions).toEqual(['localhost', 'localhost']);
      const attempts = await attemptsOf(server, id);
      expect(attempts).toHaveLength(1);
      expect(attempts[0]).toMatchObject({ ok: false, status_code: null });
      expect(attempts[0]!.error).toBe(
        `Refused: localhost is a loopback, private, link-local or reserved address (${rebound}); such destinations are refused unless LATCHKEY_WEBHOOK_ALLOW_PRIVATE is set.`,
      );
    },
  );

  it('still refuses a private name when the endpoint is created or changed, with a clear error', async () => {
    dns.answer('metadata.example.com', ['169.254.169.254']);
    const refused = await server.api('POST', '/v1/webhook-endpoints', {
      url: 'https://metadata.example.com/',
    });
    expect(refused.statusCode, refused.body).toBe(400);
    expect(refused.json().error).toMatchObject({
      code: 'validation_failed',
      param: 'url',
      message:
        'url is not allowed: metadata.example.com is a loopback, private, link-local or reserved address (169.254.169.254); such destinations are refused unless LATCHKEY_WEBHOOK_ALLOW_PRIVATE is set.',
    });

    dns.answer('hooks.example.com', [PUBLIC_IP]);
    const ok = await server.api('POST', '/v1/webhook-endpoints', { url: 'https://hooks.example.com/hook' });
    expect(ok.statusCode, ok.body).toBe(201);
    const { id } = ok.json() as { id: string };
    const patched = await server.api('PATCH', `/v1/webhook-endpoints/${id}`, {
      url: 'https://metadata.example.com/',
    });
    expect(patched.statusCode, patched.body).toBe(400);
    expect(patched.json().error).toMatchObject({ code: 'validation_failed', param: 'url' });
    expect(patched.json().error.message).toMatch(/^url is not allowed: .*\(169\.254\.169\.254\)/);
  });
});

describe('delivery through the pinned connection (LATCHKEY_WEBHOOK_ALLOW_PRIVATE on, for a local receiver)', () => {
  let server: TestServer;
  let receiver: WebhookReceiver;
  const dns = new TestDns();

  beforeAll(async () => {
    server = await startTestServer('sqlite', { env: { LATCHKEY_WEBHOOK_ALLOW_PRIVATE: 'true' } });
    server.ctx.resolveHost = dns.resolve;
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await server.close();
  });

  it('connects to the address the resolver answered and keeps the URL host in the Host header', async () => {
    // A name only the injected resolver knows: the delivery can only arrive by connecting to its answer.
    const port = new URL(receiver.url).port;
    dns.answer('hooks.latchkey.test', ['127.0.0.1']);
    const created = await server.api('POST', '/v1/webhook-endpoints', {
      url: `http://hooks.latchkey.test:${port}/hook`,
    });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json() as { id: string };
    await server.api('POST', '/v1/users', { email: uniqueEmail() });
    expect(await new OutboxWorker(server.ctx, deliveryChannels(server.ctx)).runOnce()).toBe(1);

    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]).toMatchObject({
      path: '/hook',
      headers: expect.objectContaining({ host: `hooks.latchkey.test:${port}` }),
    });
    expect((await attemptsOf(server, id))[0]).toMatchObject({ ok: true, status_code: 200, error: null });
  });
});

describe('pinnedDispatcher with the global fetch', () => {
  it('gives TLS the URL host as server name while connecting to the checked address', async () => {
    // No certificate is offered, so the handshake fails; what matters is the name the client asked for.
    const serverNames: string[] = [];
    const tls = createTlsServer({
      SNICallback: (name, done) => {
        serverNames.push(name);
        done(new Error('no certificate here'));
      },
    });
    tls.on('tlsClientError', () => {});
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    const { port } = tls.address() as { port: number };
    const dns = new TestDns();
    dns.answer('hooks.latchkey.test', ['127.0.0.1']);
    const dispatcher = await pinnedDispatcher('hooks.latchkey.test', true, dns.resolve);
    try {
      const init: RequestInit & { dispatcher: typeof dispatcher } = { dispatcher };
      await expect(fetch(`https://hooks.latchkey.test:${port}/`, init)).rejects.toThrow('fetch failed');
    } finally {
      await dispatcher.destroy();
      await new Promise<void>((resolve) => tls.close(() => resolve()));
    }
    expect(serverNames).toEqual(['hooks.latchkey.test']);
    expect(dns.questions).toEqual(['hooks.latchkey.test']);
  });

  it('fails the fetch with the refusal as its cause when the answer is private', async () => {
    const dns = new TestDns();
    dns.answer('rebind.example.com', ['127.0.0.1']);
    const dispatcher = await pinnedDispatcher('rebind.example.com', false, dns.resolve);
    try {
      const init: RequestInit & { dispatcher: typeof dispatcher } = { dispatcher };
      const failed = await fetch('http://rebind.example.com/', init).catch((error: unknown) => error);
      expect((failed as Error).cause).toBeInstanceOf(DestinationRefusedError);
      expect((failed as { cause: { code: string } }).cause.code).toBe(DESTINATION_REFUSED);
    } finally {
      await dispatcher.destroy();
    }
  });
});

describe('checkedLookup', () => {
  const lookupOf = (fn: LookupFunction, hostname: string, options: { all?: boolean; family?: number } = {}) =>
    new Promise<{ address: string | LookupAddress[]; family?: number | undefined }>((resolve, reject) =>
      fn(hostname, options, (error, address, family) =>
        error ? reject(error) : resolve({ address, family }),
      ),
    );

  it('answers every address of a public name, each checked, asking DNS once', async () => {
    const dns = new TestDns();
    dns.answer('hooks.example.com', [PUBLIC_IP, '2606:4700:4700::1111']);
    const lookup = checkedLookup('hooks.example.com', false, dns.resolve);
    expect(await lookupOf(lookup, 'hooks.example.com', { all: true })).toEqual({
      address: [
        { address: PUBLIC_IP, family: 4 },
        { address: '2606:4700:4700::1111', family: 6 },
      ],
      family: undefined,
    });
    expect(await lookupOf(lookup, 'hooks.example.com')).toEqual({ address: PUBLIC_IP, family: 4 });
    expect(await lookupOf(lookup, 'hooks.example.com', { family: 6 })).toEqual({
      address: '2606:4700:4700::1111',
      family: 6,
    });
    expect(dns.questions).toEqual(['hooks.example.com', 'hooks.example.com', 'hooks.example.com']);
  });

  it('refuses the whole answer when one address is private', async () => {
    const dns = new TestDns();
    dns.answer('mixed.example.com', [PUBLIC_IP, '10.0.0.7']);
    const lookup = checkedLookup('mixed.example.com', false, dns.resolve);
    const refused = lookupOf(lookup, 'mixed.example.com', { all: true });
    await expect(refused).rejects.toBeInstanceOf(DestinationRefusedError);
    await expect(refused).rejects.toMatchObject({
      code: DESTINATION_REFUSED,
      problem: expect.stringContaining('10.0.0.7'),
    });
  });

  it('refuses a name that does not resolve, and any host but its own without asking DNS', async () => {
    const dns = new TestDns();
    const lookup = checkedLookup('hooks.example.com', false, dns.resolve);
    await expect(lookupOf(lookup, 'hooks.example.com')).rejects.toMatchObject({
      problem: 'the host hooks.example.com does not resolve',
    });
    dns.questions.length = 0;
    await expect(lookupOf(lookup, 'elsewhere.example.com')).rejects.toBeInstanceOf(DestinationRefusedError);
    expect(dns.questions).toEqual([]);
  });

  it('answers private addresses when private destinations are allowed', async () => {
    const dns = new TestDns();
    dns.answer('hooks.latchkey.test', ['127.0.0.1']);
    const lookup = checkedLookup('hooks.latchkey.test', true, dns.resolve);
    expect(await lookupOf(lookup, 'hooks.latchkey.test')).toEqual({ address: '127.0.0.1', family: 4 });
  });
});
