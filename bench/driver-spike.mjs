#!/usr/bin/env node
// Issue 21's driver spike: `pg` (what Latchkey uses, through Kysely) against `postgres` (porsager's postgres.js,
// which prepares every statement and pipelines queries on a connection), on the two statement shapes a hosted
// redeem sends on PostgreSQL: a read of one row by its key, then one data-modifying statement (a guarded UPDATE
// with an INSERT in a CTE, written only if the UPDATE changed a row).
//
// Each driver runs the same loop: C concurrent workers, each reading then redeeming a link of its own, for S
// seconds, on a pool of C connections, in this one process; the figures are redeems per second and this process's
// CPU time per redeem (process.cpuUsage), the part of the cost a driver decides. `pg` runs twice: with unnamed
// statements (what Kysely sends) and with named ones (storage/prepared-statements.ts). Rounds alternate the order.
//
// Usage: node bench/driver-spike.mjs [--seconds S] [--connections C] [--rounds R]
// PostgreSQL from LATCHKEY_BENCH_DATABASE_URL, else the local test database (a new schema, dropped at the end).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import postgres from 'postgres';
import { BENCH_POSTGRES_URL, createSchema, dropSchema, option } from './servers.mjs';

const seconds = Number(option('--seconds', 5));
const connections = Number(option('--connections', 10));
const rounds = Number(option('--rounds', 3));
const postgresUrl = BENCH_POSTGRES_URL;

const READ = 'select * from links where token_hash = $1';
const REDEEM = `with spent as (
    update links set status = 'redeemed', redeemed_at = $2, session_id = $3
    where token_hash = $1 and status in ('created', 'sent', 'opened') and expires_at > $2
    returning id, user_id
  ), session as (
    insert into sessions (id, user_id, created_at, expires_at)
    select $3, user_id, $2, $2 + 86400000 from spent
    returning id
  )
  select spent.id as link_id, session.id as session_id from spent, session`;

const { schema, url } = await createSchema(postgresUrl, 'lk_driver_spike');
const setup = new pg.Client({ connectionString: url });
await setup.connect();
await setup.query(`
  create table links (id text primary key, token_hash text unique not null, user_id text not null, status text not null,
    expires_at bigint not null, redeemed_at bigint, session_id text);
  create table sessions (id text primary key, user_id text not null, created_at bigint not null, expires_at bigint not null)`);

let seeded = 0;
/** `n` fresh links, written in batches: their token hashes. */
async function seed(n) {
  const hashes = [];
  for (let done = 0; done < n; done += 1000) {
    const batch = Array.from({ length: Math.min(1000, n - done) }, () => randomBytes(16).toString('hex'));
    await setup.query(
      `insert into links (id, token_hash, user_id, status, expires_at)
       select 'l' || (row_number() over () + $2::bigint), h, 'u1', 'created', $3 from unnest($1::text[]) h`,
      [batch, seeded, Date.now() + 3_600_000],
    );
    seeded += batch.length;
    hashes.push(...batch);
  }
  return hashes;
}

/** Runs the loop on one driver: `read(hash)` then `redeem(hash, now, sessionId)` per link. */
async function measure(label, driver, hashes) {
  let next = 0;
  let redeemed = 0;
  let failed = 0;
  const deadline = performance.now() + seconds * 1000;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const worker = async () => {
    while (performance.now() < deadline && next < hashes.length) {
      const hash = hashes[next++];
      const link = await driver.read(hash);
      if (!link) throw new Error(`${label}: no link ${hash}`);
      const won = await driver.redeem(hash, Date.now(), `s_${randomBytes(8).toString('hex')}`);
      if (won) redeemed++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  if (next >= hashes.length) process.stderr.write(`${label}: ran out of links; seed more\n`);
  return {
    label,
    redeemed,
    failed,
    perSecond: redeemed / elapsed,
    cpuMsPerRedeem: (cpu.user + cpu.system) / 1000 / Math.max(1, redeemed),
  };
}

const pgDriver = (named) => {
  const pool = new pg.Pool({ connectionString: url, max: connections });
  const query = (name, text, values) => pool.query(named ? { name, text, values } : { text, values });
  return {
    read: async (hash) => (await query('read', READ, [hash])).rows[0],
    redeem: async (hash, now, session) =>
      (await query('redeem', REDEEM, [hash, now, session])).rows.length === 1,
    close: () => pool.end(),
  };
};

const postgresJsDriver = () => {
  const sql = postgres(url, { max: connections, prepare: true, onnotice: () => {} });
  return {
    read: async (hash) => (await sql.unsafe(READ, [hash], { prepare: true }))[0],
    redeem: async (hash, now, session) =>
      (await sql.unsafe(REDEEM, [hash, now, session], { prepare: true })).length === 1,
    close: () => sql.end({ timeout: 5 }),
  };
};

const drivers = [
  ['pg, unnamed statements', () => pgDriver(false)],
  ['pg, named statements', () => pgDriver(true)],
  ['postgres.js (prepared, pipelined)', () => postgresJsDriver()],
];

const results = [];
try {
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? drivers : [...drivers].reverse();
    for (const [label, make] of order) {
      const driver = make();
      try {
        await measure(label, driver, await seed(connections * 50)); // warm-up: connections, plans, JIT
        const result = await measure(label, driver, await seed(Math.ceil(seconds * 12000)));
        results.push({ round, ...result });
        process.stderr.write(`round ${round} ${label}: ${Math.round(result.perSecond)} redeems/s\n`);
      } finally {
        await driver.close();
      }
    }
  }
} finally {
  await setup.end();
  await dropSchema(postgresUrl, schema);
}

const lines = [
  `Driver spike: a read by key then a guarded UPDATE + INSERT (CTE) per redeem, ${connections} concurrent, ${seconds} s per run`,
  '',
  '| round | driver | redeems/s | client CPU ms / redeem |',
  '| ---: | --- | ---: | ---: |',
  ...results.map(
    (r) =>
      `| ${r.round} | ${r.label} | ${Math.round(r.perSecond)} | ${r.cpuMsPerRedeem.toFixed(3)} |${r.failed ? ` (${r.failed} lost)` : ''}`,
  ),
  '',
];
for (const [label] of drivers) {
  const mine = results.filter((r) => r.label === label);
  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  };
  lines.push(
    `${label}: median ${Math.round(median(mine.map((r) => r.perSecond)))} redeems/s, ${median(mine.map((r) => r.cpuMsPerRedeem)).toFixed(3)} CPU ms each`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
