#!/usr/bin/env node
// What `latchkey start` costs in memory on embedded SQLite (a temp dir): its resident set (VmRSS) and its live V8
// heap after a full collection, once started and idle; then its peak resident set (VmHWM) after phases of creates
// and hosted redeems (`POST /l/{token}` of links made in the create phase) at 10 connections.
// Usage: node bench/memory.mjs [--seconds S] [--phase P] [--runs N] [--build DIR] [-- node flags…]
//   --seconds: the whole load (60), in phases of --phase seconds (5), creates and redeems in turn;
//   --seconds 0 measures only the idle figures. --runs: starts of a fresh server, one after the other (1).
//   --build DIR: another checkout's root (its bin and dist), to compare two builds back to back on one machine.
//   Anything after `--` is given to Node (e.g. `-- --max-semi-space-size=2`).
// The heap figure comes from a small module loaded with `--import` that collects garbage when asked (SIGUSR2); it
// adds nothing the server keeps.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { configureForLoad, initLatchkey, REDIRECT, root, sleep, startLatchkey, stop } from './servers.mjs';

const dashdash = process.argv.indexOf('--');
const args = dashdash >= 0 ? process.argv.slice(2, dashdash) : process.argv.slice(2);
const nodeFlags = dashdash >= 0 ? process.argv.slice(dashdash + 1) : [];
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const seconds = Number(option('--seconds', 60));
const phase = Number(option('--phase', 5));
const runs = Number(option('--runs', 1));
const build = option('--build', root);

const HEAP_PROBE = `
import v8 from 'node:v8';
import vm from 'node:vm';
import { writeFileSync } from 'node:fs';
process.on('SIGUSR2', () => {
  v8.setFlagsFromString('--expose-gc');
  vm.runInNewContext('gc')();
  const usage = process.memoryUsage();
  const newSpace = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  writeFileSync(
    process.env.LATCHKEY_BENCH_HEAP_FILE,
    JSON.stringify({ ...usage, newSpaceSize: newSpace ? newSpace.space_size : 0 }),
  );
});`;

const mib = (bytes) => Math.round((bytes / 1048576) * 10) / 10;
const statusMiB = (pid, field) =>
  Math.round(
    Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024,
  );

/** After a full collection: the live heap, and where the rest of the idle resident set goes (all in MiB). */
async function heapAfterGc(child, file) {
  rmSync(file, { force: true });
  child.kill('SIGUSR2');
  for (let i = 0; i < 100; i++) {
    try {
      const usage = JSON.parse(readFileSync(file, 'utf8'));
      return {
        live: mib(usage.heapUsed),
        // What V8 holds for its heap, used or not; new space (the young generation) is part of it.
        committed: mib(usage.heapTotal),
        new_space: mib(usage.newSpaceSize),
        // Buffers and native objects held from JavaScript (SQLite's statements are not counted here).
        external: mib(usage.external),
      };
    } catch {
      await sleep(50);
    }
  }
  return null;
}

/** The resident set split into anonymous memory (heaps, malloc) and mapped files (node, .so files, code). */
const rssParts = (pid) => ({ anon: statusMiB(pid, 'RssAnon'), file: statusMiB(pid, 'RssFile') });

function cannon(options) {
  return new Promise((resolve, reject) =>
    autocannon({ connections: 10, ...options }, (error, result) => (error ? reject(error) : resolve(result))),
  );
}

async function once() {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-memory-'));
  const probe = join(dir, 'heap-probe.mjs');
  writeFileSync(probe, HEAP_PROBE);
  const heapFile = join(dir, 'heap');
  try {
    const database = { dir: join(dir, 'data') };
    const keys = initLatchkey(database);
    const { url, child } = await startLatchkey(database, {
      env: { LATCHKEY_BENCH_HEAP_FILE: heapFile },
      nodeArgs: [...nodeFlags, '--import', pathToFileURL(probe).href],
      cli: join(build, 'packages/server/bin/latchkey.js'),
    });
    try {
      await configureForLoad(url, keys);
      await sleep(2000);
      const idleRss = statusMiB(child.pid, 'VmRSS');
      const idleParts = rssParts(child.pid);
      const idleHeap = await heapAfterGc(child, heapFile);
      const headers = { authorization: `Bearer ${keys.api_key}`, 'content-type': 'application/json' };
      const body = JSON.stringify({ email: 'ada@example.com', redirect_url: REDIRECT });
      const tokens = [];
      let creates = 0;
      let redeems = 0;
      for (let elapsed = 0, turn = 0; elapsed < seconds; elapsed += phase, turn++) {
        if (turn % 2 === 0 || tokens.length === 0) {
          const r = await cannon({
            url: `${url}/v1/magic-links`,
            duration: phase,
            requests: [
              {
                method: 'POST',
                headers,
                body,
                onResponse: (status, text) => {
                  if (status === 201) tokens.push(new URL(JSON.parse(text).magic_link.url).pathname);
                },
              },
            ],
          });
          creates += r.requests.total;
        } else {
          const pool = tokens.splice(0);
          let i = 0;
          const r = await cannon({
            url,
            amount: pool.length,
            requests: [{ method: 'POST', setupRequest: (request) => ({ ...request, path: pool[i++] }) }],
          });
          redeems += r['3xx'];
        }
      }
      return {
        idle_rss_mib: idleRss,
        idle_rss_parts_mib: idleParts,
        idle_heap_after_gc_mib: idleHeap.live,
        idle_heap_mib: idleHeap,
        // VmHWM lags VmRSS a little after a jump (Linux syncs per-thread counters lazily).
        peak_rss_mib: Math.max(statusMiB(child.pid, 'VmHWM'), statusMiB(child.pid, 'VmRSS'), idleRss),
        creates,
        redeems,
      };
    } finally {
      await stop(child);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = [];
for (let run = 0; run < runs; run++) {
  const result = await once();
  results.push(result);
  process.stderr.write(`run ${run + 1}/${runs}: ${JSON.stringify(result)}\n`);
}
process.stdout.write(
  `${JSON.stringify({ build, node_flags: nodeFlags, seconds, phase, results }, null, 2)}\n`,
);
