#!/usr/bin/env node
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { generateLinks } from './dataset.mjs';
// Redeem latency against the size of the links table: two embedded databases, one with 1,000 links and one with
// 1,000,000 (bench/dataset.mjs), each served by the built server in its own process. On each, a pool of fresh links
// is created through the API (not timed) and redeemed once each with autocannon (10 connections); rounds alternate
// the two databases. The target of issue 8: p99 with a million links within 20 % of the p99 with a thousand.
// Usage: npm run bench:large [-- --links N] [--rounds N] [--pool N]
import { freePort } from './servers.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'packages/server/bin/latchkey.js');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
};
const LARGE = option('--links', 1_000_000);
const SMALL = 1_000;
const ROUNDS = option('--rounds', 2);
const POOL = option('--pool', 15_000);
const REDIRECT = 'https://app.example.com/in';

function prepare(links) {
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-bench-large-'));
  const keys = JSON.parse(
    execFileSync(process.execPath, [cli, 'init', '--data-dir', dataDir, '--json'], { encoding: 'utf8' }),
  );
  const t0 = performance.now();
  generateLinks(join(dataDir, 'latchkey.db'), keys.app_id, { links, spanDays: 90 });
  console.log(
    `${links.toLocaleString('en')} links written in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return { links, dataDir, keys };
}

async function measure({ dataDir, keys }) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [cli, 'start', '--data-dir', dataDir, '--port', String(port)], {
    env: { ...process.env, LATCHKEY_PUBLIC_URL: url, LATCHKEY_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${url}/healthz`)).ok) break;
      } catch {}
      if (i > 300) throw new Error('the server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
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
    // The pool's links belong to users of the data set, as sign-ins of existing users would.
    const tokens = [];
    let n = 0;
    await autocannon({
      url: `${url}/v1/magic-links`,
      method: 'POST',
      connections: 10,
      amount: POOL,
      headers,
      requests: [
        {
          setupRequest: (req) => ({
            ...req,
            body: JSON.stringify({ email: `u${n++ % 100}@bench.example.com`, redirect_url: REDIRECT }),
          }),
          onResponse: (status, text) => {
            if (status === 201) tokens.push(JSON.parse(text).magic_link.secret);
          },
        },
      ],
    });
    let i = 0;
    const redeem = (amount) =>
      autocannon({
        url,
        connections: 10,
        amount,
        requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, path: `/l/${tokens[i++]}` }) }],
      });
    // The first tenth warms the redeem path up (compiled code, SQLite's page cache) and is not counted.
    const warm = await redeem(Math.floor(tokens.length / 10));
    const started = performance.now();
    const result = await redeem(tokens.length - i);
    const seconds = (performance.now() - started) / 1000;
    const redeemed = (warm.statusCodeStats['303']?.count ?? 0) + (result.statusCodeStats['303']?.count ?? 0);
    if (redeemed !== tokens.length) throw new Error(`${redeemed} of ${tokens.length} links redeemed`);
    return {
      rate: result.requests.total / seconds,
      p50: result.latency.p50,
      p99: result.latency.p99,
      redeemed,
    };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

const sets = [prepare(SMALL), prepare(LARGE)];
try {
  const results = new Map(sets.map((set) => [set.links, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const set of round % 2 === 0 ? sets : [...sets].reverse()) {
      const figures = await measure(set);
      results.get(set.links).push(figures);
      console.log(
        `round ${round + 1}, ${set.links.toLocaleString('en')} links: ${Math.round(figures.rate)} redeems/s, ` +
          `p50 ${figures.p50} ms, p99 ${figures.p99} ms (${figures.redeemed} links, each once)`,
      );
    }
  }
  const median = (values) => values.sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
  const p99 = (links) => median(results.get(links).map((r) => r.p99));
  const [small, large] = [p99(SMALL), p99(LARGE)];
  console.log(
    `\nredeem p99, median of rounds: ${small} ms with ${SMALL.toLocaleString('en')} links, ${large} ms with ` +
      `${LARGE.toLocaleString('en')}: ${large <= small * 1.2 ? 'within' : 'not within'} 20 % ` +
      `(${(((large - small) / small) * 100).toFixed(0)} %)`,
  );
} finally {
  for (const set of sets) rmSync(set.dataDir, { recursive: true, force: true });
}
