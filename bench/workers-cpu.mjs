// What a request costs in CPU with one Latchkey process and with two (`latchkey start --workers 2`) on PostgreSQL.
// Two shared cores cannot show throughput scaling, so this reads the CPU time each Latchkey process spent (utime +
// stime from /proc/PID/stat) across a run of creates and a run of hosted redeems, and divides by the requests
// answered. Two workers should cost about what one does per request (issue 21: within 15 %); more would mean the
// processes pay for each other (contention on rows, duplicated background work).
//
// Usage: npm run bench:workers [-- --seconds S] [--connections C] [--rounds R] [--rate R]
// --rate R holds the load at R requests per second in all (autocannon overallRate) instead of flat out, to compare
// one process and two at the same request rate. The preemptions column counts how often the kernel took the CPU
// from the workers (nonvoluntary context switches of all their threads, per 1,000 requests).
// Each round measures one process, then two, back to back; on a loaded machine, compare within a round and read
// the median of the rounds' ratios.
// Linux only (/proc). PostgreSQL from LATCHKEY_BENCH_DATABASE_URL or LATCHKEY_TEST_DATABASE_URL, else the local test
// database.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import {
  children,
  configureForLoad,
  createSchema,
  dropSchema,
  initLatchkey,
  median,
  processCpuMs,
  REDIRECT,
  sleep,
  startLatchkey,
  stop,
  ticksPerSecond,
} from './servers.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const seconds = option('--seconds', 5);
const connections = option('--connections', 10);
const rounds = option('--rounds', 1);
const rate = option('--rate', 0);
const postgresUrl =
  process.env.LATCHKEY_BENCH_DATABASE_URL ??
  process.env.LATCHKEY_TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
const log = (line) => process.stderr.write(`${line}\n`);

/** How often the kernel has taken the CPU away from a process so far (nonvoluntary_ctxt_switches, all threads). */
function preemptions(pid) {
  let total = 0;
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const status = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
      total += Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1] ?? 0);
    }
  } catch {}
  return total;
}

/** The pids whose parent is `pid`: the workers of a `--workers` primary. */
function childPids(pid) {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) found.push(Number(entry));
    } catch {}
  }
  return found;
}

/** One autocannon run of POST requests; `next()` may give each its own path or body. Answers the 2xx count. */
async function run(url, { path, headers, body, next, amount, ok = (s) => s >= 200 && s < 300, onAnswer }) {
  let successes = 0;
  let others = 0;
  const started = performance.now();
  await autocannon({
    url,
    connections,
    duration: amount ? seconds * 4 : seconds,
    ...(rate && !amount ? { overallRate: rate } : {}),
    ...(amount ? { maxOverallRequests: amount } : {}),
    requests: [
      {
        method: 'POST',
        path,
        headers,
        body,
        ...(next ? { setupRequest: (req) => ({ ...req, ...next() }) } : {}),
        onResponse: (status, responseBody, _context, responseHeaders) => {
          if (ok(status)) successes++;
          else others++;
          onAnswer?.(status, responseBody, responseHeaders);
        },
      },
    ],
  });
  return { successes, others, seconds: (performance.now() - started) / 1000 };
}

/** Creates `n` links (not measured) and answers their tokens. */
async function makeLinks(url, headers, n) {
  const tokens = [];
  await run(url, {
    path: '/v1/magic-links',
    headers,
    body: JSON.stringify({ email: 'cpu@example.com', redirect_url: REDIRECT }),
    amount: n,
    onAnswer: (status, body) => {
      if (status === 201) tokens.push(JSON.parse(body).magic_link.secret);
    },
  });
  return tokens;
}

/** Redeems each link once on the hosted page (the button's POST). */
function redeemAll(url, tokens) {
  let i = 0;
  return run(url, {
    path: '/l/x',
    next: () => ({ path: `/l/${tokens[Math.min(i++, tokens.length - 1)]}` }),
    amount: tokens.length,
    ok: (status) => status === 303,
  });
}

/** Runs `work` and answers how many CPU ms each of `pids` spent meanwhile. */
async function cpuDuring(pids, work) {
  const before = pids.map(processCpuMs);
  const switchedBefore = pids.map(preemptions);
  const result = await work();
  return {
    result,
    spent: pids.map((pid, i) => processCpuMs(pid) - before[i]),
    preempted: pids.map((pid, i) => preemptions(pid) - switchedBefore[i]),
  };
}

async function measure(workers) {
  const { schema, url: databaseUrl } = await createSchema(postgresUrl, 'lk_bench_workers');
  const masterKey = randomBytes(32).toString('base64');
  try {
    const keys = initLatchkey({ url: databaseUrl }, masterKey);
    const server = await startLatchkey(
      { url: databaseUrl },
      { masterKey, env: { LATCHKEY_WORKERS: String(workers) } },
    );
    try {
      await configureForLoad(server.url, keys);
      const primary = server.child.pid;
      let pids = [primary];
      if (workers > 1) {
        for (let i = 0; i < 300 && pids.length < workers + 1; i++) {
          await sleep(100);
          pids = [primary, ...childPids(primary)];
        }
      }
      const serving = workers > 1 ? pids.slice(1) : pids;
      const api = { authorization: `Bearer ${keys.api_key}`, 'content-type': 'application/json' };
      const create = {
        path: '/v1/magic-links',
        headers: api,
        body: JSON.stringify({ email: 'cpu@example.com' }),
      };
      // Warm up, the same number of creates and redeems per process (each has its own JIT to warm: a few hundred
      // requests left the code of the second process visibly colder), until every worker takes a share of new
      // connections: the cluster hands them only to workers that are listening.
      const redeemPool = (n) => makeLinks(server.url, api, n);
      for (let round = 0; round < 40; round++) {
        const { spent } = await cpuDuring(serving, () => run(server.url, { ...create, amount: 500 }));
        const total = spent.reduce((a, b) => a + b, 0);
        const shared = spent.every((ms) => ms > total / (serving.length * 4));
        if (round + 1 >= 3 * workers && shared) break;
      }
      await redeemAll(server.url, await redeemPool(1000 * workers));
      const rows = [];
      const created = await cpuDuring(pids, () => run(server.url, create));
      rows.push(row(workers, 'create link, existing user', created));
      // Hosted redeem: a pool of fresh links, made before the measured run, each redeemed once.
      const tokens = await redeemPool(Math.max(500, Math.round(created.result.successes * 0.8)));
      const redeemed = await cpuDuring(pids, () => redeemAll(server.url, tokens));
      rows.push(row(workers, 'hosted redeem', redeemed));
      return rows;
    } finally {
      await stop(server.child);
    }
  } finally {
    await dropSchema(postgresUrl, schema);
  }
}

/** A table row: the workers' CPU per request, and the primary's own (a `--workers` primary serves nothing). */
function row(workers, scenario, { result, spent, preempted }) {
  const serving = workers > 1 ? spent.slice(1) : spent;
  const total = serving.reduce((a, b) => a + b, 0);
  const switches = (workers > 1 ? preempted.slice(1) : preempted).reduce((a, b) => a + b, 0);
  return {
    workers,
    scenario,
    requests: result.successes,
    others: result.others,
    seconds: result.seconds,
    cpuMsPerRequest: total / Math.max(1, result.successes),
    preemptionsPer1000: (1000 * switches) / Math.max(1, result.successes),
    shares: serving.map((ms) => Math.round((100 * ms) / Math.max(total, 1))),
    primaryMs: workers > 1 ? spent[0] : 0,
  };
}

const SCENARIOS = ['create link, existing user', 'hosted redeem'];

async function main() {
  const rows = [];
  for (let round = 1; round <= rounds; round++) {
    for (const workers of [1, 2]) {
      log(`round ${round}: ${workers} process(es)`);
      for (const r of await measure(workers)) rows.push({ ...r, round });
    }
  }
  const out = [
    `CPU per request, Latchkey on PostgreSQL, ${connections} connections, ${seconds} s per run (utime + stime from /proc, ${ticksPerSecond} ticks/s)`,
    '',
    '| round | processes | scenario | requests (other answers) | req/s | CPU ms / request (all workers) | share per worker % | preemptions / 1,000 requests | primary CPU ms |',
    '| ---: | ---: | --- | ---: | ---: | ---: | --- | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.round} | ${r.workers} | ${r.scenario} | ${r.requests} (${r.others}) | ${Math.round(r.requests / r.seconds)} | ${r.cpuMsPerRequest.toFixed(3)} | ${r.shares.join(' / ')} | ${r.preemptionsPer1000.toFixed(0)} | ${r.primaryMs.toFixed(0)} |`,
    ),
    '',
  ];
  for (const scenario of SCENARIOS) {
    const ratios = [];
    for (let round = 1; round <= rounds; round++) {
      const [one, two] = [1, 2].map((w) =>
        rows.find((r) => r.round === round && r.workers === w && r.scenario === scenario),
      );
      ratios.push(two.cpuMsPerRequest / one.cpuMsPerRequest);
    }
    const middle = median(ratios);
    out.push(
      `${scenario}: CPU per request, 2 processes / 1 process = ${ratios.map((r) => r.toFixed(2)).join(', ')} (median ${middle.toFixed(2)}: ${Math.abs(middle - 1) <= 0.15 ? 'within' : 'NOT within'} 15 %)`,
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const child of children) child.kill('SIGKILL');
    process.exit(130);
  });
}
main().catch((error) => {
  log(error.stack ?? String(error));
  for (const child of children) child.kill('SIGKILL');
  process.exitCode = 1;
});
