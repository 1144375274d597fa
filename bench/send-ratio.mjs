#!/usr/bin/env node
// Create with `send: true` against create without it, on one `latchkey start` on SQLite (a temp dir), flat out with
// autocannon at 10 connections, the two alternated in rounds (the order reversed every other round) and the outbox
// left to drain before each run. What `npm run bench` reports as "create with send at N % of create without it",
// in a minute instead of twenty.
// Usage: node bench/send-ratio.mjs [--seconds S] [--rounds N] [--queue-only] [--build DIR] [--postgres]
//   --queue-only: LATCHKEY_DELIVERY_WORKER=false, so nobody sends and the ratio is what queueing costs the request.
//   --build DIR: another checkout's root, to compare two builds back to back.
//   --postgres: on a new schema of LATCHKEY_BENCH_DATABASE_URL (else the local test database) instead of SQLite.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import {
  BENCH_POSTGRES_URL,
  configureForLoad,
  createSchema,
  dropSchema,
  initLatchkey,
  option,
  REDIRECT,
  root,
  sleep,
  startLatchkey,
  stop,
} from './servers.mjs';

const args = process.argv.slice(2);
const seconds = Number(option('--seconds', 5));
const rounds = Number(option('--rounds', 2));
const queueOnly = args.includes('--queue-only');
const build = option('--build', root);

const postgresUrl = args.includes('--postgres') ? BENCH_POSTGRES_URL : null;
const postgres = postgresUrl ? await createSchema(postgresUrl, 'lk_send_ratio') : null;
const masterKey = postgres ? randomBytes(32).toString('base64') : undefined;
const dir = mkdtempSync(join(tmpdir(), 'latchkey-send-ratio-'));
const database = postgres ? { url: postgres.url } : { dir };
const keys = initLatchkey(database, masterKey);
const { url, child } = await startLatchkey(database, {
  masterKey,
  env: queueOnly ? { LATCHKEY_DELIVERY_WORKER: 'false' } : {},
  cli: join(build, 'packages/server/bin/latchkey.js'),
});
try {
  await configureForLoad(url, keys);
  const headers = { authorization: `Bearer ${keys.api_key}`, 'content-type': 'application/json' };
  const waiting = async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    return [...text.matchAll(/^latchkey_outbox_messages\{status="(?:pending|sending)"\} (\d+)/gm)].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
  };
  const drained = async () => {
    if (queueOnly) return;
    while ((await waiting()) > 0) await sleep(100);
  };
  const run = (send, duration) =>
    new Promise((resolve, reject) =>
      autocannon(
        {
          url: `${url}/v1/magic-links`,
          method: 'POST',
          headers,
          connections: 10,
          duration,
          body: JSON.stringify({
            email: 'ada@example.com',
            redirect_url: REDIRECT,
            ...(send ? { send: true } : {}),
          }),
        },
        (error, result) => (error ? reject(error) : resolve(result)),
      ),
    );
  // Warm-up of both, not counted.
  for (const send of [false, true]) {
    await drained();
    await run(send, 1);
  }
  const rates = { without: [], with: [] };
  for (let round = 0; round < rounds; round++) {
    for (const send of round % 2 ? [true, false] : [false, true]) {
      await drained();
      const result = await run(send, seconds);
      const backlog = send ? await waiting() : 0;
      rates[send ? 'with' : 'without'].push(result.requests.average);
      process.stderr.write(
        `round ${round + 1}: create ${send ? 'with' : 'without'} send ${Math.round(result.requests.average)} req/s, ` +
          `p99 ${result.latency.p99} ms, ${result.non2xx} failed${send ? `, ${backlog} messages waiting at the end` : ''}\n`,
      );
    }
  }
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  process.stdout.write(
    `create with send at ${Math.round((100 * sum(rates.with)) / sum(rates.without))} % of create without it` +
      `${queueOnly ? ' (worker off)' : ''}\n`,
  );
} finally {
  await stop(child);
  rmSync(dir, { recursive: true, force: true });
  if (postgres) await dropSchema(postgresUrl, postgres.schema);
}
