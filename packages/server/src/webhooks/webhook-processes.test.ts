/**
 * Webhook delivery across real server processes (the built CLI): a server killed with SIGKILL while its deliveries
 * are in flight loses none of them once restarted. Each event arrives (at least once) with its own webhook-id.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../storage/database.js';
import { callApi, runCli, type ServerProcess, startServerProcess } from '../test-support/cli-process.js';
import { createTestDatabase, DIALECTS } from '../test-support/databases.js';
import { eventually } from '../test-support/eventually.js';
import { startWebhookReceiver } from '../test-support/webhook-receiver.js';

function killHard(node: ServerProcess): Promise<void> {
  return new Promise((resolve) => {
    if (node.child.exitCode !== null || node.child.signalCode !== null) return resolve();
    node.child.once('exit', () => resolve());
    node.child.kill('SIGKILL');
  });
}

describe.each(DIALECTS)('a server killed with SIGKILL mid-delivery on %s', (dialect) => {
  it('delivers every webhook after a restart (duplicates allowed, losses not)', async () => {
    const stops: Array<() => Promise<unknown>> = [];
    try {
      const db = await createTestDatabase(dialect);
      stops.push(() => db.drop());
      const handle = openDatabase(db.target);
      stops.push(() => handle.close());
      const receiver = await startWebhookReceiver();
      stops.push(() => receiver.close());
      const env: Record<string, string> = {
        ...(dialect === 'postgres'
          ? { DATABASE_URL: db.url, LATCHKEY_MASTER_KEY: randomBytes(32).toString('base64') }
          : { LATCHKEY_DATA_DIR: db.dataDir }),
        LATCHKEY_WEBHOOK_ALLOW_PRIVATE: 'true',
        LATCHKEY_DELIVERY_LEASE_SECONDS: '1',
      };
      const init = await runCli(['init', '--json'], env);
      expect(init.code, init.stderr).toBe(0);
      const keys = JSON.parse(init.stdout) as { api_key: string };

      // Until the kill, the receiver reads every delivery and never answers: all of them are in flight.
      let answering = false;
      const acknowledged = new Set<string>();
      receiver.respond = (request) => {
        if (!answering) return 'hang';
        acknowledged.add(String(request.headers['webhook-id']));
        return { status: 200 };
      };

      const first = await startServerProcess(env);
      stops.push(() => killHard(first));
      const endpoint = await callApi(first.url, keys.api_key, 'POST', '/v1/webhook-endpoints', {
        url: `${receiver.url}/hook`,
        event_types: ['user.created'],
      });
      expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
      const tag = randomBytes(4).toString('hex');
      for (let i = 0; i < 8; i++) {
        const res = await callApi(first.url, keys.api_key, 'POST', '/v1/users', {
          email: `k${i}-${tag}@example.com`,
        });
        expect(res.status).toBe(201);
      }
      const events = await handle.db
        .selectFrom('events')
        .select('id')
        .where('type', '=', 'user.created')
        .execute();
      const eventIds = new Set(events.map((e) => e.id));
      expect(eventIds.size).toBe(8);
      await eventually(
        'every delivery to be in flight',
        async () =>
          new Set(receiver.received.map((r) => r.headers['webhook-id'])).size === 8 ? true : undefined,
        20_000,
      );

      await killHard(first);
      expect(first.child.signalCode).toBe('SIGKILL');
      answering = true;
      const restarted = await startServerProcess(env);
      stops.push(() => killHard(restarted));

      await eventually(
        'every event to be acknowledged',
        async () => ([...eventIds].every((id) => acknowledged.has(id)) ? true : undefined),
        30_000,
      );
      await eventually(
        'every message to be recorded as sent',
        async () => {
          const rows = await handle.db
            .selectFrom('outbox')
            .select('status')
            .where('channel', '=', 'webhook')
            .execute();
          return rows.length === 8 && rows.every((r) => r.status === 'sent') ? true : undefined;
        },
        15_000,
      );
      // The same id on the first (cut off) and the later attempt of each event, and every body verifies as JSON.
      for (const request of receiver.received) {
        expect(eventIds.has(String(request.headers['webhook-id']))).toBe(true);
        expect(JSON.parse(request.body).type).toBe('user.created');
      }
      const log = await callApi(
        restarted.url,
        keys.api_key,
        'GET',
        `/v1/webhook-endpoints/${endpoint.body.id}/attempts?limit=100`,
      );
      const okEvents = new Set(
        (log.body.data as Array<{ ok: boolean; event_id: string }>)
          .filter((a) => a.ok)
          .map((a) => a.event_id),
      );
      expect(okEvents).toEqual(eventIds);
    } finally {
      while (stops.length > 0)
        await stops
          .pop()?.()
          .catch(() => {});
    }
  }, 60_000);
});
