import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bootstrap, openRuntime } from '../runtime.js';
import { loadConfig } from './config.js';
import { MASTER_KEY_FILE } from './master-key.js';

const modeOf = (path: string) => statSync(path).mode & 0o777;
const octal = (mode: number) => mode.toString(8).padStart(3, '0');

/** Runs `body` with the process umask set to `mask`, and puts the old one back. */
async function withUmask<T>(mask: number, body: () => Promise<T>): Promise<T> {
  const previous = process.umask(mask);
  try {
    return await body();
  } finally {
    process.umask(previous);
  }
}

/** A full start on SQLite: master key, database, migrations, the default app (so the write-ahead log is written). */
async function startOnce(dataDir: string): Promise<void> {
  const runtime = await openRuntime(loadConfig({ LATCHKEY_DATA_DIR: dataDir }), { print: () => {} });
  try {
    await bootstrap(runtime.ctx);
    // Still open: the -wal and -shm files exist while a connection is.
    for (const suffix of ['-wal', '-shm']) {
      expect(octal(modeOf(join(dataDir, `latchkey.db${suffix}`))), suffix).toBe('600');
    }
  } finally {
    await runtime.close();
  }
}

describe('embedded data files are private', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'latchkey-modes-'));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  for (const mask of [0o022, 0o000]) {
    it(`creates the data dir 0700 and the database, its WAL and shm files and the master key 0600 (umask ${octal(mask)})`, async () => {
      const dataDir = join(root, 'new', 'data');
      await withUmask(mask, () => startOnce(dataDir));
      expect(octal(modeOf(dataDir))).toBe('700');
      // Parents the start had to make are ours too.
      expect(octal(modeOf(join(root, 'new')))).toBe('700');
      expect(octal(modeOf(join(dataDir, 'latchkey.db')))).toBe('600');
      expect(octal(modeOf(join(dataDir, MASTER_KEY_FILE)))).toBe('600');
    });
  }

  it('tightens the files of an existing installation, and leaves the mode of a directory the operator made', async () => {
    const dataDir = join(root, 'existing');
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o750);
    const path = join(dataDir, 'latchkey.db');
    // An installation from before: the database in WAL mode, left with its -wal and -shm (a crash), all 0644.
    const old = new SqliteDatabase(path);
    old.pragma('journal_mode = WAL');
    old.exec('create table leftover (id integer primary key)');
    writeFileSync(join(dataDir, MASTER_KEY_FILE), `${randomBytes(32).toString('base64')}\n`);
    for (const file of ['latchkey.db', 'latchkey.db-wal', 'latchkey.db-shm', MASTER_KEY_FILE]) {
      chmodSync(join(dataDir, file), 0o644);
    }
    try {
      await startOnce(dataDir);
    } finally {
      old.close();
    }
    expect(octal(modeOf(path))).toBe('600');
    expect(octal(modeOf(join(dataDir, MASTER_KEY_FILE)))).toBe('600');
    expect(octal(modeOf(dataDir))).toBe('750');
  });
});
