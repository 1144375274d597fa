// Starting and stopping the servers the benchmarks load, each in its own process on 127.0.0.1, and setting up
// Latchkey for load: its database (a temp dir, or a fresh PostgreSQL schema), its keys, an app with the rate
// limits off. Shared by bench/run.mjs and bench/soak.mjs.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const cli = join(root, 'packages/server/bin/latchkey.js');
/** Where the benchmark's links send people back to; the app set up by `configureForLoad` allows it. */
export const REDIRECT = 'https://app.example.com/in';

/** The value after `--name` on the script's command line, or `fallback` (a string; wrap it in Number as needed). */
export function option(name, fallback) {
  const args = process.argv.slice(2);
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1] : fallback;
}

/** The PostgreSQL the benchmarks use: LATCHKEY_BENCH_DATABASE_URL, else the local test database. */
export const BENCH_POSTGRES_URL =
  process.env.LATCHKEY_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU milliseconds a process has used so far: utime + stime, fields 14 and 15 of /proc/PID/stat. On two shared
 * cores a rate moves with whatever else runs; the CPU a request costs the server moves much less.
 */
export function processCpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after it start past its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/** Every process started here and still running, so that callers can stop them all on the way out. */
export const children = new Set();

/**
 * Starts `node ...nodeArgs file ...argv` on a free port and waits until `readyPath` answers (any status). Its
 * standard output is dropped unless `stdout` is 'pipe' (then `child.stdout` has it).
 */
export async function startProcess(file, argv, env, readyPath, { stdout = 'ignore', nodeArgs = [] } = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...nodeArgs, file, ...argv(port)], {
    env: { ...process.env, ...env(url, port) },
    // Latchkey's development transport prints each message; nobody reads them here.
    stdio: ['ignore', stdout, 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) break;
    try {
      const answer = await fetch(`${url}${readyPath}`);
      await answer.arrayBuffer();
      if (readyPath !== '/healthz' || answer.ok) return { url, child };
    } catch {}
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`${file} did not start`);
}

export async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

// --- Latchkey ----------------------------------------------------------------------------------------------------

/** `{dir}` for embedded SQLite in that directory, `{url}` for PostgreSQL. */
const databaseArgs = (database) =>
  database.url ? ['--database-url', database.url] : ['--data-dir', database.dir];

/**
 * `latchkey init --json` on a new database: its keys (`app_id`, `api_key`, `admin_key`, `signing_key`); `file` runs
 * another build's CLI.
 */
export function initLatchkey(database, masterKey, file = cli) {
  return JSON.parse(
    execFileSync(process.execPath, [file, 'init', ...databaseArgs(database), '--json'], {
      encoding: 'utf8',
      env: { ...process.env, ...(masterKey ? { LATCHKEY_MASTER_KEY: masterKey } : {}) },
    }),
  );
}

/**
 * `latchkey start` (the production build) on a free port; `env` adds settings, `nodeArgs` flags for Node,
 * `stdout: 'pipe'` keeps its output, `cli` runs another build's. Resolves once /healthz is ok.
 */
export function startLatchkey(database, { masterKey, env = {}, stdout, nodeArgs, cli: file = cli } = {}) {
  return startProcess(
    file,
    (port) => ['start', ...databaseArgs(database), '--port', String(port)],
    (url) => ({
      LATCHKEY_PUBLIC_URL: url,
      LATCHKEY_LOG_LEVEL: 'warn',
      ...(masterKey ? { LATCHKEY_MASTER_KEY: masterKey } : {}),
      ...env,
    }),
    '/healthz',
    { stdout, nodeArgs },
  );
}

/**
 * Sets the app up for load from one address: redirects to REDIRECT allowed, every rate limit off (the per-IP rule
 * would otherwise answer most of the load with 429).
 */
export async function configureForLoad(url, keys) {
  const off = { limit: 0 };
  const patched = await fetch(`${url}/v1/apps/${keys.app_id}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${keys.api_key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      allowed_redirects: ['https://app.example.com'],
      default_redirect_url: REDIRECT,
      rate_limits: {
        login_sends_per_identifier: off,
        login_resend_cooldown_seconds: 0,
        code_attempts_per_identifier: off,
        public_requests_per_ip: off,
        api_requests_per_key: off,
      },
    }),
  });
  if (!patched.ok) throw new Error(`could not configure the app: ${await patched.text()}`);
}

// --- PostgreSQL ---------------------------------------------------------------------------------------------------

async function onPostgres(postgresUrl, sql) {
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** A new, empty schema: its name, and the database URL whose connections use it. Drop it with `dropSchema`. */
export async function createSchema(postgresUrl, prefix = 'lk_bench') {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  await onPostgres(postgresUrl, `create schema ${schema}`);
  const url = new URL(postgresUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { schema, url: url.toString() };
}

export function dropSchema(postgresUrl, schema) {
  return onPostgres(postgresUrl, `drop schema if exists ${schema} cascade`);
}
