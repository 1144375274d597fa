/**
 * `latchkey backup` while the server works, and `restore` into a stopped one: the restored server redeems the links
 * made before the backup, refuses the ones redeemed before it, and knows nothing written after it.
 */
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, runCli, type ServerProcess, startServerProcess } from '../test-support/cli-process.js';

const PRESS: RequestInit = {
  method: 'POST',
  redirect: 'manual',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: '',
};

describe('latchkey backup and restore', () => {
  let dataDir: string;
  let restoredDir: string;
  let keys: { app_id: string; api_key: string };
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-backup-'));
    restoredDir = mkdtempSync(join(tmpdir(), 'latchkey-restored-'));
    const init = await runCli(['init', '--data-dir', dataDir, '--json']);
    expect(init.code, init.stderr).toBe(0);
    keys = JSON.parse(init.stdout);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(restoredDir, { recursive: true, force: true });
  });

  const createLink = async (server: ServerProcess, email: string) => {
    const res = await callApi(server.url, keys.api_key, 'POST', '/v1/magic-links', {
      email,
      redirect_url: 'http://localhost:3000/callback',
    });
    expect(res.status).toBe(201);
    return res.body.magic_link.url as string;
  };
  const pathOf = (url: string) => new URL(url).pathname;

  it('copies a consistent database under load, and a restore brings back exactly that moment', async () => {
    const server = await startServerProcess({ LATCHKEY_DATA_DIR: dataDir, LATCHKEY_LOG_LEVEL: 'warn' });
    servers.push(server);
    const used = await createLink(server, 'used@example.com');
    expect((await fetch(`${server.url}${pathOf(used)}`, PRESS)).status).toBe(303);
    const kept = await createLink(server, 'kept@example.com');

    // Writes going on while the backup runs.
    let writing = true;
    const load = (async () => {
      let n = 0;
      while (writing) await createLink(server, `load${n++}@example.com`);
      return n;
    })();
    const out = join(dataDir, '..', `${Date.now()}-latchkey-backup.db`);
    const backup = await runCli(['backup', '--data-dir', dataDir, '--out', out, '--json']);
    writing = false;
    expect(backup.code, backup.stderr).toBe(0);
    expect(await load).toBeGreaterThan(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(JSON.parse(backup.stdout)).toMatchObject({ out, bytes: expect.any(Number) });

    const after = await createLink(server, 'after@example.com');
    // A running server's database is not replaced.
    const busy = await runCli(['restore', '--data-dir', dataDir, '--from', out]);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toContain('stop the server first');

    // Restored next to the master key it was made under, into a stopped (new) data dir.
    copyFileSync(join(dataDir, 'master.key'), join(restoredDir, 'master.key'));
    const restored = await runCli(['restore', '--data-dir', restoredDir, '--from', out]);
    expect(restored.code, restored.stderr).toBe(0);
    const second = await startServerProcess({ LATCHKEY_DATA_DIR: restoredDir, LATCHKEY_LOG_LEVEL: 'warn' });
    servers.push(second);
    expect((await fetch(`${second.url}${pathOf(kept)}`, PRESS)).status).toBe(303);
    expect((await fetch(`${second.url}${pathOf(used)}`, PRESS)).status).not.toBe(303);
    expect((await fetch(`${second.url}${pathOf(after)}`)).status).toBe(404);
    rmSync(out, { force: true });
  }, 120_000);

  it('refuses what is not a Latchkey backup, and PostgreSQL, saying what to use', async () => {
    const notDb = join(restoredDir, 'notes.txt');
    copyFileSync(new URL(import.meta.url), notDb);
    const res = await runCli(['restore', '--data-dir', restoredDir, '--from', notDb]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('is not a SQLite database');
    const pg = await runCli(['backup', '--out', join(restoredDir, 'x.db')], {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      LATCHKEY_MASTER_KEY: 'A'.repeat(43) + '=',
    });
    expect(pg.code).toBe(2);
    expect(pg.stderr).toContain('pg_dump');
  });
});
