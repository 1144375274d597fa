#!/usr/bin/env node
// The benchmark. Starts, each in its own process on 127.0.0.1: Latchkey on SQLite (temp dir), Latchkey on
// PostgreSQL (a fresh schema; two processes on it), better-auth's magic-link plugin, Auth.js with its email
// provider, and a bare Fastify route (bench/peers/). Loads them from this process with autocannon, every run
// bounded in count and time, scenarios alternated round by round so that drift in the machine hits all alike.
// Usage: npm run bench [-- --quick] [--rounds N] [--seconds S] [--connections C] [--pool-max N] [--out FILE]
//        [--paced-rate R] [--no-postgres]
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import autocannon from 'autocannon';
import {
  children,
  configureForLoad,
  createSchema,
  dropSchema,
  initLatchkey,
  REDIRECT,
  root,
  sleep,
  startLatchkey,
  startProcess,
  stop,
} from './servers.mjs';

const peers = join(root, 'bench/peers');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const seconds = Number(option('--seconds', quick ? 0.5 : 10));
const rounds = Number(option('--rounds', quick ? 1 : 3));
const connections = Number(option('--connections', 10));
/** The most links one redeem run may use (each is created beforehand, and replayed afterwards). */
const poolMax = Number(option('--pool-max', quick ? 40 : 30_000));
const poolMin = Math.max(connections * 4, quick ? 20 : 200);
const outFile = option('--out', join(root, '.bench-results/latest.json'));
const withPostgres = !args.includes('--no-postgres');
/**
 * The paced scenarios send creates at a fixed rate, the same with and without `send`, to compare their latency
 * below saturation. Default: half of what the server did with `send` in the warm-up (50/s in a quick run).
 */
const pacedRateOption = option('--paced-rate', null);
const postgresUrl =
  process.env.LATCHKEY_BENCH_DATABASE_URL ??
  process.env.LATCHKEY_TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
const USER = 'bench@example.com';
/**
 * The links of a redeem pool belong to this many users, in turn (they exist after the warm-up): one person does not
 * sign in thousands of times a second, and on PostgreSQL the sign-ins of one user wait on that user's row.
 */
const POOL_USERS = 1000;
let poolUser = 0;
const nextPoolUser = () => `user-${poolUser++ % POOL_USERS}@example.com`;
const runId = randomBytes(4).toString('hex');
const log = (line) => process.stderr.write(`${line}\n`);

/** A size line of a process's /proc status (`VmHWM`: peak resident set so far, `VmRSS`: now), in MiB. */
function rssOf(pid, field) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024);
  } catch {
    return null;
  }
}
// Linux updates VmHWM from per-thread counters lazily, so right after a jump it can read a little below VmRSS;
// the peak reported is never below what the process holds now.
const peakRss = (pid) => {
  const [peak, now] = [rssOf(pid, 'VmHWM'), rssOf(pid, 'VmRSS')];
  return peak === null ? null : Math.max(peak, now ?? 0);
};

// --- Latchkey ----------------------------------------------------------------------------------------------------

function latchkeyProcess(label, database, masterKey) {
  return startLatchkey(database, { masterKey }).then((server) => ({ ...server, label }));
}

/** Initialises a database, and sets the app up for the benchmark: redirects allowed, every rate limit off. */
async function setUpLatchkey(label, database, masterKey) {
  const keys = initLatchkey(database, masterKey);
  const server = await latchkeyProcess(label, database, masterKey);
  await configureForLoad(server.url, keys);
  return { server, keys };
}

/** Waits until the outbox is empty, so one scenario's backlog of messages does not slow the next. */
async function drained(url, limitMs = 120_000) {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    const text = await (await fetch(`${url}/metrics`)).text();
    const waiting = [
      ...text.matchAll(/^latchkey_outbox_messages\{status="(?:pending|sending)"\} (\d+)/gm),
    ].reduce((a, m) => a + Number(m[1]), 0);
    if (waiting === 0) return;
    await sleep(200);
  }
}

function signToken(claims, secret, kid) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part({ alg: 'HS256', typ: 'JWT', kid })}.${part(claims)}`;
  return `${input}.${createHmac('sha256', Buffer.from(secret, 'utf8')).update(input).digest('base64url')}`;
}

// --- load ---------------------------------------------------------------------------------------------------------

/**
 * One autocannon run. `next()` gives each request (or null for a fixed one); with `amount`, the run stops after that
 * many requests or after `limitSeconds`, whichever comes first. `ok(status, headers)` tells a success.
 */
async function load(
  url,
  { method = 'POST', path, headers, body, next, amount, limitSeconds, ok, onAnswer, conns },
) {
  let successes = 0;
  let last = 0;
  const request = {
    method,
    path,
    headers,
    body,
    ...(next ? { setupRequest: (req) => ({ ...req, ...next() }) } : {}),
    onResponse: (status, responseBody, _context, responseHeaders) => {
      last = performance.now();
      if (ok(status, responseHeaders)) successes++;
      onAnswer?.(status, responseBody, responseHeaders);
    },
  };
  const started = performance.now();
  const result = await autocannon({
    url,
    // Look for the end of a run every 100 ms, not every second, so that short runs end when their work does.
    sampleInt: 100,
    connections: Math.min(conns ?? connections, amount ?? Number.POSITIVE_INFINITY),
    duration: limitSeconds ?? seconds,
    ...(amount ? { maxOverallRequests: amount } : {}),
    requests: [request],
  });
  const answered = Object.values(result.statusCodeStats).reduce((a, s) => a + s.count, 0);
  return {
    // From the start to the last answer: a run bounded by its pool of links ends with its last answer.
    rps: answered / Math.max((last - started) / 1000, 0.001),
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    answered,
    successes,
    bad: answered - successes + result.errors,
  };
}

/**
 * Requests at a fixed rate, spread evenly (autocannon's own rate limit sends each second's requests in one burst),
 * over at most `connections` kept-alive sockets. Latency counts from when a request was due, not from when a
 * socket was free, so a server that falls behind shows it.
 */
async function paced(url, { method = 'POST', path, headers, body, ok }, rate) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const total = Math.max(1, Math.round(rate * seconds));
  const latencies = [];
  let successes = 0;
  let bad = 0;
  const one = (due) =>
    new Promise((resolve) => {
      const req = httpRequest(`${url}${path}`, { method, headers, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(performance.now() - due);
          if (ok(res.statusCode, res.headers)) successes++;
          else bad++;
          resolve();
        });
      });
      req.on('error', () => {
        bad++;
        resolve();
      });
      req.end(body);
    });
  const started = performance.now();
  const inFlight = [];
  let sent = 0;
  while (sent < total) {
    const now = performance.now();
    const due = Math.min(total, Math.floor(((now - started) / 1000) * rate) + 1);
    for (; sent < due; sent++) inFlight.push(one(started + (sent / rate) * 1000));
    await sleep(1);
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    rps: latencies.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
    max: Math.ceil(latencies.at(-1) ?? 0),
    answered: latencies.length,
    successes,
    bad,
  };
}

const createdOk = (status) => status >= 200 && status < 300;
const cookieOk = (name) => (status, headers) =>
  status === 302 && String(headers['set-cookie'] ?? '').includes(name);

/** Runs `make(n)` fresh items through `request(item)` once: the measured run. Then replays them: none may succeed. */
async function poolRun(url, scenario, n, conns) {
  const items = await scenario.prepare(n);
  let i = 0;
  const measured = await load(url, {
    ...scenario.fixed,
    next: () => scenario.request(items[Math.min(i++, items.length - 1)]),
    amount: items.length,
    limitSeconds: Math.max(seconds * 4, 10),
    ok: scenario.ok,
    conns,
  });
  let replay = null;
  if (scenario.replay) {
    let j = 0;
    const again = await load(url, {
      ...scenario.fixed,
      next: () => scenario.request(items[Math.min(j++, items.length - 1)]),
      amount: items.length,
      limitSeconds: Math.max(seconds * 4, 10),
      ok: scenario.ok,
    });
    replay = again.successes;
  }
  return { ...measured, pool: items.length, replaySuccesses: replay };
}

/** Creates `n` Latchkey links for the existing user and returns their tokens. */
async function latchkeyLinks(target, n) {
  const tokens = [];
  await load(target.server.url, {
    path: '/v1/magic-links',
    headers: target.apiHeaders,
    next: () => ({ body: JSON.stringify({ email: nextPoolUser(), redirect_url: REDIRECT }) }),
    amount: n,
    limitSeconds: 600,
    ok: createdOk,
    onAnswer: (status, body) => {
      if (status === 201) tokens.push(JSON.parse(body).magic_link.secret);
    },
  });
  return tokens;
}

/** Creates `n` links and redeems them on the hosted page; returns the `lk_code`s to exchange. */
async function latchkeyCodes(target, n) {
  const tokens = await latchkeyLinks(target, n);
  const codes = [];
  let i = 0;
  await load(target.server.url, {
    next: () => ({ method: 'POST', path: `/l/${tokens[Math.min(i++, tokens.length - 1)]}` }),
    amount: tokens.length,
    limitSeconds: 600,
    ok: (status) => status === 303,
    onAnswer: (status, _body, headers) => {
      if (status === 303) codes.push(new URL(headers.location).searchParams.get('lk_code'));
    },
  });
  return codes;
}

function latchkeyScenarios(target) {
  const api = target.apiHeaders;
  const json = (body) => JSON.stringify(body);
  let newUser = 0;
  const create = {
    name: 'create link, existing user',
    kind: 'create',
    fixed: { path: '/v1/magic-links', headers: api, body: json({ email: USER, redirect_url: REDIRECT }) },
    ok: createdOk,
  };
  const createWithSend = {
    name: 'create link with send (outbox)',
    kind: 'create',
    fixed: {
      path: '/v1/magic-links',
      headers: api,
      body: json({ email: USER, redirect_url: REDIRECT, send: true }),
    },
    ok: createdOk,
  };
  return [
    create,
    {
      name: 'create link, new user',
      kind: 'create',
      fixed: { path: '/v1/magic-links', headers: api },
      next: () => ({
        body: json({ email: `new-${runId}-${newUser++}@example.com`, redirect_url: REDIRECT }),
      }),
      ok: createdOk,
    },
    createWithSend,
    // The same two creates at a fixed rate below what either can do: does queueing a message, and sending it on
    // the same cores, slow down the answer to the request that creates the link?
    { ...create, name: 'create link, paced', kind: 'paced' },
    { ...createWithSend, name: 'create link with send, paced', kind: 'paced' },
    {
      name: 'hosted redeem (POST /l/{token})',
      kind: 'verify',
      prepare: (n) => latchkeyLinks(target, n),
      fixed: { method: 'POST' },
      request: (token) => ({ path: `/l/${token}` }),
      ok: (status, headers) => status === 303 && String(headers.location).includes('lk_code='),
      replay: true,
    },
    {
      name: 'embedded redeem',
      kind: 'verify',
      prepare: (n) => latchkeyLinks(target, n),
      fixed: { method: 'POST', path: '/v1/magic-links/redeem', headers: api },
      request: (token) => ({ body: json({ token }) }),
      ok: (status) => status === 200,
      replay: true,
    },
    {
      name: 'code exchange',
      kind: 'verify',
      prepare: (n) => latchkeyCodes(target, n),
      fixed: { method: 'POST', path: '/v1/sessions/exchange', headers: api },
      request: (code) => ({ body: json({ code }) }),
      ok: (status) => status === 200,
      replay: true,
    },
    {
      name: 'stateless signed link (POST /login/{token})',
      kind: 'verify',
      prepare: async (n) => {
        const exp = Math.floor(Date.now() / 1000) + 3600;
        const { kid, secret } = target.keys.signing_key;
        return Array.from({ length: n }, (_, i) =>
          signToken({ sub: `cus_${i % 100}`, exp, jti: randomUUID() }, secret, kid),
        );
      },
      fixed: { method: 'POST' },
      request: (token) => ({ path: `/login/${token}` }),
      ok: (status, headers) => status === 303 && String(headers.location).includes('lk_code='),
      replay: true,
    },
    {
      name: 'JWKS GET',
      kind: 'read',
      fixed: { method: 'GET', path: '/.well-known/jwks.json' },
      ok: (status) => status === 200,
    },
  ];
}

// --- peers --------------------------------------------------------------------------------------------------------

async function recordedPaths(url) {
  const urls = await (await fetch(`${url}/__bench/links`)).json();
  return urls.map((u) => {
    const parsed = new URL(u);
    return `${parsed.pathname}${parsed.search}`;
  });
}

/** Creates `n` links through the peer's own create request; returns the verify paths it "mailed". */
async function peerLinks(server, create, n) {
  await recordedPaths(server.url);
  await load(server.url, {
    ...create.fixed,
    next: () => ({ body: create.bodyFor(nextPoolUser()) }),
    amount: n,
    limitSeconds: 600,
    ok: create.ok,
  });
  return recordedPaths(server.url);
}

function peerScenarios(server, create, cookie) {
  return [
    { name: 'create link, existing user', kind: 'create', ...create },
    {
      name: 'verify link',
      kind: 'verify',
      prepare: (n) => peerLinks(server, create, n),
      fixed: { method: 'GET' },
      request: (path) => ({ path }),
      ok: cookieOk(cookie),
      replay: true,
    },
  ];
}

async function authjsCreate(server) {
  const answer = await fetch(`${server.url}/auth/csrf`);
  const { csrfToken } = await answer.json();
  const cookie = answer.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return {
    fixed: {
      method: 'POST',
      path: '/auth/signin/email',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ email: USER, csrfToken, callbackUrl: '/' }).toString(),
    },
    bodyFor: (email) => new URLSearchParams({ email, csrfToken, callbackUrl: '/' }).toString(),
    ok: (status, headers) => status === 302 && String(headers.location).includes('verify-request'),
  };
}

// --- the run ------------------------------------------------------------------------------------------------------

async function measure(target, scenario, n) {
  if (target.drain) await drained(target.server.url);
  if (scenario.prepare) return poolRun(target.server.url, scenario, n);
  if (scenario.kind === 'paced') {
    return paced(target.server.url, { ...scenario.fixed, ok: scenario.ok }, target.pacedRate);
  }
  return load(target.server.url, { ...scenario.fixed, next: scenario.next, ok: scenario.ok });
}

/** Two Latchkey processes on one PostgreSQL database, loaded together, half the connections each. */
async function measurePair(pair, scenario, n) {
  await Promise.all(pair.map((t) => drained(t.server.url)));
  const conns = Math.max(1, Math.floor(connections / 2));
  const results = await Promise.all(
    pair.map((t) => {
      const s = t.scenarios.find((x) => x.name === scenario.name);
      return s.prepare
        ? poolRun(t.server.url, s, Math.ceil(n / 2), conns)
        : load(t.server.url, { ...s.fixed, next: s.next, ok: s.ok, conns });
    }),
  );
  const sum = (k) => results.reduce((a, r) => a + (r[k] ?? 0), 0);
  return {
    rps: sum('rps'),
    p50: Math.max(...results.map((r) => r.p50)),
    p99: Math.max(...results.map((r) => r.p99)),
    max: Math.max(...results.map((r) => r.max)),
    answered: sum('answered'),
    successes: sum('successes'),
    bad: sum('bad'),
    ...(scenario.prepare ? { pool: sum('pool') } : {}),
    replaySuccesses: scenario.replay ? sum('replaySuccesses') : null,
  };
}

const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));
const fixed1 = (x) => (x == null ? '' : x.toFixed(1));

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-bench-'));
  let schema = null;
  const targets = [];
  try {
    log('starting the servers…');
    const sqliteDir = join(dataDir, 'sqlite');
    mkdirSync(sqliteDir);
    const sqlite = await setUpLatchkey('Latchkey, SQLite', { dir: sqliteDir });
    targets.push({ id: 'latchkey-sqlite', label: 'Latchkey, SQLite', ...sqlite, drain: true });

    if (withPostgres) {
      const fresh = await createSchema(postgresUrl);
      schema = fresh.schema;
      const database = { url: fresh.url };
      const masterKey = randomBytes(32).toString('hex');
      const first = await setUpLatchkey('Latchkey, PostgreSQL', database, masterKey);
      targets.push({ id: 'latchkey-pg', label: 'Latchkey, PostgreSQL', ...first, drain: true });
      const second = await latchkeyProcess('Latchkey, PostgreSQL, 2nd process', database, masterKey);
      targets.push({
        id: 'latchkey-pg-2',
        label: 'Latchkey, PostgreSQL, 2nd process',
        server: second,
        keys: first.keys,
        drain: true,
      });
    }
    const peerDir = join(dataDir, 'peers');
    mkdirSync(peerDir);
    const peer = (file, readyPath) =>
      startProcess(
        join(peers, file),
        () => [],
        (_url, port) => ({ PORT: String(port), DATA_DIR: peerDir }),
        readyPath,
      );
    const [betterAuth, authjs, fastify] = await Promise.all([
      peer('better-auth.mjs', '/__bench/links'),
      peer('authjs.mjs', '/__bench/links'),
      peer('fastify.mjs', '/'),
    ]);
    for (const t of targets) {
      t.apiHeaders = { authorization: `Bearer ${t.keys.api_key}`, 'content-type': 'application/json' };
      t.scenarios = latchkeyScenarios(t);
    }
    const baCreate = {
      fixed: {
        method: 'POST',
        path: '/api/auth/sign-in/magic-link',
        headers: { 'content-type': 'application/json', origin: betterAuth.url },
        body: JSON.stringify({ email: USER, callbackURL: '/' }),
      },
      bodyFor: (email) => JSON.stringify({ email, callbackURL: '/' }),
      ok: (status) => status === 200,
    };
    targets.push({
      id: 'better-auth',
      label: 'better-auth',
      server: betterAuth,
      scenarios: peerScenarios(betterAuth, baCreate, 'better-auth.session_token='),
    });
    targets.push({
      id: 'authjs',
      label: 'Auth.js',
      server: authjs,
      scenarios: peerScenarios(authjs, await authjsCreate(authjs), 'authjs.session-token='),
    });
    targets.push({
      id: 'fastify',
      label: 'bare Fastify route',
      server: fastify,
      scenarios: [
        {
          name: 'POST with a JSON schema, 201',
          kind: 'ceiling',
          fixed: {
            path: '/v1/items',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email: USER, redirect_url: REDIRECT }),
          },
          ok: (status) => status === 201,
        },
      ],
    });

    // Resident memory of every server once started and set up, before any load: what a process costs standing by.
    await sleep(1000);
    const idleRss = Object.fromEntries(targets.map((t) => [t.label, rssOf(t.server.child.pid, 'VmRSS')]));

    // What is measured: every scenario of every server (the second PostgreSQL process only as half of a pair).
    const entries = [];
    for (const t of targets) {
      if (t.id === 'latchkey-pg-2') continue;
      for (const s of t.scenarios) entries.push({ key: `${t.id}:${s.name}`, target: t, scenario: s });
    }
    const pair = targets.filter((t) => t.id.startsWith('latchkey-pg'));
    if (pair.length === 2) {
      for (const name of ['create link, existing user', 'hosted redeem (POST /l/{token})']) {
        const scenario = pair[0].scenarios.find((s) => s.name === name);
        entries.push({
          key: `latchkey-pg-x2:${name}`,
          pair,
          scenario,
          label: 'Latchkey, PostgreSQL, 2 processes',
        });
      }
    }
    const run = (entry, n, limit) =>
      entry.pair
        ? measurePair(entry.pair, entry.scenario, n)
        : limit && !entry.scenario.prepare
          ? load(entry.target.server.url, {
              ...entry.scenario.fixed,
              next: entry.scenario.next,
              ok: entry.scenario.ok,
              limitSeconds: limit,
            })
          : measure(entry.target, entry.scenario, n);

    const estimate = new Map();
    if (!quick) {
      log('warming up (JIT, page caches, the existing users)…');
      for (const entry of entries) {
        if (entry.scenario.kind === 'paced') continue;
        const r = await run(entry, poolMin, 1);
        estimate.set(entry.key, r.rps);
      }
    }
    for (const t of targets) {
      const withSend = estimate.get(`${t.id}:create link with send (outbox)`);
      t.pacedRate = pacedRateOption
        ? Number(pacedRateOption)
        : quick || !withSend
          ? 50
          : Math.max(10, Math.round(withSend / 2 / 10) * 10);
    }
    const loadAtStart = loadavg();
    const results = new Map(entries.map((e) => [e.key, []]));
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? entries : [...entries].reverse();
      for (const entry of order) {
        const n = clamp(Math.ceil((estimate.get(entry.key) ?? 0) * seconds), poolMin, poolMax);
        const r = await run(entry, n);
        results.get(entry.key).push(r);
        estimate.set(entry.key, r.rps);
        log(
          `round ${round + 1}/${rounds} ${entry.label ?? entry.target.label} / ${entry.scenario.name}: ${Math.round(r.rps)} req/s` +
            (r.pool !== undefined
              ? ` (pool ${r.pool}, successes ${r.successes}, replayed ${r.replaySuccesses ?? '-'})`
              : ''),
        );
      }
    }
    const loadAtEnd = loadavg();

    const rss = Object.fromEntries(
      targets.map((t) => {
        const peak = peakRss(t.server.child.pid);
        return [t.label, peak === null ? null : Math.max(peak, idleRss[t.label] ?? 0)];
      }),
    );
    const rows = entries.map((entry) => {
      const runs = results.get(entry.key);
      const mean = (k) => runs.reduce((a, r) => a + r[k], 0) / runs.length;
      const pooled = runs[0].pool !== undefined;
      return {
        server: entry.label ?? entry.target.label,
        scenario: entry.scenario.name,
        kind: entry.scenario.kind,
        rps: Math.round(mean('rps')),
        p50_ms: mean('p50'),
        p99_ms: mean('p99'),
        max_ms: Math.max(...runs.map((r) => r.max)),
        failed: runs.reduce((a, r) => a + r.bad, 0),
        ...(pooled
          ? {
              redeem_check: {
                pool: runs.reduce((a, r) => a + r.pool, 0),
                successes: runs.reduce((a, r) => a + r.successes, 0),
                replay_successes: entry.scenario.replay
                  ? runs.reduce((a, r) => a + r.replaySuccesses, 0)
                  : null,
              },
            }
          : {}),
        runs,
      };
    });
    const find = (server, kind) => rows.find((r) => r.server === server && r.kind === kind)?.rps;
    const ceiling = find('bare Fastify route', 'ceiling');
    for (const row of rows) {
      if (row.redeem_check) {
        const c = row.redeem_check;
        c.ok = c.successes === c.pool && (c.replay_successes === null || c.replay_successes === 0);
      }
      if (!row.server.startsWith('Latchkey')) continue;
      const peerKind = row.kind === 'create' || row.kind === 'verify' ? row.kind : null;
      const ba = peerKind && find('better-auth', peerKind);
      const aj = peerKind && find('Auth.js', peerKind);
      row.x_better_auth = ba ? row.rps / ba : null;
      row.x_authjs = aj ? row.rps / aj : null;
      // A paced run's rate is the one it was given, not a measure of speed.
      row.of_fastify = ceiling && row.kind !== 'paced' ? row.rps / ceiling : null;
    }
    const pgOne = rows.find(
      (r) => r.server === 'Latchkey, PostgreSQL' && r.scenario === 'create link, existing user',
    );
    const pgTwo = rows.find((r) => r.server === 'Latchkey, PostgreSQL, 2 processes' && r.kind === 'create');
    const pgOneRedeem = rows.find(
      (r) => r.server === 'Latchkey, PostgreSQL' && r.scenario.startsWith('hosted'),
    );
    const pgTwoRedeem = rows.find(
      (r) => r.server === 'Latchkey, PostgreSQL, 2 processes' && r.kind === 'verify',
    );
    const scaling =
      pgOne && pgTwo
        ? { create: pgTwo.rps / pgOne.rps, hosted_redeem: pgTwoRedeem.rps / pgOneRedeem.rps }
        : null;

    // Issue 4's measure: creating with `send: true` (the worker in the same process) against creating without,
    // flat out and at a fixed rate.
    const latchkeyServers = targets.filter((t) => t.id !== 'latchkey-pg-2' && t.apiHeaders);
    const sendRatios = latchkeyServers.flatMap(({ label: server, pacedRate }) => {
      const row = (name) => rows.find((r) => r.server === server && r.scenario === name);
      const plain = row('create link, existing user');
      const send = row('create link with send (outbox)');
      const pacedPlain = row('create link, paced');
      const pacedSend = row('create link with send, paced');
      if (!plain || !send) return [];
      const latency = (r) => r && { rps: r.rps, p50_ms: r.p50_ms, p99_ms: r.p99_ms };
      return [
        {
          server,
          ratio: send.rps / plain.rps,
          paced: { rate: pacedRate, without_send: latency(pacedPlain), with_send: latency(pacedSend) },
        },
      ];
    });

    const machine = `${cpus().length} × ${cpus()[0]?.model?.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
    const loadText = (l) => l.map((x) => x.toFixed(2)).join(', ');
    const ratio = (x) => (x == null ? '' : `${x.toFixed(1)}×`);
    const out = [];
    out.push(
      `Latchkey benchmark: ${machine}; ${connections} connections; ${rounds} × ${seconds} s per scenario, alternated.`,
      `Load average (1, 5, 15 min) at the start: ${loadText(loadAtStart)}; at the end: ${loadText(loadAtEnd)}.`,
      '',
      '| server | scenario | req/s | p50 ms | p99 ms | max ms | failed | × better-auth | × Auth.js | of Fastify |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const r of rows) {
      out.push(
        `| ${r.server} | ${r.scenario.replaceAll('|', '\\|')} | ${r.rps} | ${fixed1(r.p50_ms)} | ${fixed1(r.p99_ms)} | ${r.max_ms} | ${r.failed} | ${ratio(r.x_better_auth)} | ${ratio(r.x_authjs)} | ${r.of_fastify == null ? '' : `${Math.round(r.of_fastify * 100)} %`} |`,
      );
    }
    out.push('', '| server process | idle RSS MiB | peak RSS MiB |', '| --- | ---: | ---: |');
    for (const [label, mib] of Object.entries(rss))
      out.push(`| ${label} | ${idleRss[label] ?? '?'} | ${mib ?? '?'} |`);
    out.push('');
    for (const r of rows.filter((x) => x.redeem_check)) {
      const c = r.redeem_check;
      out.push(
        `one-time check, ${r.server} / ${r.scenario}: ${c.successes} of ${c.pool} redeemed` +
          (c.replay_successes === null ? '' : `, ${c.replay_successes} on replay`) +
          (c.ok ? ' (ok)' : ' (FAILED)'),
      );
    }
    if (scaling) {
      out.push(
        `PostgreSQL, two processes against one: create ${scaling.create.toFixed(2)}×, hosted redeem ${scaling.hosted_redeem.toFixed(2)}×`,
      );
    }
    for (const { server, ratio, paced } of sendRatios) {
      out.push(`${server}: create with send at ${Math.round(ratio * 100)} % of create without it`);
      const { without_send: a, with_send: b } = paced;
      if (a && b) {
        out.push(
          `${server}: at ${paced.rate} creates/s, p50 / p99 ${fixed1(a.p50_ms)} / ${fixed1(a.p99_ms)} ms without send, ${fixed1(b.p50_ms)} / ${fixed1(b.p99_ms)} ms with it`,
        );
      }
    }
    process.stdout.write(`${out.join('\n')}\n`);

    mkdirSync(dirname(outFile), { recursive: true });
    writeFileSync(
      outFile,
      JSON.stringify(
        {
          at: new Date().toISOString(),
          machine,
          load_average: { start: loadAtStart, end: loadAtEnd },
          connections,
          seconds,
          rounds,
          quick,
          rows,
          idle_rss_mib: idleRss,
          peak_rss_mib: rss,
          postgres_two_processes: scaling,
          send_against_create: Object.fromEntries(
            sendRatios.map((r) => [r.server, { ratio: r.ratio, paced: r.paced }]),
          ),
        },
        null,
        2,
      ),
    );
    if (rows.some((r) => r.failed > 0 || r.redeem_check?.ok === false)) process.exitCode = 1;
  } finally {
    await Promise.all([...children].map(stop));
    if (schema) await dropSchema(postgresUrl, schema);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const child of children) child.kill('SIGKILL');
    process.exit(130);
  });
}
await main();
