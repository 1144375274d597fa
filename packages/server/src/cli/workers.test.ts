/**
 * `latchkey start --workers N` with the built CLI: several processes on one port and one PostgreSQL, one winner per
 * link across them, a killed worker replaced, SIGTERM finishing what is in flight, and SQLite refused with a reason.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { get, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callApi,
  freePort,
  runCli,
  type ServerProcess,
  startServerProcess,
} from '../test-support/cli-process.js';
import { createTestDatabase, type TestDatabase } from '../test-support/databases.js';
import { eventually } from '../test-support/eventually.js';
import { restartDelay } from './cluster.js';

interface LogLine {
  pid: number;
  msg?: string;
  reqId?: string;
  reason?: string;
}

/** The JSON log lines of a server process (the banner around them is plain text). */
function logLines(server: ServerProcess): LogLine[] {
  return server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

/** The pid of the process that logged the answer to each request id that starts with `prefix`. */
function answeredBy(server: ServerProcess, prefix: string): Map<string, number> {
  const pids = new Map<string, number>();
  for (const line of logLines(server)) {
    if (line.msg === 'request completed' && line.reqId?.startsWith(prefix)) pids.set(line.reqId, line.pid);
  }
  return pids;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const BUTTON_PRESS: RequestInit = {
  method: 'POST',
  redirect: 'manual',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: '',
};

describe('latchkey start --workers 2 on PostgreSQL', () => {
  let db: TestDatabase;
  let server: ServerProcess;
  let apiKey: string;
  let probes = 0;

  /** Asks /healthz until `count` distinct worker processes have answered; answers their pids. */
  async function servingPids(count: number, exclude: number[] = []): Promise<number[]> {
    return eventually(
      `${count} workers answering`,
      async () => {
        const batch = `probe-${probes++}-`;
        await Promise.all(Array.from({ length: 8 }, (_, i) => healthOnNewConnection(`${batch}${i}`)));
        const pids = [...new Set(answeredBy(server, batch).values())].filter((pid) => !exclude.includes(pid));
        return pids.length >= count ? pids : undefined;
      },
      30_000,
    );
  }

  /**
   * One /healthz request on a connection of its own: the cluster hands out connections, not requests, so a pooled
   * connection would keep asking the worker that accepted it. A failure (a worker just killed) is no answer.
   */
  function healthOnNewConnection(requestId: string): Promise<void> {
    return new Promise((resolve) => {
      const req = get(
        `${server.url}/healthz`,
        { agent: false, headers: { 'x-request-id': requestId } },
        (res) => {
          res.resume();
          res.on('end', resolve);
          res.on('error', () => resolve());
        },
      );
      req.on('error', () => resolve());
    });
  }

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    server = await startServerProcess(
      {
        DATABASE_URL: db.url,
        LATCHKEY_MASTER_KEY: randomBytes(32).toString('base64'),
        LATCHKEY_DATA_DIR: db.dataDir,
        // Request lines carry the pid of the worker that answered.
        LATCHKEY_LOG_LEVEL: 'info',
      },
      ['--workers', '2'],
    );
    apiKey = /API key:\s+(lk_sk_\S+)/.exec(server.output())![1]!;
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  it('prepares the database and prints the banner once, in the primary, and serves from two worker processes', async () => {
    expect(server.output().match(/Admin key:/g)).toHaveLength(1);
    const pids = await servingPids(2);
    expect(pids).toHaveLength(2);
    expect(pids).not.toContain(server.child.pid);
    await eventually('the ready line', async () =>
      logLines(server).some((l) => l.msg === 'Latchkey is ready' && l.pid === server.child.pid)
        ? true
        : undefined,
    );
  }, 60_000);

  it('lets exactly one of 50 concurrent redemptions of a link succeed, across both processes', async () => {
    const created = await callApi(server.url, apiKey, 'POST', '/v1/magic-links', {
      email: 'race@example.com',
    });
    expect(created.status).toBe(201);
    const url = created.body.magic_link.url as string;
    const statuses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        fetch(url, {
          ...BUTTON_PRESS,
          headers: { ...(BUTTON_PRESS.headers as Record<string, string>), 'x-request-id': `race-${i}` },
        }).then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 303)).toHaveLength(1);
    expect(statuses.filter((s) => s === 410)).toHaveLength(49);
    const pids = await eventually('the redemptions logged', async () => {
      const seen = answeredBy(server, 'race-');
      return seen.size === 50 ? new Set(seen.values()) : undefined;
    });
    expect(pids.size).toBe(2);
  }, 60_000);

  it('replaces a worker that was killed', async () => {
    const [victim, survivor] = (await servingPids(2)) as [number, number];
    process.kill(victim, 'SIGKILL');
    await eventually('the worker gone', async () => (alive(victim) ? undefined : true));
    const [replacement] = (await servingPids(1, [victim, survivor])) as [number];
    expect(alive(replacement)).toBe(true);
    expect(alive(survivor)).toBe(true);
    expect(logLines(server).some((l) => l.msg === 'a worker exited; starting another')).toBe(true);
  }, 60_000);

  it('on SIGTERM stops every worker after finishing the request in flight (signalled twice), and exits 0', async () => {
    const workers = await servingPids(2);
    const body = JSON.stringify({ email: 'inflight@example.com' });
    // A request whose body arrives in two halves, with the SIGTERM between them.
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        `${server.url}/v1/magic-links`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${apiKey}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'x-request-id': 'inflight-1',
          },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk) => {
            text += String(chunk);
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 10));
      void eventually('the request to reach a worker', async () =>
        logLines(server).find((l) => l.msg === 'incoming request' && l.reqId === 'inflight-1'),
      ).then(async (line) => {
        const exited = new Promise((resolve) => server.child.once('exit', resolve));
        server.child.kill('SIGTERM');
        // As systemd's control-group kill does: the worker gets SIGTERM of its own too, and still finishes.
        process.kill(line.pid, 'SIGTERM');
        await eventually('the worker to start shutting down', async () =>
          logLines(server).some((l) => l.pid === line.pid && l.msg === 'shutting down') ? true : undefined,
        );
        req.end(body.slice(10));
        return exited;
      }, reject);
    });
    const { status, text } = await answer;
    expect(status, text).toBe(201);
    const code = await new Promise<number | null>((resolve) =>
      server.child.exitCode !== null ? resolve(server.child.exitCode) : server.child.once('exit', resolve),
    );
    expect(code).toBe(0);
    await eventually('every worker gone', async () => (workers.some(alive) ? undefined : true));
  }, 60_000);
});

describe('latchkey start --workers on embedded SQLite', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-workers-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it.each([
    ['--workers 2', ['--workers', '2'], {}],
    ['LATCHKEY_WORKERS=3', [], { LATCHKEY_WORKERS: '3' }],
  ] as Array<[string, string[], Record<string, string>]>)(
    'is refused with %s, saying why and what to use',
    async (_label, args, env) => {
      const res = await runCli(['start', '--port', String(await freePort()), ...args], {
        LATCHKEY_DATA_DIR: dataDir,
        LATCHKEY_LOG_LEVEL: 'warn',
        ...env,
      });
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('--workers (LATCHKEY_WORKERS) above 1 needs PostgreSQL');
      expect(res.stderr).toContain('one writer');
      expect(res.stderr).toContain('DATABASE_URL');
      expect(res.stderr).toContain('several nodes');
    },
    60_000,
  );
});

describe('replacing workers that keep dying', () => {
  it('waits longer after each quick death, up to a ceiling, and not at all after a worker that had been serving', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 9].map((deaths) => restartDelay(deaths, 1000, 30_000))).toEqual([
      0, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
  });
});
