/**
 * Delivery across real server processes (the built CLI): a server killed with SIGKILL while its messages are in
 * flight loses none of them once restarted, and two servers on one PostgreSQL send each message once.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { createLink } from '../links/link-service.js';
import { openRuntime } from '../runtime.js';
import { type DatabaseHandle, openDatabase } from '../storage/database.js';
import {
  callApi,
  type Json,
  runCli,
  type ServerProcess,
  startServerProcess,
} from '../test-support/cli-process.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../test-support/databases.js';
import { eventually } from '../test-support/eventually.js';
import { type SmtpSink, startSmtpSink } from '../test-support/smtp-sink.js';

interface Keys {
  app_id: string;
  api_key: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function killHard(node: ServerProcess): Promise<void> {
  return new Promise((resolve) => {
    if (node.child.exitCode !== null || node.child.signalCode !== null) return resolve();
    node.child.once('exit', () => resolve());
    node.child.kill('SIGKILL');
  });
}

/** Everything a test started, stopped in reverse order whatever happened. */
class Resources {
  readonly #stops: Array<() => Promise<unknown>> = [];

  add(stop: () => Promise<unknown>): void {
    this.#stops.push(stop);
  }

  async release(): Promise<void> {
    while (this.#stops.length > 0) {
      try {
        await this.#stops.pop()?.();
      } catch {
        // Keep releasing the rest.
      }
    }
  }
}

async function database(resources: Resources, dialect: 'sqlite' | 'postgres') {
  const db: TestDatabase = await createTestDatabase(dialect);
  resources.add(() => db.drop());
  const env: Record<string, string> =
    dialect === 'postgres'
      ? { DATABASE_URL: db.url, LATCHKEY_MASTER_KEY: randomBytes(32).toString('base64') }
      : { LATCHKEY_DATA_DIR: db.dataDir };
  const handle: DatabaseHandle = openDatabase(db.target);
  return { db, env, handle };
}

async function sink(
  resources: Resources,
  options: Parameters<typeof startSmtpSink>[0] = {},
): Promise<SmtpSink> {
  const started = await startSmtpSink(options);
  resources.add(() => started.close());
  return started;
}

async function node(resources: Resources, env: Record<string, string>): Promise<ServerProcess> {
  const started = await startServerProcess(env);
  resources.add(() => killHard(started));
  return started;
}

/** `latchkey init` on the database, and the app allowed to redirect where the links go. */
async function init(env: Record<string, string>): Promise<Keys> {
  const result = await runCli(['init', '--json'], env);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Keys;
}

async function allowRedirects(base: string, keys: Keys): Promise<void> {
  const patched = await callApi(base, keys.api_key, 'PATCH', `/v1/apps/${keys.app_id}`, {
    allowed_redirects: ['https://app.example.com'],
    default_redirect_url: 'https://app.example.com/callback',
  });
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
}

/** Queues links with `send: true` through the link service, in this process, with no outbox worker running. */
async function queueWithoutWorker(
  env: Record<string, string>,
  keys: Keys,
  emails: string[],
): Promise<Json[]> {
  const runtime = await openRuntime(loadConfig({ ...env, LATCHKEY_LOG_LEVEL: 'silent' }));
  try {
    const links: Json[] = [];
    for (const email of emails) {
      const created = await createLink(runtime.ctx, keys.app_id, {
        email,
        send: true,
        // The default app may redirect to a local development server from the start.
        redirect_url: 'http://localhost:3000/callback',
      });
      links.push({ id: created.link.id, identifier: created.link.identifier, url: created.url });
    }
    return links;
  } finally {
    await runtime.close();
  }
}

async function createSent(base: string, keys: Keys, email: string): Promise<Json> {
  const created = await callApi(base, keys.api_key, 'POST', '/v1/magic-links', { email, send: true });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.magic_link as Json;
}

describe.each(DIALECTS)('a server killed with SIGKILL mid-send on %s', (dialect) => {
  it('delivers every message after a restart (duplicates allowed, losses not)', async () => {
    const resources = new Resources();
    try {
      const { env: dbEnv, handle } = await database(resources, dialect);
      resources.add(() => handle.close());
      const holding = await sink(resources, { hold: true });
      const env = {
        ...dbEnv,
        LATCHKEY_SMTP_URL: holding.url,
        LATCHKEY_DELIVERY_LEASE_SECONDS: '1',
        LATCHKEY_DELIVERY_RETRY_SECONDS: '0.05',
      };
      const keys = await init(env);
      const tag = randomBytes(4).toString('hex');
      const recipients = Array.from({ length: 12 }, (_, i) => `kill${i}-${tag}@example.com`);

      // Ten messages queued before the server starts, the way the API queues them, so that its worker claims them
      // all in one batch and every one of them is in flight at the SMTP server when the process dies.
      const links = await queueWithoutWorker(env, keys, recipients.slice(0, 10));
      const first = await node(resources, env);
      await eventually(
        'all ten messages to be in flight',
        async () => {
          const rows = await handle.db.selectFrom('outbox').select('status').execute();
          return rows.length === 10 &&
            rows.every((row) => row.status === 'sending') &&
            holding.stats.dataStarted > 0
            ? true
            : undefined;
        },
        20_000,
      );
      // Two more through the running server's API: queued behind the messages in flight.
      await allowRedirects(first.url, keys);
      for (const email of recipients.slice(10)) links.push(await createSent(first.url, keys, email));
      expect(holding.messages).toHaveLength(0);

      await killHard(first);
      expect(first.child.signalCode).toBe('SIGKILL');
      await holding.close();
      const receiving = await sink(resources, { port: holding.port });
      const restarted = await node(resources, env);

      await eventually(
        'every recipient to receive its message',
        async () => {
          const arrived = new Set(receiving.messages.flatMap((mail) => mail.to));
          return recipients.every((r) => arrived.has(r)) ? true : undefined;
        },
        30_000,
      );
      const arrived = new Set(receiving.messages.flatMap((mail) => mail.to));
      for (const recipient of recipients) expect(arrived.has(recipient), recipient).toBe(true);
      for (const link of links) {
        const mail = receiving.messages.find((m) => m.to.includes(link.identifier));
        expect(mail?.text).toContain(link.url);
      }

      await eventually(
        'every message to be recorded as sent',
        async () => {
          const rows = await handle.db.selectFrom('outbox').select('status').execute();
          return rows.every((row) => row.status === 'sent') ? true : undefined;
        },
        15_000,
      );
      const read = await callApi(restarted.url, keys.api_key, 'GET', `/v1/magic-links/${links[0]!.id}`);
      expect(read.body.status).toBe('delivered');
    } finally {
      await resources.release();
    }
  }, 60_000);
});

describe('two server processes on one PostgreSQL', () => {
  it('send each queued message exactly once', async () => {
    const resources = new Resources();
    try {
      const { env: dbEnv, handle } = await database(resources, 'postgres');
      resources.add(() => handle.close());
      const smtp = await sink(resources);
      const env = { ...dbEnv, LATCHKEY_SMTP_URL: smtp.url };
      const keys = await init(env);
      const nodes = await Promise.all([node(resources, env), node(resources, env)]);
      await allowRedirects(nodes[0].url, keys);

      const tag = randomBytes(4).toString('hex');
      const recipients = Array.from({ length: 40 }, (_, i) => `pair${i}-${tag}@example.com`);
      await Promise.all(recipients.map((email, i) => createSent(nodes[i % 2]!.url, keys, email)));

      await smtp.waitFor(40, 30_000);
      await eventually(
        'every message to be recorded as sent',
        async () => {
          const rows = await handle.db.selectFrom('outbox').select('status').execute();
          return rows.length === 40 && rows.every((row) => row.status === 'sent') ? true : undefined;
        },
        15_000,
      );
      await sleep(1000);

      expect(smtp.messages).toHaveLength(40);
      expect(new Set(smtp.messages.flatMap((mail) => mail.to))).toEqual(new Set(recipients));
      expect(new Set(smtp.messages.map((mail) => mail.latchkeyId)).size).toBe(40);
      const rows = await handle.db.selectFrom('outbox').select('attempts').execute();
      expect(rows.every((row) => Number(row.attempts) === 1)).toBe(true);
    } finally {
      await resources.release();
    }
  }, 60_000);
});
