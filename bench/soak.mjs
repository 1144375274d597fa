#!/usr/bin/env node
// The soak: one Latchkey server (the production build, `latchkey start`) under a steady, mixed load for some
// minutes, to see whether it stays the same over time. Memory that keeps growing or latency that drifts up shows
// as a difference between the second minute (the first is warm-up: JIT, caches, the users being created) and the
// last one.
//
// Everything runs on 127.0.0.1: the server (embedded SQLite in a temp dir, or a fresh schema on PostgreSQL), an SMTP
// sink that takes the mail it sends, and an HTTP receiver for its webhooks, which checks their signatures. The load
// is open-loop: requests are sent at a fixed rate whether or not earlier ones have been answered, and latency counts
// from when a request was due, so a server that falls behind shows it instead of slowing the load down.
//
// Usage: npm run soak [-- --minutes N] [--rate R] [--json FILE] [--database postgres://…]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request as httpRequest } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { verifyWebhook } from '@latchkey/server/webhooks';
import { SMTPServer } from 'smtp-server';
import {
  children,
  configureForLoad,
  createSchema,
  dropSchema,
  initLatchkey,
  REDIRECT,
  sleep,
  startLatchkey,
  stop,
} from './servers.mjs';

const USAGE = `Usage: npm run soak [-- options]
  --minutes N        how long to run, in minutes (default 10, at least 2)
  --rate R           requests a second, spread evenly (default 150)
  --json FILE        also write the per-minute figures and the verdict to FILE
  --database URL     soak PostgreSQL (e.g. postgres://postgres@127.0.0.1:5432/test) in a fresh schema, dropped
                     afterwards; default: embedded SQLite in a temp dir
  --minute-seconds S the length of a "minute" (default 60; shorter to try the script out)
Exit code: 0 when RSS and overall p99 in the last minute are at most 15 % above the second minute and every
mail and webhook arrived; 1 otherwise; 2 on bad usage; 130 when interrupted.`;

const args = process.argv.slice(2);
if (args.includes('--help')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const MINUTES = Number(option('--minutes', 10));
const RATE = Number(option('--rate', 150));
const MINUTE_MS = Number(option('--minute-seconds', 60)) * 1000;
const JSON_FILE = option('--json', null);
const DATABASE = option('--database', null);
if (!Number.isInteger(MINUTES) || MINUTES < 2 || !(RATE > 0) || !(MINUTE_MS >= 1000)) {
  process.stderr.write(`soak: --minutes must be a whole number ≥ 2 (the verdict compares the last minute to the
second), --rate and --minute-seconds positive numbers.\n${USAGE}\n`);
  process.exit(2);
}

/** The verdict fails when RSS or overall p99 in the last minute is more than this far above the second minute. */
const THRESHOLD = 0.15;
/** A request not answered in this long counts as an error ("timeout"). */
const TIMEOUT_MS = 30_000;
/** After the load, how long mail and webhooks may take to arrive in full. */
const DELIVERY_GRACE_MS = 60_000;
/**
 * The mix, one slot per request, repeated: of ten requests, three create a link (one of them with `send: true`), two
 * redeem one, two exchange the code of a redeem, three refresh a session. So a third of the links are never used
 * (they expire, as unused links do), and sessions are refreshed more often than they are opened.
 */
const MIX = [
  'create',
  'redeem',
  'refresh',
  'exchange',
  'send',
  'refresh',
  'create',
  'redeem',
  'exchange',
  'refresh',
];
const KINDS = ['create', 'send', 'redeem', 'exchange', 'refresh'];
/** The links are for this many people in turn: the first minute creates them, later ones sign them in again. */
const USERS = 1000;
/** Links waiting to be redeemed, and sessions to refresh, at most: the oldest are left alone beyond that. */
const MAX_WAITING_LINKS = 500;
const MAX_SESSIONS = 2000;
/** Which events the receiver subscribes to: one per sent message, two per sign-in. */
const EVENT_TYPES = ['magic_link.sent', 'magic_link.redeemed', 'session.created'];

const log = (line) => process.stderr.write(`${line}\n`);
/** Aborted by Ctrl-C or by the server dying: the load stops and everything started is cleaned up. */
const abort = new AbortController();

// --- the receivers -------------------------------------------------------------------------------------------------

/** An SMTP server that takes every message and counts it; what the server sends is not checked beyond arriving. */
async function startSmtpSink() {
  const sink = { messages: 0 };
  const server = new SMTPServer({
    authOptional: true,
    // Plain SMTP on loopback: no certificate to make, and nodemailer sends in clear when STARTTLS is not offered.
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('end', () => {
        sink.messages++;
        callback();
      });
      stream.resume();
    },
  });
  server.on('error', (error) => log(`SMTP sink: ${error.message}`));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.url = `smtp://127.0.0.1:${server.server.address().port}`;
  sink.close = () => new Promise((resolve) => server.close(resolve));
  return sink;
}

/**
 * The app's webhook receiver: verifies each delivery's signature as an app would, counts distinct event ids (a
 * delivery may come twice) by type, and answers 204. A delivery that does not verify is answered 400 and counted.
 */
async function startWebhookReceiver() {
  const hooks = { secret: null, received: 0, invalid: 0, ids: new Set(), byType: {} };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      try {
        const event = verifyWebhook(Buffer.concat(chunks), req.headers, hooks.secret);
        hooks.received++;
        const id = req.headers['webhook-id'];
        if (!hooks.ids.has(id)) {
          hooks.ids.add(id);
          hooks.byType[event.type] = (hooks.byType[event.type] ?? 0) + 1;
        }
        res.writeHead(204).end();
      } catch {
        hooks.invalid++;
        res.writeHead(400).end();
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  hooks.url = `http://127.0.0.1:${server.address().port}/hooks/latchkey`;
  hooks.close = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  };
  return hooks;
}

// --- the server ----------------------------------------------------------------------------------------------------

/** A fresh database: a directory under `dir` for SQLite, or a new PostgreSQL schema (dropped by `cleanup`). */
async function prepareDatabase(dir) {
  if (!DATABASE) return { database: { dir }, cleanup: async () => {} };
  const { schema, url } = await createSchema(DATABASE, 'lk_soak');
  return {
    database: { url },
    // PostgreSQL has no data dir to generate the master key into.
    masterKey: randomBytes(32).toString('hex'),
    cleanup: () => dropSchema(DATABASE, schema),
  };
}

/**
 * Starts the server with V8's GC trace on its standard output: the heap left after each full (mark-compact)
 * collection is what a leak makes grow, where RSS and the heap in use also rise and fall with garbage not yet
 * collected. `gc.afterFull` gets each such figure (MiB); the server's other output goes on to standard error.
 */
async function startServer(database, masterKey, smtp, gc) {
  const server = await startLatchkey(database, {
    masterKey,
    env: {
      LATCHKEY_SMTP_URL: smtp.url,
      // The receiver is on loopback, which webhook endpoints may not point at otherwise.
      LATCHKEY_WEBHOOK_ALLOW_PRIVATE: 'true',
    },
    nodeArgs: ['--trace-gc'],
    stdout: 'pipe',
  });
  // Lines like "[pid:0x9bea750]  5123 ms: Mark-Compact 95.1 (104.2) -> 51.8 (100.3) MB, …", where 0x… names the
  // isolate: worker threads (the WAL checkpointer) have their own small heaps. The main thread's isolate is the
  // first to collect, while the modules load, before any worker starts.
  let main = null;
  createInterface({ input: server.child.stdout }).on('line', (line) => {
    const isolate = /^\[\d+:(0x[0-9a-f]+)\]/.exec(line)?.[1];
    if (!isolate) return log(line);
    main ??= isolate;
    const full = /: Mark-Compact[^\d]*[\d.]+ \([\d.]+\) -> ([\d.]+) \(/.exec(line);
    if (full && isolate === main) gc.afterFull(Number(full[1]));
  });
  server.child.once('exit', (code, signal) => {
    if (!abort.signal.aborted) abort.abort(new Error(`the server exited (${signal ?? `code ${code}`})`));
  });
  return server;
}

async function createWebhookEndpoint(server, keys, hooks) {
  const answer = await fetch(`${server.url}/v1/webhook-endpoints`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys.api_key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: hooks.url, event_types: EVENT_TYPES, description: 'soak receiver' }),
  });
  if (answer.status !== 201) throw new Error(`could not create the webhook endpoint: ${await answer.text()}`);
  hooks.secret = (await answer.json()).secret;
}

/** The server's resident set size now (VmRSS), in MiB; null once it has gone. */
function rssMiB(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return null;
  }
}

/** CPU time the server has used so far (user + system), in seconds; Linux counts it in ticks of 1/100 s. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // After the command name: state is field 3 of the line, utime 14 and stime 15.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU time all processes of the machine have used so far and the time that has passed, in ticks of all cores
 * together: the server shares the cores with this process and whatever else runs, and this shows how busy they were.
 */
function machineTicks() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  // idle and iowait are the 4th and 5th numbers.
  return { busy: total - fields[3] - fields[4], total };
}

/**
 * From the server's Prometheus metrics: the V8 heap in use (MiB), which tells a leak of JavaScript objects from RSS
 * that grows for other reasons (native memory, allocator pages not handed back), and the messages waiting in the
 * outbox. Null when the scrape fails.
 */
async function scrape(url) {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const heap = /^latchkey_nodejs_heap_size_used_bytes (\S+)/m.exec(text);
    const waiting = [
      ...text.matchAll(/^latchkey_outbox_messages\{status="(?:pending|sending)"\} (\d+)/gm),
    ].reduce((a, m) => a + Number(m[1]), 0);
    return { heapMiB: heap ? Number(heap[1]) / 2 ** 20 : null, outboxWaiting: waiting };
  } catch {
    return null;
  }
}

// --- the requests --------------------------------------------------------------------------------------------------

/**
 * One request over the kept-alive sockets; resolves with the status, headers and body. Rejects on a socket error
 * or when no answer came within TIMEOUT_MS.
 */
function call(client, method, path, body) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? '' : JSON.stringify(body);
    const headers = { 'content-length': Buffer.byteLength(payload) };
    if (body !== undefined) Object.assign(headers, client.headers, { 'content-type': 'application/json' });
    const req = httpRequest(`${client.url}${path}`, { method, headers, agent: client.agent }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
    });
    const timer = setTimeout(() => req.destroy(new Error('timeout')), TIMEOUT_MS);
    req.on('close', () => clearTimeout(timer));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Adds to the end of a list of work, dropping its oldest item beyond `max`. */
function keep(list, item, max) {
  list.push(item);
  if (list.length > max) list.shift();
}

/**
 * The operations of the mix. Each takes what it needs from `work` (the links to redeem, the codes to exchange, the
 * refresh tokens of open sessions), puts back what its answer gives for the next step, and returns null on success
 * or what to count the failure as (the status).
 */
function operations(client, work) {
  let user = 0;
  const create = async (send) => {
    const email = `soak-${user++ % USERS}@example.com`;
    const res = await call(client, 'POST', '/v1/magic-links', { email, redirect_url: REDIRECT, send });
    if (res.status !== 201) return String(res.status);
    keep(work.links, JSON.parse(res.body).magic_link.secret, MAX_WAITING_LINKS);
    return null;
  };
  return {
    create: () => create(false),
    send: () => create(true),
    // The button of the link's page: spends the link, answers 303 to the app with ?lk_code= (not followed).
    redeem: async () => {
      const res = await call(client, 'POST', `/l/${work.links.shift()}`);
      const code = res.status === 303 ? new URL(res.headers.location).searchParams.get('lk_code') : null;
      if (!code) return res.status === 303 ? '303 without lk_code' : String(res.status);
      work.codes.push(code);
      return null;
    },
    exchange: async () => {
      const res = await call(client, 'POST', '/v1/sessions/exchange', { code: work.codes.shift() });
      if (res.status !== 200) return String(res.status);
      keep(work.sessions, JSON.parse(res.body).session.refresh_token, MAX_SESSIONS);
      return null;
    },
    // A refresh token works once: the new one goes back for a later refresh of the same session.
    refresh: async () => {
      const res = await call(client, 'POST', '/v1/sessions/refresh', {
        refresh_token: work.sessions.shift(),
      });
      if (res.status !== 200) return String(res.status);
      keep(work.sessions, JSON.parse(res.body).session.refresh_token, MAX_SESSIONS);
      return null;
    },
  };
}

/** The kind the mix wants for request `i`, or a plain create while nothing is there yet for it to work on. */
function kindFor(i, work) {
  const kind = MIX[i % MIX.length];
  const waiting = { redeem: work.links, exchange: work.codes, refresh: work.sessions }[kind];
  return waiting && waiting.length === 0 ? 'create' : kind;
}

// --- the figures ---------------------------------------------------------------------------------------------------

function newMinute(index) {
  return {
    index,
    answered: 0,
    pending: 0,
    closed: false,
    errors: {},
    latencies: Object.fromEntries(KINDS.map((k) => [k, []])),
    rss: [],
    heap: [],
    heapAfterGc: [],
    outbox: [],
  };
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

function percentiles(values) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
}

/** A finished minute's figures, as printed and written to --json. */
function summarise(minute) {
  const byKind = Object.fromEntries(KINDS.map((k) => [k, percentiles(minute.latencies[k])]));
  const mean = (values) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  return {
    minute: minute.index + 1,
    requests: minute.answered,
    errors: minute.errors,
    all: percentiles(KINDS.flatMap((k) => minute.latencies[k])),
    ...byKind,
    rss_mib: mean(minute.rss),
    rss_max_mib: Math.max(...minute.rss),
    heap_used_mib: mean(minute.heap),
    // The lowest of the minute's full collections; null when none ran in it.
    heap_after_full_gc_mib: minute.heapAfterGc.length ? Math.min(...minute.heapAfterGc) : null,
    full_gcs: minute.heapAfterGc.length,
    outbox_waiting_max: Math.max(0, ...minute.outbox),
    server_cpu_percent: minute.cpuPercent,
    machine_cpu_percent: minute.machinePercent,
    soak_cpu_percent: minute.ownPercent,
    webhooks: minute.webhooks,
    mails: minute.mails,
    load_average: minute.load,
  };
}

const ms = (x) => (x == null ? '–' : x.toFixed(1));
const pair = (p) => (p ? `${ms(p.p50)} / ${ms(p.p99)}` : '–');
const errorText = (errors) =>
  Object.entries(errors)
    .map(([what, n]) => `${what}×${n}`)
    .join(' ') || '–';

const HEADER = [
  '| min | requests | errors | all p50 / p99 ms | create | create + send | redeem | exchange | refresh | RSS MiB | heap MiB: in use / after full GC | server CPU | all cores busy | webhooks | mails |',
  '| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
];

const row = (s) =>
  `| ${s.minute} | ${s.requests} | ${errorText(s.errors)} | ${pair(s.all)} | ${KINDS.map((k) => pair(s[k])).join(' | ')} | ${Math.round(s.rss_mib)} | ${Math.round(s.heap_used_mib)} / ${s.heap_after_full_gc_mib == null ? '–' : Math.round(s.heap_after_full_gc_mib)} | ${Math.round(s.server_cpu_percent)} % | ${Math.round(s.machine_cpu_percent)} % | ${s.webhooks} | ${s.mails} |`;

// --- the load ------------------------------------------------------------------------------------------------------

/**
 * Sends RATE requests a second for MINUTES minutes and prints each minute's line once every request due in it has
 * been answered. Once a second it samples the server's RSS; at each minute's end it takes the server's CPU time and
 * how many webhooks and mails arrived. Resolves with the minutes' figures and the totals of successes by kind.
 */
async function drive(server, keys, hooks, smtp, gc) {
  const client = {
    url: server.url,
    headers: { authorization: `Bearer ${keys.api_key}` },
    // Enough sockets that a few slow answers do not hold up the requests behind them.
    agent: new Agent({ keepAlive: true, maxSockets: 32 }),
  };
  const work = { links: [], codes: [], sessions: [] };
  const run = operations(client, work);
  const pid = server.child.pid;
  const minutes = Array.from({ length: MINUTES }, (_, i) => newMinute(i));
  const summaries = [];
  const successes = Object.fromEntries(KINDS.map((k) => [k, 0]));
  // Requests are counted to a minute by their number, not their due time, so that each gets exactly its share.
  const perMinute = (RATE * MINUTE_MS) / 1000;
  const total = Math.round(MINUTES * perMinute);
  let sent = 0;
  const started = performance.now();
  let reported = 0;
  let last = {
    time: started,
    cpu: cpuSeconds(pid),
    machine: machineTicks(),
    own: process.cpuUsage(),
    webhooks: 0,
    mails: 0,
  };

  // Minutes are printed in order, each once it has ended and all its requests are answered.
  const report = () => {
    while (reported < MINUTES && minutes[reported].closed && minutes[reported].pending === 0) {
      const summary = summarise(minutes[reported++]);
      summaries.push(summary);
      process.stdout.write(`${row(summary)}\n`);
    }
  };
  const close = (minute) => {
    const now = {
      time: performance.now(),
      cpu: cpuSeconds(pid),
      machine: machineTicks(),
      own: process.cpuUsage(),
      webhooks: hooks.received,
      mails: smtp.messages,
    };
    // Over the time since the last minute closed: the last one closes a little late, when all is answered.
    minute.cpuPercent = ((now.cpu - last.cpu) / ((now.time - last.time) / 1000)) * 100;
    minute.machinePercent =
      ((now.machine.busy - last.machine.busy) / (now.machine.total - last.machine.total)) * 100;
    const ownMicros = now.own.user + now.own.system - last.own.user - last.own.system;
    minute.ownPercent = (ownMicros / 1000 / (now.time - last.time)) * 100;
    minute.webhooks = now.webhooks - last.webhooks;
    minute.mails = now.mails - last.mails;
    minute.load = loadavg()[0];
    minute.closed = true;
    last = now;
    report();
  };
  const minuteNow = () => Math.floor((performance.now() - started) / MINUTE_MS);
  gc.afterFull = (mib) => minutes[Math.min(MINUTES - 1, minuteNow())].heapAfterGc.push(mib);
  let ticks = 0;
  const sampler = setInterval(() => {
    const index = minuteNow();
    const rss = rssMiB(pid);
    if (index < MINUTES && rss !== null) minutes[index].rss.push(rss);
    // The metrics every 5 s, as a Prometheus server might scrape them: each scrape costs the server a little.
    if (index < MINUTES && ticks++ % 5 === 0) {
      scrape(server.url).then((m) => {
        if (m?.heapMiB != null) minutes[index].heap.push(m.heapMiB);
        if (m) minutes[index].outbox.push(m.outboxWaiting);
      });
    }
    // A minute is over once the time is past it and its last request has gone out; the last minute once the
    // loop below has sent everything.
    for (let i = 0; i < Math.min(index, MINUTES - 1); i++) {
      if (!minutes[i].closed && sent >= (i + 1) * perMinute) close(minutes[i]);
    }
  }, 1000);

  const issue = (i, due) => {
    const minute = minutes[Math.min(MINUTES - 1, Math.floor(i / perMinute))];
    const kind = kindFor(i, work);
    minute.pending++;
    const count = (failure) => {
      minute.latencies[kind].push(performance.now() - due);
      minute.answered++;
      if (failure) minute.errors[failure] = (minute.errors[failure] ?? 0) + 1;
      else successes[kind]++;
      minute.pending--;
      report();
    };
    run[kind]().then(count, (error) =>
      count(error.message === 'timeout' ? 'timeout' : (error.code ?? 'error')),
    );
  };

  process.stdout.write(`${HEADER.join('\n')}\n`);
  try {
    while (sent < total && !abort.signal.aborted) {
      const elapsed = performance.now() - started;
      const due = Math.min(total, Math.floor((elapsed / 1000) * RATE) + 1);
      for (; sent < due; sent++) issue(sent, started + (sent / RATE) * 1000);
      await sleep(Math.max(1, (sent / RATE) * 1000 - (performance.now() - started)));
    }
    // The last minute ends when its requests have been sent; its line comes once they are answered.
    while (minutes.some((m) => m.pending > 0) && !abort.signal.aborted) await sleep(50);
  } finally {
    clearInterval(sampler);
    client.agent.destroy();
  }
  abort.signal.throwIfAborted();
  for (const minute of minutes) if (!minute.closed) close(minute);
  return { summaries, successes };
}

/**
 * After the load: waits until every message the server should have sent has arrived (a mail per link created with
 * `send`; webhooks: `magic_link.sent` per mail, `magic_link.redeemed` and `session.created` per redeem).
 */
async function awaitDeliveries(successes, hooks, smtp) {
  const expected = { mails: successes.send, webhooks: successes.send + 2 * successes.redeem };
  const arrived = () => ({ mails: smtp.messages, webhooks: hooks.ids.size });
  const started = performance.now();
  const deadline = started + DELIVERY_GRACE_MS;
  while (performance.now() < deadline && !abort.signal.aborted) {
    const now = arrived();
    if (now.mails >= expected.mails && now.webhooks >= expected.webhooks) break;
    await sleep(200);
  }
  abort.signal.throwIfAborted();
  const now = arrived();
  return {
    expected,
    arrived: now,
    seconds_after_load: (performance.now() - started) / 1000,
    duplicate_webhooks: hooks.received - hooks.ids.size,
    invalid_webhooks: hooks.invalid,
    by_type: hooks.byType,
    ok: now.mails >= expected.mails && now.webhooks >= expected.webhooks && hooks.invalid === 0,
  };
}

// --- the verdict ---------------------------------------------------------------------------------------------------

/**
 * Least-squares slope of a figure (RSS, the heap after full GC) over minutes 2 to the last, in MiB a minute: a leak
 * grows steadily, noise does not. Minutes without the figure are left out.
 */
function slope(summaries, key) {
  const points = summaries
    .slice(1)
    .filter((s) => s[key] != null)
    .map((s) => [s.minute, s[key]]);
  if (points.length < 2) return null;
  const mean = (f) => points.reduce((a, p) => a + f(p), 0) / points.length;
  const mx = mean((p) => p[0]);
  const my = mean((p) => p[1]);
  const num = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const den = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

function verdict(summaries, deliveries) {
  const second = summaries[1];
  const last = summaries.at(-1);
  const change = (from, to) => (to - from) / from;
  const rss = { second: second.rss_mib, last: last.rss_mib, change: change(second.rss_mib, last.rss_mib) };
  const p99 = { second: second.all.p99, last: last.all.p99, change: change(second.all.p99, last.all.p99) };
  // Not judged, but next to the verdict: a p99 that moves with how busy the machine was, while the server's own
  // CPU stays put, is other work on the machine rather than the server slowing down.
  const busy = { second: second.machine_cpu_percent, last: last.machine_cpu_percent };
  const serverCpu = { second: second.server_cpu_percent, last: last.server_cpu_percent };
  return {
    threshold: THRESHOLD,
    rss,
    p99,
    all_cores_busy_percent: busy,
    server_cpu_percent: serverCpu,
    rss_slope_mib_per_minute: slope(summaries, 'rss_mib'),
    heap_after_full_gc_slope_mib_per_minute: slope(summaries, 'heap_after_full_gc_mib'),
    deliveries_ok: deliveries.ok,
    pass: rss.change <= THRESHOLD && p99.change <= THRESHOLD && deliveries.ok,
  };
}

const signed = (x) => (x == null ? '–' : `${x >= 0 ? '+' : ''}${x.toFixed(2)}`);
const percent = (x) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;

function printVerdict(v, deliveries) {
  const d = deliveries;
  const lines = [
    '',
    `deliveries: ${d.arrived.mails} of ${d.expected.mails} mails, ${d.arrived.webhooks} of ${d.expected.webhooks} webhooks ` +
      `(${Object.entries(d.by_type)
        .map(([t, n]) => `${t} ${n}`)
        .join(', ')}; ${d.duplicate_webhooks} duplicates, ${d.invalid_webhooks} that did not verify), ` +
      `all in ${d.seconds_after_load.toFixed(1)} s after the load${d.ok ? '' : ' (MISSING)'}`,
    ...(MINUTES >= 3
      ? [
          `over minutes 2–${MINUTES} (least squares): RSS ${signed(v.rss_slope_mib_per_minute)} MiB a minute, ` +
            `the heap after full GC ${signed(v.heap_after_full_gc_slope_mib_per_minute)} MiB a minute`,
        ]
      : []),
    `CPU in minute ${MINUTES} against minute 2: the server ${Math.round(v.server_cpu_percent.last)} % of a core against ${Math.round(v.server_cpu_percent.second)} %, ` +
      `all cores ${Math.round(v.all_cores_busy_percent.last)} % busy against ${Math.round(v.all_cores_busy_percent.second)} %`,
    `verdict: RSS ${v.rss.last.toFixed(0)} MiB in minute ${MINUTES} against ${v.rss.second.toFixed(0)} in minute 2 (${percent(v.rss.change)}), ` +
      `p99 ${ms(v.p99.last)} ms against ${ms(v.p99.second)} ms (${percent(v.p99.change)}); ` +
      `at most +${v.threshold * 100} % allowed: ${v.pass ? 'PASS' : 'FAIL'}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

// --- the run -------------------------------------------------------------------------------------------------------

function describeRun() {
  const machine = `${cpus().length} × ${cpus()[0]?.model?.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const database = DATABASE ? 'PostgreSQL (a fresh schema)' : 'embedded SQLite (a temp dir)';
  return { machine, database };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-soak-'));
  // Undone in reverse order on the way out, whatever happens.
  const cleanups = [];
  try {
    const { machine, database: databaseText } = describeRun();
    const smtp = await startSmtpSink();
    cleanups.push(smtp.close);
    const hooks = await startWebhookReceiver();
    cleanups.push(hooks.close);
    const { database, masterKey, cleanup } = await prepareDatabase(dir);
    cleanups.push(cleanup);
    const keys = initLatchkey(database, masterKey);
    // Full collections before the load are of no interest; drive() counts those during it.
    const gc = { afterFull: () => {} };
    const server = await startServer(database, masterKey, smtp, gc);
    cleanups.push(() => stop(server.child));
    await configureForLoad(server.url, keys);
    await createWebhookEndpoint(server, keys, hooks);
    abort.signal.throwIfAborted();

    const at = new Date().toISOString();
    process.stdout.write(
      `Latchkey soak, ${at}: ${MINUTES} × ${MINUTE_MS / 1000} s at ${RATE} requests/s on ${databaseText}; ${machine}.\n` +
        `Mix of ten: 2 create, 1 create with send, 2 redeem, 2 exchange, 3 refresh; mail to an SMTP sink, webhooks ` +
        `(${EVENT_TYPES.join(', ')}) to a receiver, both on 127.0.0.1. Latency from when each request was due.\n` +
        `Load average at the start: ${loadavg()
          .map((x) => x.toFixed(2))
          .join(', ')}.\n\n`,
    );
    const { summaries, successes } = await drive(server, keys, hooks, smtp, gc);
    const deliveries = await awaitDeliveries(successes, hooks, smtp);
    const v = verdict(summaries, deliveries);
    printVerdict(v, deliveries);
    if (JSON_FILE) {
      const figures = { at, command: `node bench/soak.mjs ${args.join(' ')}`.trim(), machine, rate: RATE };
      Object.assign(figures, { database: databaseText, minute_seconds: MINUTE_MS / 1000, mix: MIX });
      Object.assign(figures, { minutes: summaries, successes, deliveries, verdict: v });
      writeFileSync(JSON_FILE, `${JSON.stringify(figures, null, 2)}\n`);
    }
    return v.pass ? 0 : 1;
  } finally {
    for (const undo of cleanups.reverse()) await undo().catch((error) => log(`cleanup: ${error.message}`));
    rmSync(dir, { recursive: true, force: true });
  }
}

// Ctrl-C stops the load and cleans up (the server, the receivers, the schema, the temp dir); a second one stops at
// once. Whatever way this process ends, the server does not outlive it.
process.once('SIGINT', () => {
  log('interrupted: stopping…');
  abort.abort(new Error('interrupted'));
  process.once('SIGINT', () => process.exit(130));
});
process.once('SIGTERM', () => abort.abort(new Error('interrupted')));
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

try {
  process.exitCode = await main();
} catch (error) {
  const interrupted = abort.signal.aborted && abort.signal.reason?.message === 'interrupted';
  // Why the load was stopped says enough; anything else gets its stack.
  log(`soak: ${error === abort.signal.reason ? error.message : (error?.stack ?? error)}`);
  process.exitCode = interrupted ? 130 : 1;
}
