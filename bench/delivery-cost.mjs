// What a link costs in CPU time, created with and without `send: true`, the sending included: a server and its
// outbox worker run in this process (embedded SQLite in a temporary directory, the log transport), ten concurrent
// callers go through Fastify's inject() (no sockets), and the clock stops only when the outbox is empty. CPU time
// of this process per link, the lowest of three rounds, is steadier than throughput on a machine shared with other
// work. Usage: npm run bench:delivery [-- links-per-round]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dist = new URL('../packages/server/dist/', import.meta.url);
const { loadConfig } = await import(new URL('config/config.js', dist).href);
const { openRuntime, bootstrap, startDelivery } = await import(new URL('runtime.js', dist).href);
const { buildServer } = await import(new URL('http/server.js', dist).href);
const { createLogger } = await import(new URL('http/logger.js', dist).href);

const links = Number(process.argv[2] ?? 1500);
const dir = mkdtempSync(join(tmpdir(), 'latchkey-delivery-cost-'));
const config = loadConfig({
  LATCHKEY_DATA_DIR: dir,
  LATCHKEY_PUBLIC_URL: 'https://auth.example.com',
  LATCHKEY_MASTER_KEY: randomBytes(32).toString('base64'),
});
const runtime = await openRuntime(config, { logger: createLogger('silent'), print: () => {} });
const { appId, apiKey } = await bootstrap(runtime.ctx);
const app = await buildServer(runtime.ctx, runtime.handle.db);
const call = (method, url, body) =>
  app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${apiKey.secret}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
await call('PATCH', `/v1/apps/${appId}`, {
  allowed_redirects: ['https://app.example.com'],
  default_redirect_url: 'https://app.example.com/callback',
  rate_limits: { api_requests_per_key: { limit: 0 } },
});
const stopDelivery = startDelivery(runtime.ctx);

async function drained() {
  for (;;) {
    const { pending, sending } = await runtime.ctx.store.outboxDepth();
    if (pending + sending === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** CPU microseconds per link for one round of `links` creations by ten concurrent callers, sending included. */
async function round(body) {
  const before = process.cpuUsage();
  let next = 0;
  const caller = async () => {
    while (next++ < links) {
      const res = await call('POST', '/v1/magic-links', body);
      if (res.statusCode !== 201) throw new Error(`${res.statusCode} ${res.body}`);
    }
  };
  await Promise.all(Array.from({ length: 10 }, caller));
  await drained();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / links;
}

const rounds = { create: [], send: [] };
for (let i = 0; i < 3; i++) {
  rounds.create.push(await round({ email: 'bench@example.com' }));
  rounds.send.push(await round({ email: 'bench@example.com', send: true }));
}
const best = (values) => Math.round(Math.min(...values));
console.log(`CPU time per link, best of 3 rounds of ${links}:`);
console.log(`  create                            ${best(rounds.create)} µs`);
console.log(`  create with send (and the sending) ${best(rounds.send)} µs`);
await stopDelivery();
await app.close();
await runtime.close();
rmSync(dir, { recursive: true, force: true });
