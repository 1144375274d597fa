/**
 * A consistent copy of the embedded SQLite database while the server runs, and putting one back on a stopped
 * server. SQLite's online backup API copies the database page by page and starts again when a writer changes a
 * page it already copied, so the copy is one moment of the database, whatever the server writes meanwhile.
 */
import { chmodSync, copyFileSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import SqliteDatabase from 'better-sqlite3';

export class BackupRefused extends Error {
  override readonly name = 'BackupRefused';
}

/** Copies the database at `path` to `out` (mode 0600; its tokens are hashed but its rows are still people's). */
export async function backupSqlite(path: string, out: string): Promise<{ bytes: number }> {
  if (!existsSync(path)) throw new BackupRefused(`There is no database at ${path}: is --data-dir right?`);
  if (existsSync(out))
    throw new BackupRefused(`${out} exists already; choose another file or remove it first.`);
  const partial = `${out}.partial`;
  const source = new SqliteDatabase(path, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    await source.backup(partial);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    source.close();
  }
  chmodSync(partial, 0o600);
  renameSync(partial, out);
  return { bytes: statSync(out).size };
}

/**
 * Puts the backup `from` in place of the database at `path`. The server must be stopped: a write-ahead log beside
 * the database means a process has it open (or crashed with it open), and replacing the file under it would lose
 * or mix writes.
 */
export function restoreSqlite(from: string, path: string): void {
  if (!existsSync(from)) throw new BackupRefused(`There is no backup at ${from}.`);
  checkBackup(from);
  const wal = `${path}-wal`;
  if (existsSync(wal) && statSync(wal).size > 0)
    throw new BackupRefused(
      `${path} is in use (its write-ahead log is not empty): stop the server first. After a crash, start and stop it once so that it finishes its log, then restore.`,
    );
  const incoming = `${path}.restoring`;
  copyFileSync(from, incoming);
  chmodSync(incoming, 0o600);
  for (const leftover of [wal, `${path}-shm`]) rmSync(leftover, { force: true });
  renameSync(incoming, path);
}

/** A file SQLite reads as whole, holding a Latchkey schema; anything else is refused before the database is touched. */
function checkBackup(from: string): void {
  let backup: SqliteDatabase.Database;
  try {
    backup = new SqliteDatabase(from, { readonly: true, fileMustExist: true });
  } catch {
    throw new BackupRefused(`${from} is not a SQLite database.`);
  }
  try {
    const integrity = backup.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok')
      throw new BackupRefused(`${from} is damaged (SQLite says: ${String(integrity)}).`);
    const tables = backup
      .prepare("select name from sqlite_master where type = 'table' and name in ('latchkey_meta', 'apps')")
      .pluck()
      .all();
    if (tables.length < 2) throw new BackupRefused(`${from} is a SQLite database, but not a Latchkey one.`);
  } catch (error) {
    if (error instanceof BackupRefused) throw error;
    throw new BackupRefused(`${from} is not a SQLite database.`);
  } finally {
    backup.close();
  }
}
