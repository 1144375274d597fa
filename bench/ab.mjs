#!/usr/bin/env node
// Two builds of Latchkey side by side: this checkout's and another's (`--build DIR`, the root of a checkout whose
// packages are built), each started once, loaded in turn with the same scenarios, the order reversed every other
// round, so that a change's before and after are read on one machine in one sitting. What `npm run bench` reports
// for one build, for two, in a few minutes.
//
// Usage: node bench/ab.mjs --build DIR [--seconds S] [--rounds N] [--postgres]
// Scenarios: create a link for an existing user, and hosted redeem (POST /l/{token}) of links made just before
// (not timed), each once, at 10 connections. Every rate limit off, as in the bench. --postgres: each build on a
// new schema of LATCHKEY_BENCH_DATABASE_URL (else the local test database) instead of SQLite.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import {
  BENCH_POSTGRES_URL,
  configureForLoad,
  createSchema,
  dropSchema,
  initLatchkey,
  median,
  option,
  processCpuMs,
  REDIRECT,
  root,
  startLatchkey,
  stop,
} from './servers.mjs';

const other = option('--build', null);
if (!other) {
  process.stderr.write('usage: node bench/ab.mjs --build DIR [--seconds S] [--rounds N] [--postgres]\n');
  process.exit(2);
}
const seconds = Number(option('--seconds', 5));
const rounds = Number(option('--rounds', 3));
const postgresUrl = process.argv.includes('--postgres') ? BENCH_POSTGRES_URL : null;
const log = (line) => process.stderr.write(`${line}\n`);

/** Starts one build on a database of its own; answers its URL, keys and how to stop it. */
async function start(label, dir) {
  const cli = join(dir, 'packages/server/bin/latchkey.js');
  const masterKey = randomBytes(32).toString('base64');
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-ab-'));
  const postgres = postgresUrl ? await createSchema(postgresUrl, 'lk_ab') : null;
  const database = postgres ? { url: postgres.url } : { dir: join(dataDir, 'data') };
  const keys = initLatchkey(database, masterKey, cli);
  const server = await startLatchkey(database, { masterKey, cli });
  await configureForLoad(server.url, keys);
  return {
    label,
    url: server.url,
    pid: server.child.pid,
    headers: { authorization: `Bearer ${keys.api_key}`, 'content-type': 'application/json' },
    async close() {
      await stop(server.child);
      rmSync(dataDir, { recursive: true, force: true });
      if (postgres) await dropSchema(postgresUrl, postgres.schema);
    },
  };
}

const cannon = (options) =>
  new Promise((done, fail) =>
    autocannon({ connections: 10, ...options }, (error, result) => (error ? fail(error) : done(result))),
  );

const body = JSON.stringify({ email: 'ab@example.com', redirect_url: REDIRECT });

async function creates(target, duration, collect) {
  const tokens = [];
  const result = await cannon({
    url: `${target.url}/v1/magic-links`,
    method: 'POST',
    headers: target.headers,
    body,
    duration,
    requests: [
      {
        onResponse: (status, text) => {
          if (collect && status === 201) tokens.push(new URL(JSON.parse(text).magic_link.url).pathname);
        },
      },
    ],
  });
  return { result, tokens };
}

async function redeems(target, paths) {
  let i = 0;
  const started = performance.now();
  const result = await cannon({
    url: target.url,
    amount: paths.length,
    duration: seconds * 4,
    requests: [{ method: 'POST', setupRequest: (request) => ({ ...request, path: paths[i++] }) }],
  });
  return { result, rate: result['3xx'] / ((performance.now() - started) / 1000) };
}

const targets = [await start('this checkout', root), await start(resolve(other), resolve(other))];
const rows = [];
try {
  // Warm-up: JIT, page caches and the existing user, not counted.
  for (const target of targets) {
    const { tokens } = await creates(target, 2, true);
    await redeems(target, tokens);
  }
  for (let round = 1; round <= rounds; round++) {
    for (const target of round % 2 ? targets : [...targets].reverse()) {
      const cpuBefore = processCpuMs(target.pid);
      const created = await creates(target, seconds, false);
      rows.push({
        round,
        build: target.label,
        scenario: 'create link, existing user',
        ...figures(created.result, processCpuMs(target.pid) - cpuBefore),
      });
      // A pool of fresh links, made (not timed) for the redeem run that follows.
      const pool = await creates(target, Math.max(1, Math.round(seconds * 0.8)), true);
      const redeemCpuBefore = processCpuMs(target.pid);
      const redeemed = await redeems(target, pool.tokens);
      rows.push({
        round,
        build: target.label,
        scenario: 'hosted redeem',
        ...figures(redeemed.result, processCpuMs(target.pid) - redeemCpuBefore),
        rps: redeemed.rate,
      });
      log(
        `round ${round}, ${target.label}: ${rows.at(-2).rps.toFixed(0)} creates/s, ${redeemed.rate.toFixed(0)} redeems/s`,
      );
    }
  }
} finally {
  for (const target of targets) await target.close();
}

/** Rate, tail and the server's CPU milliseconds per answered request (steadier than the rate on shared cores). */
function figures(result, cpuMs) {
  const answered = result['2xx'] + (result['3xx'] ?? 0);
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    cpu: cpuMs / Math.max(1, answered),
    failed: result.non2xx - (result['3xx'] ?? 0),
  };
}

const out = [
  `${postgresUrl ? 'PostgreSQL' : 'SQLite'}, 10 connections, ${rounds} × ${seconds} s per scenario, the builds alternated`,
  '',
  '| round | build | scenario | req/s | p99 ms | server CPU ms per request |',
  '| ---: | --- | --- | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.round} | ${r.build} | ${r.scenario} | ${Math.round(r.rps)} | ${r.p99} | ${r.cpu.toFixed(3)} |`,
  ),
  '',
];
for (const scenario of ['create link, existing user', 'hosted redeem']) {
  const mine = (label) => rows.filter((r) => r.scenario === scenario && r.build === label);
  const mean = (label) => mine(label).reduce((sum, r) => sum + r.rps, 0) / mine(label).length;
  const cpu = (label) => median(mine(label).map((r) => r.cpu));
  const [a, b] = targets.map((t) => mean(t.label));
  const [ca, cb] = targets.map((t) => cpu(t.label));
  // The two builds of one round ran back to back, so they shared the machine's mood; the median of the rounds'
  // own ratios is the figure a noisy minute moves least.
  const [mineRows, otherRows] = targets.map((t) => mine(t.label));
  const paired = median(mineRows.map((r, i) => r.rps / otherRows[i].rps));
  out.push(
    `${scenario}: this checkout ${Math.round(a)}/s, the other ${Math.round(b)}/s (${((a / b) * 100).toFixed(0)} %; ` +
      `median of the rounds' ratios ${(paired * 100).toFixed(0)} %); ` +
      `CPU per request ${ca.toFixed(3)} against ${cb.toFixed(3)} ms (${((ca / cb) * 100).toFixed(0)} % of the other's)`,
  );
}
process.stdout.write(`${out.join('\n')}\n`);
