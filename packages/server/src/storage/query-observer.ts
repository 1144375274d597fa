/**
 * A look at every SQL statement the database runs, for whoever wants one: tracing makes a span of each
 * (tracing/query-spans.ts), and a counter of statements per request can be another observer. It wraps Kysely's
 * driver and connections, so every statement passes through it, those of transactions and migrations included, and
 * nothing above storage/ has to remember to call it. Without an observer the dialect is used as it is: no wrapper,
 * no cost.
 */
import type {
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  QueryResult,
  TransactionSettings,
} from 'kysely';

/**
 * What an observer learns of a statement: never the parameters' values, nor the SQL text, which may hold literals;
 * only what kind of statement it is and which table it names first.
 */
export interface ObservedQuery {
  dialect: 'sqlite' | 'postgres';
  /** `SELECT`, `INSERT`, `UPDATE`, `DELETE`, or the first word of other statements (`BEGIN`, `SAVEPOINT`, `PRAGMA`). */
  operation: string;
  /** The first table the statement names, when it names one. */
  table: string | undefined;
}

/** How a statement ended: the rows it answered or changed, or the error it failed with. */
export type QueryOutcome = { rows: number; error?: undefined } | { error: unknown; rows?: undefined };

export interface QueryObserver {
  /** Called as a statement starts, in the caller's async context; the answer is called once, when it ends. */
  onQuery(query: ObservedQuery): (outcome: QueryOutcome) => void;
}

/** One observer that tells both, or the one given, or none. */
export function bothObservers(
  a: QueryObserver | undefined,
  b: QueryObserver | undefined,
): QueryObserver | undefined {
  if (!a || !b) return a ?? b;
  return {
    onQuery(query) {
      const endA = a.onQuery(query);
      const endB = b.onQuery(query);
      return (outcome) => {
        endA(outcome);
        endB(outcome);
      };
    },
  };
}

/** The dialect with every statement reported to `observer`. */
export function observedDialect(
  dialect: Dialect,
  name: ObservedQuery['dialect'],
  observer: QueryObserver,
): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: () => new ObservedDriver(dialect.createDriver(), name, observer),
  };
}

/** The real connection behind each wrapper: the driver's own transaction calls expect the connection they made. */
const inner = new WeakMap<DatabaseConnection, DatabaseConnection>();
const unwrap = (connection: DatabaseConnection) => inner.get(connection) ?? connection;

class ObservedDriver implements Driver {
  readonly #driver: Driver;
  readonly #name: ObservedQuery['dialect'];
  readonly #observer: QueryObserver;

  constructor(driver: Driver, name: ObservedQuery['dialect'], observer: QueryObserver) {
    this.#driver = driver;
    this.#name = name;
    this.#observer = observer;
  }

  init(): Promise<void> {
    return this.#driver.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.#driver.acquireConnection();
    const wrapped = observedConnection(connection, this.#name, this.#observer);
    inner.set(wrapped, connection);
    return wrapped;
  }

  // The driver sends BEGIN, COMMIT and ROLLBACK on the connection itself, past the wrapper: they are reported here,
  // since each is a round trip like any other statement (what a count of statements per request must see).
  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.#observe('BEGIN', () => this.#driver.beginTransaction(unwrap(connection), settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#observe('COMMIT', () => this.#driver.commitTransaction(unwrap(connection)));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#observe('ROLLBACK', () => this.#driver.rollbackTransaction(unwrap(connection)));
  }

  async #observe(operation: string, run: () => Promise<void>): Promise<void> {
    const end = this.#observer.onQuery({ dialect: this.#name, operation, table: undefined });
    try {
      await run();
      end({ rows: 0 });
    } catch (error) {
      end({ error });
      throw error;
    }
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#driver.releaseConnection(unwrap(connection));
  }

  destroy(): Promise<void> {
    return this.#driver.destroy();
  }
}

function observedConnection(
  connection: DatabaseConnection,
  name: ObservedQuery['dialect'],
  observer: QueryObserver,
): DatabaseConnection {
  return {
    async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
      const end = observer.onQuery(describeQuery(compiled, name));
      try {
        const result = await connection.executeQuery<R>(compiled);
        end({ rows: rowCount(result) });
        return result;
      } catch (error) {
        end({ error });
        throw error;
      }
    },
    async *streamQuery<R>(
      compiled: CompiledQuery,
      chunkSize?: number,
    ): AsyncIterableIterator<QueryResult<R>> {
      const end = observer.onQuery(describeQuery(compiled, name));
      let rows = 0;
      try {
        for await (const chunk of connection.streamQuery<R>(compiled, chunkSize)) {
          rows += chunk.rows.length;
          yield chunk;
        }
        end({ rows });
      } catch (error) {
        end({ error });
        throw error;
      }
    },
  };
}

function rowCount(result: QueryResult<unknown>): number {
  if (result.rows.length > 0 || result.numAffectedRows === undefined) return result.rows.length;
  return Number(result.numAffectedRows);
}

const OPERATIONS: Record<string, string> = {
  SelectQueryNode: 'SELECT',
  InsertQueryNode: 'INSERT',
  UpdateQueryNode: 'UPDATE',
  DeleteQueryNode: 'DELETE',
  MergeQueryNode: 'MERGE',
};

/** The statement's kind and first table, read from the compiled text's keywords: nothing that carries a value. */
export function describeQuery(compiled: CompiledQuery, dialect: ObservedQuery['dialect']): ObservedQuery {
  const text = compiled.sql;
  // A chain of data-modifying CTEs (storage/query-helpers.ts, insertAtOnce) is told by its first write.
  const firstWrite =
    /^\s*with\s+"?\w+"?\s+as\s+\(\s*(insert\s+into|update|delete\s+from)\s+"?([A-Za-z_]\w*)"?/i.exec(text);
  if (firstWrite) {
    const operation = firstWrite[1]!.split(/\s+/)[0]!.toUpperCase();
    return { dialect, operation, table: firstWrite[2] };
  }
  const operation =
    OPERATIONS[compiled.query.kind] ??
    /^\s*(?:with\b[\s\S]*?\)\s*)?([A-Za-z]+)/.exec(text)?.[1]?.toUpperCase() ??
    'SQL';
  const table =
    /\b(?:from|into|update|table)\s+(?:if\s+(?:not\s+)?exists\s+)?"?([A-Za-z_][A-Za-z0-9_]*)"?/i.exec(
      text,
    )?.[1];
  return { dialect, operation, table };
}
