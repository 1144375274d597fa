import type { CompiledQuery, QueryResult } from 'kysely';
import type { Db } from './database.js';

/**
 * A query of a hot path, built and compiled by Kysely once per database and then run with new values.
 *
 * Why: building a query (every builder call copies and freezes its nodes) and compiling it cost as much CPU as
 * SQLite took to run the few statements of creating or redeeming a link; the SQL text of these queries never
 * changes, only the values do. `build` is called once with a placeholder for each argument, and the compiled
 * parameters are then filled in with the caller's arguments by position.
 *
 * The rule for `build`: it must not look at its arguments (no `if (x === null)`), only pass them to Kysely as
 * values. A query whose shape depends on a value needs one compiled query per shape. A build that loses a
 * placeholder (or a value Kysely turns into something else) is caught at the first compile, and that query then
 * simply runs through Kysely every time.
 */
export function compiledQuery<A extends unknown[], R>(
  build: (db: Db, ...args: A) => { compile(): CompiledQuery<R> },
): (db: Db, ...args: A) => Promise<QueryResult<R>> {
  const byAdapter = new WeakMap<object, Template<R> | null>();
  return (db, ...args) => {
    const adapter = db.getExecutor().adapter;
    let template = byAdapter.get(adapter);
    if (template === undefined) {
      template = compileTemplate(db, build, args.length);
      byAdapter.set(adapter, template);
    }
    if (template === null) return db.executeQuery(build(db, ...args).compile());
    const { compiled, slots } = template;
    const parameters = slots.map((slot) => (slot.arg === undefined ? slot.constant : args[slot.arg]));
    return db.executeQuery<R>({ ...compiled, parameters });
  };
}

interface Template<R> {
  compiled: CompiledQuery<R>;
  /** Per compiled parameter: the argument it takes, or the constant the query itself has there. */
  slots: Array<{ arg: number; constant?: undefined } | { arg?: undefined; constant: unknown }>;
}

function compileTemplate<A extends unknown[], R>(
  db: Db,
  build: (db: Db, ...args: A) => { compile(): CompiledQuery<R> },
  arity: number,
): Template<R> | null {
  const placeholders = Array.from({ length: arity }, (_, i) => `\u0000lk-placeholder-${i}\u0000`);
  const compiled = build(db, ...(placeholders as A)).compile();
  const slots = compiled.parameters.map((value) => {
    const arg = typeof value === 'string' ? placeholders.indexOf(value) : -1;
    return arg >= 0 ? { arg } : { constant: value };
  });
  const used = new Set(slots.map((slot) => slot.arg));
  if (placeholders.some((_, i) => !used.has(i))) return null;
  return { compiled, slots };
}

/** The first row of a compiled query's result. */
export const firstRow = <R>(result: QueryResult<R>): R | undefined => result.rows[0];
