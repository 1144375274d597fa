import type { PostgresPool, PostgresPoolClient } from 'kysely';

/**
 * Recognising "the database is unavailable" among the errors a request can meet, so that the error handler answers
 * `503 storage_unavailable` with `Retry-After` instead of a `500`: PostgreSQL restarting or out of reach, and the
 * embedded SQLite file on a full or read-only disk. An error that is not one of these stays an internal error.
 */

/** What kind of outage; the log names it, the client only learns that storage is unavailable. */
export type StorageOutageKind =
  | 'unreachable'
  | 'shutting_down'
  | 'overloaded'
  | 'disk_full'
  | 'read_only'
  | 'io_error'
  | 'cannot_open';

export interface StorageOutage {
  kind: StorageOutageKind;
  /** For the operator's log: what is wrong and what to check. Never holds the error's own text or any secret. */
  advice: string;
}

/** How long clients are asked to wait: about what a PostgreSQL restart or failover takes. */
export const STORAGE_RETRY_AFTER_SECONDS = 5;

const ADVICE: Record<StorageOutageKind, string> = {
  unreachable:
    'the database connection failed or was closed; check that PostgreSQL is running and reachable (the pool reconnects by itself)',
  shutting_down:
    'PostgreSQL is shutting down, restarting or not yet accepting connections (the pool reconnects by itself)',
  overloaded:
    'the database stayed locked or busy longer than a request may wait; look for a long transaction or another process holding the lock',
  disk_full: 'the database disk is full; free space on it (writes resume by themselves)',
  read_only:
    'the database is read-only; check the file system and the permissions of the data directory or the server role',
  io_error:
    'the database reported an I/O error; check the disk and the file system of the data directory (it may have turned read-only)',
  cannot_open: 'the database file cannot be opened; check that the data directory exists and is writable',
};

/**
 * The outage an error stands for, or undefined. SQLite errors carry an unambiguous `SQLITE_…` code. The errors of
 * `pg` that mean "no connection" are plain network errors (ECONNREFUSED and the like) or bare messages, which other
 * clients (SMTP, Redis, webhooks) can raise too, so those count only when they came out of the database pool
 * (see `markingPool`). A `cause` is followed, for errors that wrap the database's own.
 */
export function storageOutage(error: unknown): StorageOutage | undefined {
  for (let current = error, depth = 0; isObject(current) && depth < 3; depth++) {
    const kind =
      sqliteOutage(current) ?? (fromDatabasePool.has(current) ? postgresOutage(current) : undefined);
    if (kind) return { kind, advice: ADVICE[kind] };
    current = current.cause;
  }
  return undefined;
}

function sqliteOutage(error: ErrorLike): StorageOutageKind | undefined {
  const code = typeof error.code === 'string' ? error.code : '';
  if (!code.startsWith('SQLITE_')) return undefined;
  if (code === 'SQLITE_FULL') return 'disk_full';
  if (code.startsWith('SQLITE_READONLY')) return 'read_only';
  if (code.startsWith('SQLITE_IOERR')) return 'io_error';
  if (code.startsWith('SQLITE_CANTOPEN')) return 'cannot_open';
  // BUSY reaches a request only after the driver's own wait for the lock (5 s) ran out; PROTOCOL is a lock race in
  // the write-ahead log that a retry resolves.
  if (code.startsWith('SQLITE_BUSY') || code === 'SQLITE_PROTOCOL') return 'overloaded';
  return undefined;
}

/** Network errors that mean the server could not be reached or dropped the connection. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * What `pg` and its pool say when a connection is gone or cannot be made in time (they carry no code):
 * "Connection terminated unexpectedly", "Connection terminated due to connection timeout", "timeout exceeded when
 * trying to connect", "Client has encountered a connection error and is not queryable", "timeout expired".
 */
const PG_CONNECTION_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable|timeout expired)/;

function postgresOutage(error: ErrorLike): StorageOutageKind | undefined {
  const code = typeof error.code === 'string' ? error.code : '';
  if (NETWORK_CODES.has(code)) return 'unreachable';
  // SQLSTATE (PostgreSQL's own error codes): class 08 is "connection exception"; 57P01 admin_shutdown (also what
  // pg_terminate_backend sends), 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up or shutting down).
  if (/^08[0-9A-Z]{3}$/.test(code)) return 'unreachable';
  if (code === '57P01' || code === '57P02' || code === '57P03') return 'shutting_down';
  // 53300 too_many_connections: the server refuses new sessions until others end.
  if (code === '53300') return 'overloaded';
  if (code === '53100') return 'disk_full';
  // 25006 read_only_sql_transaction: connected to a standby, e.g. the old primary right after a failover.
  if (code === '25006') return 'read_only';
  if (typeof error.message === 'string' && PG_CONNECTION_MESSAGE.test(error.message)) return 'unreachable';
  // Connecting to a host name with several addresses fails with an AggregateError of one error per address.
  if (Array.isArray(error.errors) && error.errors.some((e) => isObject(e) && postgresOutage(e) !== undefined))
    return 'unreachable';
  return undefined;
}

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
}

function isObject(value: unknown): value is ErrorLike & object {
  return typeof value === 'object' && value !== null;
}

/** Errors that came out of the PostgreSQL pool: connecting, or a query on one of its connections. */
const fromDatabasePool = new WeakSet<object>();

function marked(error: unknown): unknown {
  if (isObject(error)) fromDatabasePool.add(error);
  return error;
}

/**
 * The pool as Kysely sees it, with every error of connecting or querying marked as the database's own (a WeakSet,
 * the error objects are not changed). Cursors (streaming) pass through unmarked: nothing here streams.
 */
export function markingPool(pool: PostgresPool): PostgresPool {
  const clients = new WeakMap<PostgresPoolClient, PostgresPoolClient>();
  const wrap = (client: PostgresPoolClient): PostgresPoolClient => {
    let wrapped = clients.get(client);
    if (!wrapped) {
      wrapped = {
        query: ((...args: Parameters<PostgresPoolClient['query']>) => {
          const result = (client.query as (...a: unknown[]) => unknown)(...args);
          return result instanceof Promise
            ? result.catch((error: unknown) => Promise.reject(marked(error)))
            : result;
        }) as PostgresPoolClient['query'],
        release: () => client.release(),
      };
      clients.set(client, wrapped);
    }
    return wrapped;
  };
  return {
    connect: () => pool.connect().then(wrap, (error: unknown) => Promise.reject(marked(error))),
    end: () => pool.end(),
  };
}
