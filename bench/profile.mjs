#!/usr/bin/env node
// Where a request's server time goes: starts Latchkey on SQLite (temp dir) under `node --cpu-prof`, loads one
// scenario with autocannon (10 connections) for a few seconds, stops the server and prints the functions with the
// most self time. Usage: node bench/profile.mjs create|send|redeem [--seconds S] [--top N] [--queue-only] [--postgres]
// `send` creates links with `send: true` (the log transport; the worker in the same process, or with --queue-only
// none, so that the profile holds only what queueing costs the request).
// --postgres: on a new schema of LATCHKEY_BENCH_DATABASE_URL (else the local test database) instead of SQLite.
// The profile itself stays in .bench-results/profiles/ (open it in Chrome DevTools for the call tree).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { BENCH_POSTGRES_URL, createSchema, dropSchema, option } from './servers.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'packages/server/bin/latchkey.js');
const args = process.argv.slice(2);
const which = args[0];
if (which !== 'create' && which !== 'send' && which !== 'redeem') {
  process.stderr.write(
    'usage: node bench/profile.mjs create|send|redeem [--seconds S] [--top N] [--queue-only]\n',
  );
  process.exit(2);
}
const seconds = Number(option('--seconds', 10));
const top = Number(option('--top', 25));
const queueOnly = args.includes('--queue-only');
const REDIRECT = 'https://app.example.com/in';
const postgresUrl = args.includes('--postgres') ? BENCH_POSTGRES_URL : null;
const postgres = postgresUrl ? await createSchema(postgresUrl, 'lk_profile') : null;
const masterKey = randomBytes(32).toString('base64');

const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});
const url = `http://127.0.0.1:${port}`;
const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-profile-'));
const databaseArgs = postgres ? ['--database-url', postgres.url] : ['--data-dir', dataDir];
const databaseEnv = { LATCHKEY_MASTER_KEY: masterKey };
const profileDir = join(root, '.bench-results/profiles', `${which}-${Date.now()}`);
mkdirSync(profileDir, { recursive: true });
try {
  const keys = JSON.parse(
    execFileSync(process.execPath, [cli, 'init', ...databaseArgs, '--json'], {
      encoding: 'utf8',
      env: { ...process.env, ...databaseEnv },
    }),
  );
  const start = async (profiled) => {
    const started = spawn(
      process.execPath,
      [
        ...(profiled ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
        cli,
        'start',
        ...databaseArgs,
        '--port',
        String(port),
      ],
      {
        env: {
          ...process.env,
          ...databaseEnv,
          LATCHKEY_PUBLIC_URL: url,
          LATCHKEY_LOG_LEVEL: 'warn',
          ...(queueOnly ? { LATCHKEY_DELIVERY_WORKER: 'false' } : {}),
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    for (let i = 0; i < 300; i++) {
      try {
        if ((await fetch(`${url}/healthz`)).ok) break;
      } catch {}
      await new Promise((r) => setTimeout(r, 100));
    }
    return started;
  };
  const stop = async (running) => {
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  };
  // For redeem, the links are made by a server that is not profiled; the profiled one only redeems them.
  let child = await start(which !== 'redeem');
  const headers = { authorization: `Bearer ${keys.api_key}`, 'content-type': 'application/json' };
  const off = { limit: 0 };
  await fetch(`${url}/v1/apps/${keys.app_id}`, {
    method: 'PATCH',
    headers,
    body: JSON.stringify({
      allowed_redirects: ['https://app.example.com'],
      rate_limits: { public_requests_per_ip: off, api_requests_per_key: off },
    }),
  });
  const body = JSON.stringify({
    email: 'bench@example.com',
    redirect_url: REDIRECT,
    ...(which === 'send' ? { send: true } : {}),
  });
  const tokens = [];
  const create = (duration, collect) =>
    autocannon({
      url: `${url}/v1/magic-links`,
      method: 'POST',
      connections: 10,
      duration,
      sampleInt: 100,
      headers,
      body,
      requests: [
        {
          onResponse: (status, text) => {
            if (collect && status === 201) tokens.push(JSON.parse(text).magic_link.secret);
          },
        },
      ],
    });
  let result;
  if (which !== 'redeem') {
    await create(2, false);
    result = await create(seconds, false);
  } else {
    await create(seconds, true);
    await stop(child);
    child = await start(true);
    let i = 0;
    result = await autocannon({
      url,
      connections: 10,
      maxOverallRequests: tokens.length,
      sampleInt: 100,
      duration: seconds * 4,
      requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, path: `/l/${tokens[i++]}` }) }],
    });
  }
  await stop(child);

  // Self time per function, from the samples of the whole profile (start-up included, which is small next to
  // the load).
  const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
  const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  const keyOf = (node) => {
    const f = node.callFrame;
    const path = f.url.startsWith('file:') ? fileURLToPath(f.url) : f.url.startsWith('/') ? f.url : null;
    const where = f.url ? `${path ? relative(root, path) : f.url}:${f.lineNumber + 1}` : '';
    return `${f.functionName || '(anonymous)'} ${where}`.trim();
  };
  const self = new Map();
  for (const [id, count] of counts) {
    const key = keyOf(byId.get(id));
    self.set(key, (self.get(key) ?? 0) + count);
  }
  // Total time of Latchkey's own functions: each sample counts once for every function of ours on its stack.
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inclusive = new Map();
  for (const [id, count] of counts) {
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const key = keyOf(byId.get(at));
      if (key.includes('packages/server/dist/') && !seen.has(key)) {
        seen.add(key);
        inclusive.set(key, (inclusive.get(key) ?? 0) + count);
      }
    }
  }
  const total = profile.samples.length;
  const idle = self.get('(idle)') ?? 0;
  const answered = Object.values(result.statusCodeStats).reduce((a, s) => a + s.count, 0);
  process.stdout.write(
    `${which}: ${answered} requests, ${Math.round(answered / result.duration)} req/s; profile ${relative(root, join(profileDir, file))}\n` +
      `samples: ${total}, idle ${((idle / total) * 100).toFixed(1)} %\n\n| self % | function |\n| ---: | --- |\n`,
  );
  for (const [key, count] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`| ${((count / total) * 100).toFixed(1)} | \`${key}\` |\n`);
  }
  process.stdout.write('\n| total % | Latchkey function |\n| ---: | --- |\n');
  for (const [key, count] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`| ${((count / total) * 100).toFixed(1)} | \`${key}\` |\n`);
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
  if (postgres) await dropSchema(postgresUrl, postgres.schema);
}
