/**
 * Server-side request forgery: with LATCHKEY_WEBHOOK_ALLOW_PRIVATE off (the default), no endpoint may reach
 * loopback, private, link-local or metadata addresses, however the address is written, and whether the URL names it
 * directly or through a DNS name, at creation or at send time.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fetch } from '../delivery/message.js';
import { OutboxWorker } from '../delivery/outbox-worker.js';
import { deliveryChannels } from '../runtime.js';
import { startTestServer, type TestServer, uniqueEmail } from '../test-support/test-server.js';
import { isPrivateAddress, parseWebhookUrl } from './url-policy.js';

const PUBLIC_IP = '93.184.215.14';

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    'fe80::1',
    'fe80::1%eth0',
    'fc00::1',
    'fd00:ec2::254',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '::ffff:a9fe:a9fe',
    '::127.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '2002:7f00:1::',
    '0:0:0:0:0:ffff:10.0.0.1',
    'not an address',
  ])('refuses %s', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each([PUBLIC_IP, '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2002:808:808::'])(
    'allows %s',
    (address) => {
      expect(isPrivateAddress(address)).toBe(false);
    },
  );
});

describe('endpoint URLs with private destinations refused', () => {
  let server: TestServer;
  const dns = new Map<string, string[]>();

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    server.ctx.resolveHost = async (host) => {
      const found = dns.get(host);
      if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return found;
    };
    dns.set('hooks.example.com', [PUBLIC_IP]);
    dns.set('internal.example.com', ['10.0.0.7']);
    dns.set('metadata.example.com', ['169.254.169.254']);
    dns.set('mixed.example.com', [PUBLIC_IP, '127.0.0.1']);
    dns.set('v6-loopback.example.com', ['::1']);
    dns.set('mapped.example.com', ['::ffff:192.168.0.1']);
  });
  afterAll(() => server.close());

  const create = (url: string) => server.api('POST', '/v1/webhook-endpoints', { url });

  it.each([
    'http://127.0.0.1/hook',
    'http://127.1/hook',
    'http://2130706433/hook',
    'http://0x7f000001/hook',
    'http://0177.0.0.1/hook',
    'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[0:0:0:0:0:ffff:7f00:1]/hook',
    'http://10.0.0.1/hook',
    'http://192.168.0.10:8080/hook',
    'http://172.20.1.1/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/latest/meta-data/',
    'http://[fe80::1]/hook',
    'http://100.100.100.200/hook',
    'http://0.0.0.0/hook',
    'https://internal.example.com/hook',
    'https://metadata.example.com/hook',
    'https://mixed.example.com/hook',
    'https://v6-loopback.example.com/hook',
    'https://mapped.example.com/hook',
    'https://does-not-resolve.example.com/hook',
  ])('refuses %s', async (url) => {
    const res = await create(url);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', param: 'url' });
  });

  it('refuses localhost through real DNS', async () => {
    const saved = server.ctx.resolveHost;
    delete server.ctx.resolveHost;
    try {
      const res = await create('http://localhost:8080/hook');
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.message).toMatch(/loopback|private/);
    } finally {
      server.ctx.resolveHost = saved!;
    }
  });

  it.each([
    'ftp://hooks.example.com/x',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'https://user:pass@hooks.example.com/hook',
    'https://token@hooks.example.com/hook',
    'hooks.example.com/hook',
    '',
  ])('refuses the form of %j', async (url) => {
    const res = await create(url);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.code).toBe('validation_failed');
  });

  it('stores nothing for a refused URL, and refuses a PATCH to one', async () => {
    await create('http://127.0.0.1/hook');
    expect((await server.api('GET', '/v1/webhook-endpoints')).json().data).toHaveLength(0);
    const ok = await create('https://hooks.example.com/hook');
    expect(ok.statusCode, ok.body).toBe(201);
    const { id } = ok.json() as { id: string };
    const patched = await server.api('PATCH', `/v1/webhook-endpoints/${id}`, {
      url: 'http://169.254.169.254/',
      description: 'changed',
    });
    expect(patched.statusCode).toBe(400);
    const after = (await server.api('GET', `/v1/webhook-endpoints/${id}`)).json();
    expect(after).toMatchObject({ url: 'https://hooks.example.com/hook', description: '' });
    await server.api('DELETE', `/v1/webhook-endpoints/${id}`);
  });

  it('checks DNS again at send time: a name that turned private is not called', async () => {
    const created = await create('https://rebind.example.com/hook');
    expect(created.statusCode).toBe(400);
    dns.set('rebind.example.com', [PUBLIC_IP]);
    const ok = await create('https://rebind.example.com/hook');
    expect(ok.statusCode, ok.body).toBe(201);
    const { id } = ok.json() as { id: string };
    dns.set('rebind.example.com', ['127.0.0.1']);
    const calls: string[] = [];
    const saved = server.ctx.fetch;
    server.ctx.fetch = (async (input: Parameters<Fetch>[0]) => {
      calls.push(String(input));
      return new Response('should not be called', { status: 200 });
    }) as Fetch;
    try {
      await server.api('POST', '/v1/users', { email: uniqueEmail() });
      const worker = new OutboxWorker(server.ctx, deliveryChannels(server.ctx));
      expect(await worker.runOnce()).toBe(1);
    } finally {
      server.ctx.fetch = saved;
    }
    expect(calls).toEqual([]);
    const attempts = (await server.api('GET', `/v1/webhook-endpoints/${id}/attempts`)).json().data;
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ ok: false, status_code: null });
    expect(attempts[0].error).toMatch(/^Refused: .*127\.0\.0\.1/);
  });
});

describe('parseWebhookUrl', () => {
  it('keeps a plain https URL', () => {
    expect(parseWebhookUrl('https://hooks.example.com/a?b=c').href).toBe('https://hooks.example.com/a?b=c');
  });
});
