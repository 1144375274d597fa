/**
 * Named (prepared) statements on PostgreSQL: the pool as Kysely sees it, with each SQL text given a name the first
 * time it is run, so that a connection sends the text and PostgreSQL parses and plans it once per connection; every
 * later run sends only the name and the values.
 *
 * Why: the hot paths are single statements with data-modifying CTEs (a redeem is one statement of several KB). Sent
 * as unnamed statements, each request paid for writing that text to the socket and for PostgreSQL parsing and
 * planning it again, on the same few cores as the server: `bench/profile.mjs redeem --postgres` showed a third of
 * the server's time in the socket write alone.
 *
 * Limits, and why they are safe:
 * - At most `limit` texts per process are named (the first ones seen: the hot paths come first under load, and a
 *   text built with a different number of values each time, a bulk insert, would otherwise grow PostgreSQL's
 *   per-connection statement cache for ever). Texts past the limit run unnamed, as before.
 * - A table changed under a named statement (a migration run by a newer node while this one serves) makes
 *   PostgreSQL refuse it with "cached plan must not change result type" (0A000). Every name is then dropped (a new
 *   generation of names, each prepared again on first use), and a statement that failed outside a transaction is
 *   run again at once; inside one the transaction is already aborted, so that request fails and the next succeeds.
 * - Behind a pooler that does not keep statements per client (PgBouncer before 1.21 in transaction mode), names do
 *   not work: `prepare: false` turns all of this off.
 */
import type { PostgresPool, PostgresPoolClient } from 'kysely';

export interface PreparedStatementOptions {
  /** How many distinct texts one process names at most. */
  limit?: number;
}

/**
 * pg's Query class, given by the caller (pg is loaded only when PostgreSQL is configured). A query is built from its
 * text and values and then named, rather than from a config object with a name: pg copies a config object
 * property by property (`Object.getOwnPropertyDescriptors`), which was 4 % of a create's CPU.
 */
export type QueryClass = new (
  text: string,
  values: unknown[],
) => { name?: string | undefined; callback?: (error: Error | null, result: unknown) => void };

export const DEFAULT_PREPARED_STATEMENT_LIMIT = 500;

/** Statements PostgreSQL plans (utility statements such as `savepoint` gain nothing from a name). */
const NAMEABLE = /^\s*(select|insert|update|delete|with)\b/i;

/** The statement text PostgreSQL answers with 0A000 when a named statement's result columns changed. */
const STALE_PLAN = /cached plan must not change result type/;

interface StatementQuery {
  text: string;
  values: unknown[];
  name?: string;
}

/** The process's names: one per text, in generations (a stale plan starts a new one). */
class StatementNames {
  private names = new Map<string, string>();
  private generation = 0;
  constructor(private readonly limit: number) {}

  nameOf(text: string): string | undefined {
    let name = this.names.get(text);
    if (name === undefined && this.names.size < this.limit) {
      name = `lk${this.generation}_${this.names.size}`;
      this.names.set(text, name);
    }
    return name;
  }

  /** Forgets every name: each text is prepared again, under a new name, on its next run. */
  renew(): void {
    this.names = new Map();
    this.generation++;
  }
}

export function preparingPool(
  pool: PostgresPool,
  Query: QueryClass,
  options: PreparedStatementOptions = {},
): PostgresPool {
  const names = new StatementNames(options.limit ?? DEFAULT_PREPARED_STATEMENT_LIMIT);
  const clients = new WeakMap<PostgresPoolClient, PostgresPoolClient>();
  const wrap = (client: PostgresPoolClient): PostgresPoolClient => {
    let wrapped = clients.get(client);
    if (wrapped) return wrapped;
    // Whether the connection is inside a transaction, from the statements Kysely sends to open and end one.
    let inTransaction = false;
    const run = ({ text, values, name }: StatementQuery) =>
      new Promise((resolve, reject) => {
        const query = new Query(text, values);
        if (name) query.name = name;
        query.callback = (error, result) => (error ? reject(error) : resolve(result));
        (client.query as unknown as (q: unknown) => void)(query);
      });
    wrapped = {
      query: ((...args: unknown[]) => {
        const [text, values] = args;
        if (typeof text !== 'string' || (values !== undefined && !Array.isArray(values)) || args.length > 2)
          return (client.query as (...a: unknown[]) => unknown)(...args);
        const verb = transactionVerb(text);
        if (verb !== undefined) {
          inTransaction = verb === 'begin';
          return (client.query as (...a: unknown[]) => unknown)(...args);
        }
        const name = NAMEABLE.test(text) ? names.nameOf(text) : undefined;
        if (!name) return (client.query as (...a: unknown[]) => unknown)(...args);
        const query = { text, values: values ?? [], name };
        const startedInTransaction = inTransaction;
        return run(query).catch((error: unknown) => {
          if (!isStalePlan(error)) throw error;
          names.renew();
          if (startedInTransaction) throw error;
          return run({ text, values: values ?? [] });
        });
      }) as PostgresPoolClient['query'],
      release: () => client.release(),
    };
    clients.set(client, wrapped);
    return wrapped;
  };
  return {
    connect: () => pool.connect().then(wrap),
    end: () => pool.end(),
  };
}

/** `begin`, `commit` or `rollback` when the text opens or ends a transaction (savepoints stay inside one). */
function transactionVerb(text: string): 'begin' | 'end' | undefined {
  if (text.length > 40) return undefined;
  const word = /^\s*(\w+)/.exec(text)?.[1]?.toLowerCase();
  if (word === 'begin' || word === 'start') return 'begin';
  if (word === 'commit' || word === 'rollback' || word === 'end' || word === 'abort') {
    // `rollback to savepoint x` stays inside the transaction.
    return /\bto\b/i.test(text) ? undefined : 'end';
  }
  return undefined;
}

function isStalePlan(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === '0A000' && typeof message === 'string' && STALE_PLAN.test(message);
}
