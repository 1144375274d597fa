/**
 * `latchkey webhooks`, `events` and `stats`, run as the built binary against a real, listening Latchkey that
 * delivers to a real receiver on loopback: output, --json, exit codes, secrets printed only where they are new, and
 * no API key ever printed.
 */

import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '@latchkey/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxWorker } from '../delivery/outbox-worker.js';
import { deliveryChannels } from '../runtime.js';
import { type Json, runCli } from '../test-support/cli-process.js';
import { startTestServer, type TestServer, uniqueEmail } from '../test-support/test-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../test-support/webhook-receiver.js';

let server: TestServer;
let receiver: WebhookReceiver;
let worker: OutboxWorker;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startTestServer('sqlite', { env: { LATCHKEY_WEBHOOK_ALLOW_PRIVATE: 'true' } });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  env = {
    LATCHKEY_URL: `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`,
    LATCHKEY_API_KEY: server.apiKey,
  };
  receiver = await startWebhookReceiver();
  worker = new OutboxWorker(server.ctx, deliveryChannels(server.ctx));
});

afterAll(async () => {
  await receiver?.close();
  await server?.close();
});

/** Runs the CLI against the test server; every output is checked for leaked keys and for `hidden` secrets. */
async function cli(args: string[], hidden: string[] = []) {
  const result = await runCli(args, env);
  for (const secret of [server.apiKey, server.adminKey, ...hidden]) {
    expect(result.stdout).not.toContain(secret);
    expect(result.stderr).not.toContain(secret);
  }
  return result;
}

const json = (stdout: string) => JSON.parse(stdout) as Json;

// Each run of the CLI starts a Node process (a second or more on a busy machine), and some tests run a dozen.
const slow = { timeout: 120_000 };

describe('webhooks', slow, () => {
  it('creates an endpoint and prints its secret once, which verifies a real delivery', async () => {
    const created = await cli([
      'webhooks',
      'create',
      '--endpoint-url',
      `${receiver.url}/cli`,
      '--events',
      'magic_link.created, user.created',
      '--description',
      'from the CLI',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const [first, second] = created.stdout.trim().split('\n');
    const id = first!.match(/^Created (whe_[0-9a-z]{26}) \(http:\/\/127\.0\.0\.1:\d+\/cli\)\.$/)?.[1];
    expect(id).toBeDefined();
    const secret = second!.match(/^Secret \(shown once, keep it safe\): (whsec_[A-Za-z0-9+/]+=*)$/)?.[1];
    expect(secret).toBeDefined();

    // Every other command shows the endpoint without its secret.
    const got = await cli(['webhooks', 'get', id!], [secret!]);
    expect(got.stdout).toMatch(/^event_types: +\["magic_link\.created","user\.created"\]$/m);
    expect(got.stdout).toMatch(/^description: +from the CLI$/m);
    const read = json((await cli(['webhooks', 'get', id!, '--json'], [secret!])).stdout);
    expect(read).toMatchObject({ id, status: 'enabled', url: `${receiver.url}/cli` });
    expect(read).not.toHaveProperty('secret');
    const table = await cli(['webhooks', 'list'], [secret!]);
    expect(table.stdout.split('\n')[0]).toMatch(
      /^ID\s+URL\s+STATUS\s+EVENT_TYPES\s+FAILING_SINCE\s+DESCRIPTION$/,
    );
    expect(table.stdout).toContain(id);
    const listed = json((await cli(['webhooks', 'list', '--json'], [secret!])).stdout);
    expect(listed.data.map((e: Json) => e.id)).toContain(id);

    // The secret as printed verifies what the server sends.
    receiver.received.length = 0;
    await server.api('POST', '/v1/users', { email: uniqueEmail() });
    while ((await worker.runOnce()) > 0) {}
    const delivery = receiver.received.find((r) => r.path === '/cli')!;
    expect(verifyWebhook(delivery.body, delivery.headers as Record<string, string>, secret!)).toMatchObject({
      type: 'user.created',
    });

    // Rotation prints the new secret once, and only the new one.
    const rotated = await cli(['webhooks', 'rotate-secret', id!], [secret!]);
    expect(rotated.code, rotated.stderr).toBe(0);
    const next = rotated.stdout.match(/Secret \(shown once, keep it safe\): (whsec_\S+)/)?.[1];
    expect(next).toBeDefined();
    expect(next).not.toBe(secret);
    const again = json((await cli(['webhooks', 'rotate-secret', id!, '--json'], [secret!, next!])).stdout);
    expect(again.secret).toMatch(/^whsec_/);
    expect(again.previous_secret_expires_at).not.toBeNull();
    expect(
      json((await cli(['webhooks', 'get', id!, '--json'], [secret!, next!, again.secret])).stdout)
        .secret_hint,
    ).toBe(`${again.secret.slice(0, 10)}…`);

    // The delivery log, and a redelivery with the same webhook-id.
    const eventId = delivery.headers['webhook-id'] as string;
    const attempts = json((await cli(['webhooks', 'attempts', id!, '--json'])).stdout);
    expect(attempts.data).toEqual([
      expect.objectContaining({ event_id: eventId, ok: true, status_code: 200, attempt: 1 }),
    ]);
    const log = await cli(['webhooks', 'attempts', id!, '--event', eventId]);
    expect(log.stdout.split('\n')[0]).toMatch(
      /^CREATED_AT\s+EVENT_ID\s+ATTEMPT\s+OK\s+STATUS_CODE\s+LATENCY_MS\s+ERROR$/,
    );
    expect(log.stdout.trim().split('\n')).toHaveLength(2);
    const redelivered = await cli(['webhooks', 'redeliver', id!, '--event', eventId]);
    expect(redelivered.stdout).toBe(`Queued ${eventId} for ${id} again.\n`);
    receiver.received.length = 0;
    while ((await worker.runOnce()) > 0) {}
    expect(receiver.received.map((r) => r.headers['webhook-id'])).toEqual([eventId]);

    const deleted = await cli(['webhooks', 'delete', id!]);
    expect(deleted.stdout).toBe(`Deleted ${id}.\n`);
    const gone = await cli(['webhooks', 'get', id!]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^latchkey: not_found: /);
  });

  it('creates with --json, updates, disables and enables again', async () => {
    const created = json(
      (await cli(['webhooks', 'create', '--endpoint-url', `${receiver.url}/json`, '--json'])).stdout,
    );
    expect(created).toMatchObject({ event_types: ['*'], status: 'enabled', description: '' });
    expect(created.secret).toMatch(/^whsec_/);

    const updated = json(
      (
        await cli(
          [
            'webhooks',
            'update',
            created.id,
            '--events',
            'magic_link.redeemed',
            '--description',
            'redeemed only',
            '--disable',
            '--json',
          ],
          [created.secret],
        )
      ).stdout,
    );
    expect(updated).toMatchObject({
      event_types: ['magic_link.redeemed'],
      description: 'redeemed only',
      status: 'disabled',
    });
    expect(updated).not.toHaveProperty('secret');
    const enabled = await cli(['webhooks', 'update', created.id, '--enable'], [created.secret]);
    expect(enabled.stdout).toMatch(/^status: +enabled$/m);
    const moved = json(
      (await cli(['webhooks', 'update', created.id, '--endpoint-url', `${receiver.url}/moved`, '--json']))
        .stdout,
    );
    expect(moved.url).toBe(`${receiver.url}/moved`);
    await cli(['webhooks', 'delete', created.id, '--json']);
  });

  it.each([
    ['no --endpoint-url', ['webhooks', 'create', '--events', 'user.created'], /--endpoint-url/],
    [
      'empty --events',
      ['webhooks', 'create', '--endpoint-url', 'https://x.example.com', '--events', ' , '],
      /--events needs/,
    ],
    ['nothing to change', ['webhooks', 'update', 'whe_01m80c9f60kfkkz6dda4arwc44'], /Say what to change/],
    [
      '--enable with --disable',
      ['webhooks', 'update', 'whe_01m80c9f60kfkkz6dda4arwc44', '--enable', '--disable'],
      /cannot be used with/,
    ],
    ['redeliver without --event', ['webhooks', 'redeliver', 'whe_01m80c9f60kfkkz6dda4arwc44'], /--event/],
  ])('exits 2 for a usage problem: %s', async (_name, args, message) => {
    const res = await cli(args);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(res.stdout).toBe('');
  });

  it('prints the server’s refusal with its code and param and exits 1, creating nothing', async () => {
    const before = json((await cli(['webhooks', 'list', '--json'])).stdout).data.length;
    const badType = await cli([
      'webhooks',
      'create',
      '--endpoint-url',
      `${receiver.url}/x`,
      '--events',
      'user.nope',
    ]);
    expect(badType.code).toBe(1);
    expect(badType.stderr).toMatch(/^latchkey: validation_failed/);
    const badUrl = await cli(['webhooks', 'create', '--endpoint-url', 'ftp://example.com/hook']);
    expect(badUrl.code).toBe(1);
    expect(badUrl.stderr).toMatch(/^latchkey: validation_failed \(url\): /);
    expect(badUrl.stdout).toBe('');
    expect(json((await cli(['webhooks', 'list', '--json'])).stdout).data.length).toBe(before);
  });

  it('shows examples in --help', async () => {
    const help = await cli(['webhooks', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('latchkey webhooks create --endpoint-url');
    expect(help.stdout).toContain('rotate-secret');
    expect((await cli(['--help'])).stdout).toMatch(/^ +webhooks +Webhook endpoints/m);
  });
});

describe('events and stats', slow, () => {
  it('lists and reads events', async () => {
    const since = new Date(server.ctx.clock()).toISOString();
    const user = json((await cli(['users', 'create', '--email', uniqueEmail(), '--json'])).stdout);
    const listed = json(
      (await cli(['events', 'list', '--type', 'user.created', '--since', since, '--json'])).stdout,
    );
    expect(listed.data).toEqual([
      expect.objectContaining({ type: 'user.created', data: expect.objectContaining({ user_id: user.id }) }),
    ]);
    const table = await cli(['events', 'list', '--type', 'user.created', '--since', since]);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+CREATED_AT\s+TYPE\s+SUBJECT_ID\s+DATA$/);
    expect(table.stdout).toContain(`"user_id":"${user.id}"`);
    const one = json((await cli(['events', 'get', listed.data[0].id, '--json'])).stdout);
    expect(one).toEqual(listed.data[0]);
    const bad = await cli(['events', 'list', '--since', 'yesterday']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^latchkey: validation_failed/);
  });

  it('prints the link funnel', async () => {
    await cli(['links', 'create', '--email', uniqueEmail()]);
    const stats = json((await cli(['stats', '--type', 'login', '--json'])).stdout);
    expect(stats).toMatchObject({
      type: 'login',
      funnel: expect.objectContaining({ created: expect.any(Number) }),
    });
    expect(stats.funnel.created).toBeGreaterThan(0);
    const text = await cli(['stats']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^created: +\d+$/m);
    expect(text.stdout).toMatch(/^sent_to_redeemed: +(-|\d+\.\d%)$/m);
    const wrongType = await cli(['stats', '--type', 'nope']);
    expect(wrongType.code).toBe(2);
    const backwards = await cli(['stats', '--from', '2026-02-01', '--to', '2026-01-01']);
    expect(backwards.code).toBe(1);
    expect(backwards.stderr).toMatch(/^latchkey: validation_failed \(--from\): /);
  });
});
