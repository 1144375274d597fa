import SqliteDatabase from 'better-sqlite3';
import { type Dialect, Kysely, type Transaction } from 'kysely';
import { loadPg } from '../config/optional-modules.js';
import { preparePrivateDatabaseFile } from '../config/private-files.js';
import { ConfigListener } from './config-listener.js';
import { CurrentSchemaPostgresDialect } from './current-schema-introspector.js';
import { oncePerTurn } from './once-per-turn.js';
import { preparingPool, type QueryClass } from './prepared-statements.js';
import { observedDialect, type QueryObserver } from './query-observer.js';
import type { Database } from './schema.js';
import { GroupCommitSqliteDialect } from './sqlite-group-commit.js';
import { markingPool } from './storage-errors.js';
import { startWalCheckpointer } from './wal-checkpointer.js';

export type DialectName = 'sqlite' | 'postgres';

/** The database, or a transaction on it: what a query runs against. */
export type Db = Kysely<Database> | Transaction<Database>;
/** The database itself, where a transaction is started. */
export type RootDb = Kysely<Database>;

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: DialectName;
  /**
   * A number that changes whenever another connection (another process) may have changed what is cached: SQLite's
   * `PRAGMA data_version`, or on PostgreSQL the notifications of config-listener.ts. It lets this process cache rows
   * it would otherwise read on every request.
   */
  externalVersion?: () => number;
  /** PostgreSQL only: the connection behind `externalVersion` (tests look at it). */
  configListener?: ConfigListener;
  /** SQLite files only: moves checkpoints of the write-ahead log to a worker thread (wal-checkpointer.ts). */
  startBackgroundCheckpoints?: () => () => Promise<void>;
  close(): Promise<void>;
}

export type DatabaseTarget =
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; url: string; poolSize?: number };

export interface DatabaseOptions {
  /** Sees every statement (query-observer.ts): tracing's spans, for one. */
  observer?: QueryObserver | undefined;
}

/** Opens the database named by the config: embedded SQLite in WAL mode, or a PostgreSQL pool. */
export function openDatabase(target: DatabaseTarget, options: DatabaseOptions = {}): DatabaseHandle {
  const observe = (dialect: Dialect): Dialect =>
    options.observer ? observedDialect(dialect, target.kind, options.observer) : dialect;
  return target.kind === 'sqlite'
    ? openSqlite(target.path, observe)
    : openPostgres(target.url, target.poolSize ?? 10, observe);
}

type Observe = (dialect: Dialect) => Dialect;

function openSqlite(path: string, observe: Observe): DatabaseHandle {
  // The data dir 0700 when we create it, the database and the files SQLite makes beside it 0600 (private-files.ts).
  if (path !== ':memory:') preparePrivateDatabaseFile(path);
  const sqlite = new SqliteDatabase(path);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL is durable across process crashes in WAL mode; only a power loss can drop the last transactions.
  sqlite.pragma('synchronous = NORMAL');
  // A second process (a CLI command next to a running server) waits for the lock instead of failing at once.
  sqlite.pragma('busy_timeout = 5000');
  // Every request's transaction is a SAVEPOINT inside a shared batch (sqlite-group-commit.ts), and SQLite keeps the
  // original of each page a savepoint changes in a sub-journal, which spills to a temporary file beyond a few pages.
  // In memory, that copy halved the cost of writing a link's and an event's rows (bench: create, hosted redeem).
  sqlite.pragma('temp_store = MEMORY');
  const db = new Kysely<Database>({ dialect: observe(new GroupCommitSqliteDialect(sqlite)) });
  const dataVersion = sqlite.prepare('pragma data_version').pluck();
  return {
    db,
    dialect: 'sqlite',
    externalVersion: oncePerTurn(() => (sqlite.open ? (dataVersion.get() as number) : Number.NaN)),
    ...(path === ':memory:' ? {} : { startBackgroundCheckpoints: () => startWalCheckpointer(sqlite, path) }),
    close: () => db.destroy(),
  };
}

// BIGINT (int8) comes back from pg as a string by default; every bigint we store is an epoch-ms time that fits
// in a double, so it is parsed as a number for this pool only (no global type-parser change).
const INT8_OID = 20;
function openPostgres(databaseUrl: string, poolSize: number, observe: Observe): DatabaseHandle {
  const { url, prepare } = preparedStatementsOption(databaseUrl);
  const pg = loadPg();
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === INT8_OID
        ? (value: string) => Number(value)
        : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types,
    // Without a limit, a request waits forever for a connection to a server that does not answer, or for a free
    // client while every one is stuck; with it, the request fails with a 503 (storage-errors.ts) and can be retried.
    connectionTimeoutMillis: connectTimeoutMs(url),
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  // Nor may a client a request holds (between two queries of a transaction): pg reports the lost connection as an
  // 'error' event, which the pool listens to only while the client is idle, and an unheard 'error' ends the
  // process. The request's next query fails instead (a 503), and the pool drops the client when it is released.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({
    dialect: observe(
      new CurrentSchemaPostgresDialect({
        pool: markingPool(prepare ? preparingPool(pool, pg.Query as unknown as QueryClass) : pool),
      }),
    ),
  });
  const listener = new ConfigListener(pg, {
    connectionString: url,
    connectionTimeoutMillis: connectTimeoutMs(url),
  });
  return {
    db,
    dialect: 'postgres',
    externalVersion: () => listener.version(),
    configListener: listener,
    close: async () => {
      await listener.close();
      await db.destroy();
    },
  };
}

/**
 * `prepared_statements=false` in the URL turns named statements off (prepared-statements.ts), for a pooler that
 * does not keep them per client, such as PgBouncer before 1.21 in transaction mode. The parameter is Latchkey's
 * own, so it is taken out of the URL pg sees.
 */
export function preparedStatementsOption(url: string): { url: string; prepare: boolean } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url, prepare: true };
  }
  const value = parsed.searchParams.get(PREPARED_STATEMENTS_PARAM);
  if (value === null) return { url, prepare: true };
  parsed.searchParams.delete(PREPARED_STATEMENTS_PARAM);
  return { url: parsed.toString(), prepare: !/^(false|0|off|no)$/i.test(value) };
}

const PREPARED_STATEMENTS_PARAM = 'prepared_statements';

/** How long to wait for a connection: 5 s, or libpq's `connect_timeout` (seconds) when the URL gives one. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

function connectTimeoutMs(url: string): number {
  let seconds = Number.NaN;
  try {
    seconds = Number(new URL(url).searchParams.get('connect_timeout') ?? Number.NaN);
  } catch {
    // pg reads URLs the WHATWG parser refuses (a bare socket path, say); they get the default.
  }
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_CONNECT_TIMEOUT_MS;
}
