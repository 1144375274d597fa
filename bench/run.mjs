#!/usr/bin/env node
// The benchmark: starts the built server in its own process on 127.0.0.1 (embedded SQLite in a temp dir) and loads
// it from this process with autocannon, bounded in time. Scenarios alternate so that drift in the machine hits all
// of them alike. Usage: npm run bench [-- --quick] [-- --rounds N] [-- --seconds S]
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'packages/server/bin/latchkey.js');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
};
const seconds = option('--seconds', quick ? 1 : 10);
const rounds = option('--rounds', quick ? 1 : 3);
const connections = option('--connections', 10);

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function startServer(dataDir, extraEnv = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [cli, 'start', '--data-dir', dataDir, '--port', String(port)], {
    env: { ...process.env, LATCHKEY_PUBLIC_URL: url, LATCHKEY_LOG_LEVEL: 'warn', ...extraEnv },
    // The development transport prints each message; the benchmark does not read them.
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { url, child };
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('the server did not start');
}

function load(url, apiKey, body) {
  return autocannon({
    url: `${url}/v1/magic-links`,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

function peakRss(pid) {
  try {
    const status = execFileSync('cat', [`/proc/${pid}/status`], { encoding: 'utf8' });
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return Math.round(kb / 1024);
  } catch {
    return null;
  }
}

const scenarios = [
  {
    name: 'create link (existing user)',
    body: { email: 'bench@example.com', redirect_url: 'https://app.example.com/in' },
  },
  {
    name: 'create link with send: true',
    body: { email: 'bench@example.com', redirect_url: 'https://app.example.com/in', send: true },
  },
];

const phases = [
  { label: 'worker in the same process', env: {} },
  { label: 'queue only (LATCHKEY_DELIVERY_WORKER=false)', env: { LATCHKEY_DELIVERY_WORKER: 'false' } },
];

/** Waits until the outbox is empty, so one scenario's backlog does not slow the next. */
async function drained(url, limitMs = 120_000) {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    const text = await (await fetch(`${url}/metrics`)).text();
    const waiting = [
      ...text.matchAll(/^latchkey_outbox_messages\{status="(?:pending|sending)"\} (\d+)/gm),
    ].reduce((a, m) => a + Number(m[1]), 0);
    if (waiting === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function runPhase(phase, dataDir, keys) {
  const server = await startServer(dataDir, phase.env);
  try {
    const headers = { authorization: `Bearer ${keys.api_key}`, 'content-type': 'application/json' };
    // Warm up both paths (JIT, SQLite page cache) before measuring.
    for (const s of scenarios) {
      await autocannon({
        url: `${server.url}/v1/magic-links`,
        method: 'POST',
        connections,
        duration: 1,
        headers,
        body: JSON.stringify(s.body),
      });
    }
    const results = Object.fromEntries(scenarios.map((s) => [s.name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const s of round % 2 === 0 ? scenarios : [...scenarios].reverse()) {
        if (!phase.env.LATCHKEY_DELIVERY_WORKER) await drained(server.url);
        const r = await load(server.url, keys.api_key, s.body);
        results[s.name].push({
          rps: r.requests.average,
          p50: r.latency.p50,
          p99: r.latency.p99,
          max: r.latency.max,
          non2xx: r.non2xx,
          errors: r.errors,
        });
      }
    }
    const rows = scenarios.map((s) => {
      const runs = results[s.name];
      const mean = (k) => runs.reduce((a, r) => a + r[k], 0) / runs.length;
      return {
        phase: phase.label,
        scenario: s.name,
        rps: Math.round(mean('rps')),
        p50_ms: mean('p50'),
        p99_ms: mean('p99'),
        max_ms: Math.max(...runs.map((r) => r.max)),
        non2xx: runs.reduce((a, r) => a + r.non2xx + r.errors, 0),
      };
    });
    return { rows, rss: peakRss(server.child.pid) };
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((resolve) => server.child.once('exit', resolve));
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-bench-'));
try {
  const keys = JSON.parse(
    execFileSync(process.execPath, [cli, 'init', '--data-dir', dataDir, '--json'], { encoding: 'utf8' }),
  );
  const setup = await startServer(dataDir);
  const patched = await fetch(`${setup.url}/v1/apps/${keys.app_id}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${keys.api_key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ allowed_redirects: ['https://app.example.com'] }),
  });
  setup.child.kill('SIGTERM');
  await new Promise((resolve) => setup.child.once('exit', resolve));
  if (!patched.ok) throw new Error(`could not configure the app: ${await patched.text()}`);

  const rows = [];
  let rss = 0;
  for (const phase of phases) {
    const result = await runPhase(phase, dataDir, keys);
    rows.push(...result.rows);
    rss = Math.max(rss, result.rss ?? 0);
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  console.log(
    `\nLatchkey benchmark (${machine}; SQLite; ${connections} connections; ${rounds} × ${seconds} s per scenario)\n`,
  );
  console.log('| server | scenario | req/s | p50 ms | p99 ms | max ms | non-2xx |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows)
    console.log(
      `| ${r.phase} | ${r.scenario} | ${r.rps} | ${r.p50_ms.toFixed(1)} | ${r.p99_ms.toFixed(1)} | ${r.max_ms} | ${r.non2xx} |`,
    );
  for (const phase of phases) {
    const [plain, sent] = rows.filter((r) => r.phase === phase.label);
    console.log(
      `create with send / without (${phase.label}): ${((sent.rps / plain.rps) * 100).toFixed(0)} %`,
    );
  }
  console.log(`server peak RSS: ${rss} MiB`);
  const outDir = join(root, '.bench-results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, 'latest.json'),
    JSON.stringify(
      { machine, connections, seconds, rounds, rows, peakRssMiB: rss, at: new Date().toISOString() },
      null,
      2,
    ),
  );
  if (rows.some((r) => r.non2xx > 0)) process.exitCode = 1;
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
