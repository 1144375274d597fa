/**
 * The connection of a webhook delivery goes only to addresses its own lookup resolved and checked: the lookup on its
 * own, and through the global fetch on real sockets on 127.0.0.1.
 */
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { describe, expect, it } from 'vitest';
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
    const dispatcher = pinnedDispatcher('hooks.latchkey.test', true, dns.resolve);
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
    const dispatcher = pinnedDispatcher('rebind.example.com', false, dns.resolve);
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
