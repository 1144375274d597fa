// Proves that the benchmark harness works end to end: `--quick` starts every server (Latchkey on SQLite and on
// PostgreSQL, better-auth, Auth.js, bare Fastify), runs every scenario once, and writes sane figures. No timing is
// asserted: the machine is shared, and speed is what `npm run bench` is for.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Row {
  server: string;
  scenario: string;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  failed: number;
  redeem_check?: { pool: number; successes: number; replay_successes: number | null; ok: boolean };
  x_better_auth?: number | null;
  of_fastify?: number | null;
}

function runQuick(out: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'bench/run.mjs'), '--quick', '--out', out],
      { cwd: root, timeout: 150_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('npm run bench -- --quick', () => {
  it('measures every server and scenario, checks one-time redemption, and writes the table and JSON', async () => {
    const out = join(dir, 'result.json');
    const { code, stdout, stderr } = await runQuick(out);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('| server | scenario | req/s |');

    const result = JSON.parse(readFileSync(out, 'utf8'));
    const rows: Row[] = result.rows;
    const servers = new Set(rows.map((r) => r.server));
    expect([...servers].sort()).toEqual(
      [
        'Auth.js',
        'Latchkey, PostgreSQL',
        'Latchkey, PostgreSQL, 2 processes',
        'Latchkey, SQLite',
        'bare Fastify route',
        'better-auth',
      ].sort(),
    );
    const latchkey = rows.filter((r) => r.server === 'Latchkey, SQLite').map((r) => r.scenario);
    expect(latchkey).toEqual([
      'create link, existing user',
      'create link, new user',
      'create link with send (outbox)',
      'create link, paced',
      'create link with send, paced',
      'hosted redeem (POST /l/{token})',
      'embedded redeem',
      'code exchange',
      'stateless signed link (POST /login/{token})',
      'JWKS GET',
    ]);
    for (const row of rows) {
      expect(row.rps, `${row.server} / ${row.scenario}`).toBeGreaterThan(0);
      expect(row.failed, `${row.server} / ${row.scenario}`).toBe(0);
      // autocannon reports whole milliseconds, so a fast route's p50 is 0; what must hold is a real number in order.
      expect(Number.isFinite(row.p50_ms), `${row.server} / ${row.scenario}`).toBe(true);
      expect(row.p99_ms).toBeGreaterThanOrEqual(row.p50_ms);
      expect(row.max_ms).toBeGreaterThanOrEqual(row.p99_ms);
      if (row.redeem_check) {
        expect(row.redeem_check.pool).toBeGreaterThan(0);
        expect(row.redeem_check.successes).toBe(row.redeem_check.pool);
        expect(row.redeem_check.replay_successes).toBe(0);
        expect(row.redeem_check.ok).toBe(true);
      }
    }
    // Every redeem scenario went through the one-time check; ratios exist for Latchkey's rows.
    expect(rows.filter((r) => r.redeem_check).length).toBe(11);
    const create = rows.find(
      (r) => r.server === 'Latchkey, SQLite' && r.scenario === 'create link, existing user',
    )!;
    expect(create.x_better_auth).toBeGreaterThan(0);
    expect(create.of_fastify).toBeGreaterThan(0);
    for (const mib of Object.values(result.peak_rss_mib)) expect(mib).toBeGreaterThan(0);
    expect(Object.keys(result.peak_rss_mib)).toHaveLength(6);
    // Idle RSS (after start, before load) is reported for the same processes, and never above their peak.
    expect(Object.keys(result.idle_rss_mib)).toEqual(Object.keys(result.peak_rss_mib));
    for (const [label, mib] of Object.entries(result.idle_rss_mib)) {
      expect(mib, label).toBeGreaterThan(0);
      expect(mib, label).toBeLessThanOrEqual(result.peak_rss_mib[label]);
    }
    expect(result.postgres_two_processes.create).toBeGreaterThan(0);
    // Issue 4's comparison: create with send against without, flat out and at the same fixed rate.
    for (const server of ['Latchkey, SQLite', 'Latchkey, PostgreSQL']) {
      const send = result.send_against_create[server];
      expect(send.ratio, server).toBeGreaterThan(0);
      expect(send.paced.rate, server).toBe(50);
      expect(send.paced.without_send.p99_ms, server).toBeGreaterThan(0);
      expect(send.paced.with_send.p99_ms, server).toBeGreaterThanOrEqual(send.paced.with_send.p50_ms);
    }
    expect(stdout).toContain('Latchkey, SQLite: at 50 creates/s, p50 / p99');
  }, 180_000);
});
