import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWalCheckpointer } from './wal-checkpointer.js';

describe('WAL checkpoints in a worker thread', () => {
  let dir: string;
  let path: string;
  let sqlite: SqliteDatabase.Database;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-checkpoint-'));
    path = join(dir, 'test.db');
    sqlite = new SqliteDatabase(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.exec('create table filler (id integer primary key, text text not null)');
  });

  afterEach(() => {
    sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies the log into the database file off the event loop, and hands checkpoints back when stopped', async () => {
    const stop = startWalCheckpointer(sqlite, path, { intervalMs: 20 });
    try {
      expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(20_000);
      const sizeBefore = statSync(path).size;
      const insert = sqlite.prepare('insert into filler (text) values (?)');
      // About 2,000 pages of log: past SQLite's own threshold, below the server's fallback.
      sqlite.transaction(() => {
        for (let i = 0; i < 4000; i++) insert.run('x'.repeat(2000));
      })();

      // Only the worker can have moved the pages into the database file.
      const deadline = Date.now() + 10_000;
      while (statSync(path).size <= sizeBefore + 4_000_000 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(statSync(path).size).toBeGreaterThan(sizeBefore + 4_000_000);
    } finally {
      await stop();
    }
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });
});
