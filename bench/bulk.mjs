#!/usr/bin/env node
// Bulk creation end to end, as a user runs it: `latchkey links bulk --in rows.csv --out links.csv` against
// `latchkey start` on embedded SQLite in a temp dir, with N new email addresses (default 100,000).
// Usage: npm run bench:bulk [-- --rows N]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'packages/server/bin/latchkey.js');
const i = process.argv.indexOf('--rows');
const rows = i >= 0 ? Number(process.argv[i + 1]) : 100_000;

const port = await new Promise((resolve, reject) => {
  const server = createServer();
  server.once('error', reject);
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    server.close(() => resolve(address.port));
  });
});
const dir = mkdtempSync(join(tmpdir(), 'latchkey-bulk-bench-'));
const url = `http://127.0.0.1:${port}`;
let child;
try {
  const keys = JSON.parse(
    execFileSync(process.execPath, [cli, 'init', '--data-dir', join(dir, 'data'), '--json'], {
      encoding: 'utf8',
    }),
  );
  child = spawn(process.execPath, [cli, 'start', '--data-dir', join(dir, 'data'), '--port', String(port)], {
    env: { ...process.env, LATCHKEY_PUBLIC_URL: url, LATCHKEY_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let n = 0; ; n++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {}
    if (n > 300) throw new Error('the server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const env = { ...process.env, LATCHKEY_URL: url, LATCHKEY_API_KEY: keys.api_key };
  execFileSync(
    process.execPath,
    [cli, 'apps', 'update', keys.app_id, '--default-redirect-url', 'http://localhost:3000/callback'],
    { env, stdio: 'ignore' },
  );
  let csv = 'email,ttl\n';
  for (let n = 0; n < rows; n++) csv += `person${n}@example.com,60\n`;
  writeFileSync(join(dir, 'rows.csv'), csv);

  const started = performance.now();
  const out = execFileSync(
    process.execPath,
    [
      cli,
      'links',
      'bulk',
      '--in',
      join(dir, 'rows.csv'),
      '--out',
      join(dir, 'links.csv'),
      '--json',
      '--no-progress',
    ],
    { env, encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  const seconds = (performance.now() - started) / 1000;
  const summary = JSON.parse(out);
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/);
  console.log(
    `${summary.created.toLocaleString('en')} links created, ${summary.failed} failed, in ${seconds.toFixed(1)} s ` +
      `(${Math.round(summary.created / seconds).toLocaleString('en')} rows/s)` +
      (status ? `; server peak RSS ${Math.round(Number(status[1]) / 1024)} MiB` : ''),
  );
} finally {
  child?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
