#!/usr/bin/env node
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateLinks } from './dataset.mjs';
// The analytics benchmark: a data set of 1,000,000 magic links (with their users and sessions) in embedded SQLite,
// then GET /v1/stats timed against the built server in its own process. The rows are written straight into the
// database (through better-sqlite3, in large transactions) because creating a million links through the API would
// measure link creation, not the stats; then the settled days are rolled up, as the maintenance loop does day by day.
// Usage: npm run bench:stats [-- --links N] [-- --runs N]
import { freePort } from './servers.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'packages/server/bin/latchkey.js');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
};
const LINKS = option('--links', 1_000_000);
const RUNS = option('--runs', 5);
const DAY = 86_400_000;
const SPAN_DAYS = 90;

async function rollup(dataDir) {
  const { loadConfig } = await import(join(root, 'packages/server/dist/config/config.js'));
  const { openRuntime } = await import(join(root, 'packages/server/dist/runtime.js'));
  const { rollupLinkStats } = await import(join(root, 'packages/server/dist/analytics/stats-rollup.js'));
  const runtime = await openRuntime(loadConfig({ LATCHKEY_DATA_DIR: dataDir, LATCHKEY_LOG_LEVEL: 'silent' }));
  try {
    let total = 0;
    for (let n = 1; n > 0; total += n) n = await rollupLinkStats(runtime.ctx);
    return total;
  } finally {
    await runtime.close();
  }
}

async function main() {
  // --keep DIR: generate into DIR and leave it there (for looking at the queries afterwards).
  const keep = args.includes('--keep') ? args[args.indexOf('--keep') + 1] : undefined;
  const dataDir = keep ?? mkdtempSync(join(tmpdir(), 'latchkey-bench-stats-'));
  let child;
  try {
    const keys = JSON.parse(
      execFileSync(process.execPath, [cli, 'init', '--data-dir', dataDir, '--json'], { encoding: 'utf8' }),
    );
    const t0 = performance.now();
    generateLinks(join(dataDir, 'latchkey.db'), keys.app_id, { links: LINKS, spanDays: SPAN_DAYS });
    console.log(
      `generated ${LINKS.toLocaleString('en')} links in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    // What the maintenance loop does as days settle, done here at once for the whole generated history.
    const t1 = performance.now();
    const rolled = await rollup(dataDir);
    console.log(
      `rolled up ${rolled} settled (day, type) groups in ${((performance.now() - t1) / 1000).toFixed(1)} s`,
    );

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [cli, 'start', '--data-dir', dataDir, '--port', String(port)], {
      env: { ...process.env, LATCHKEY_PUBLIC_URL: url, LATCHKEY_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${url}/healthz`)).ok) break;
      } catch {}
      if (i > 300) throw new Error('the server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const from = new Date(Date.now() - (SPAN_DAYS + 1) * DAY).toISOString();
    const cases = [
      { name: `all ${SPAN_DAYS} days (every link)`, query: `from=${from}` },
      { name: 'last 30 days (default)', query: '' },
      { name: `all ${SPAN_DAYS} days, type=invite`, query: `from=${from}&type=invite` },
    ];
    const results = [];
    for (const c of cases) {
      const times = [];
      let body;
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        const res = await fetch(`${url}/v1/stats?${c.query}`, {
          headers: { authorization: `Bearer ${keys.api_key}` },
        });
        body = await res.json();
        if (!res.ok) throw new Error(JSON.stringify(body));
        times.push(performance.now() - t);
      }
      const sorted = [...times].sort((a, b) => a - b);
      results.push({
        case: c.name,
        links: body.funnel.created,
        first_ms: Math.round(times[0]),
        median_ms: Math.round(sorted[Math.floor(sorted.length / 2)]),
        max_ms: Math.round(sorted[sorted.length - 1]),
      });
    }
    console.table(results);
  } finally {
    child?.kill('SIGTERM');
    if (!keep) rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
