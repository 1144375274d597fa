import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';

/**
 * Checkpoints the embedded database's write-ahead log from a worker thread, for a running server.
 *
 * SQLite checkpoints on the connection that commits: every 1,000 pages of log, one unlucky request copied them into
 * the database file and waited for the disk to sync, about a third of the cost of committing. A worker with its own
 * connection does it every `intervalMs` instead, off the event loop. PASSIVE checkpoints never block writers.
 * The server's connection keeps an automatic checkpoint at a much larger size, so the log stays bounded if the
 * worker ever stops.
 */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

export function startWalCheckpointer(
  sqlite: SqliteDatabase.Database,
  path: string,
  { intervalMs = 100, fallbackPages = 20_000 } = {},
): () => Promise<void> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path, intervalMs, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
  });
  // The worker must not keep a stopping process alive, and its failure must not take the server down: the
  // fallback below takes over.
  worker.unref();
  const checkpointHere = () => {
    if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
  };
  worker.on('error', checkpointHere);
  sqlite.pragma(`wal_autocheckpoint = ${fallbackPages}`);
  return async () => {
    await worker.terminate();
    checkpointHere();
  };
}

/**
 * The worker: its own connection, a PASSIVE checkpoint every `intervalMs`. Plain CommonJS evaluated from a string,
 * so that it runs the same from the sources (tests) and from the build.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 1000');
const checkpoint = db.prepare('pragma wal_checkpoint(PASSIVE)');
setInterval(() => {
  // Busy or interrupted: the next tick tries again, and the server's fallback bounds the log meanwhile.
  try { checkpoint.run(); } catch {}
}, workerData.intervalMs);
`;
