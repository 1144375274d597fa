/**
 * Statements whose SQL depends on the shape of the rows they write (which tables, which columns, how many rows),
 * not on the rows' values: compiled by Kysely once per shape, then run with the new values.
 *
 * Why: on PostgreSQL a create and a redemption each write all their rows in one statement of data-modifying CTEs
 * (query-helpers.ts), which Kysely built and compiled on every request: copying and freezing a node per value, then
 * visiting them all. For a redemption that was about a tenth of the server's CPU (`bench/profile.mjs redeem
 * --postgres`), while the few shapes a server ever writes repeat all day. The statement's values are flattened in
 * a fixed order (table by table, row by row, column by column); `compiledQuery` builds the statement once with a
 * placeholder in place of each value and afterwards only fills the placeholders in (compiled-query.ts).
 */
import type { CompiledQuery, Insertable, QueryResult } from 'kysely';
import { compiledQuery } from './compiled-query.js';
import type { Db } from './database.js';
import type { Database } from './schema.js';

/** Rows for one table. */
export type RowsOf = {
  [T in keyof Database & string]: { table: T; rows: Insertable<Database[T]>[] };
}[keyof Database & string];

/** Shapes kept per kind of statement; past it a statement is built every time, as before (a bulk import, say). */
const MAX_SHAPES = 200;

interface TableShape {
  table: RowsOf['table'];
  columns: string[];
  count: number;
}

/** The rows' shape as a key, its parts, and their values in the order `rowsFrom` reads them back. */
export function shapeOfRows(writes: RowsOf[]): { key: string; tables: TableShape[]; values: unknown[] } {
  const tables: TableShape[] = [];
  const values: unknown[] = [];
  let key = '';
  for (const write of writes) {
    const rows = write.rows as Record<string, unknown>[];
    // Every row of one write is made by one factory; a row with other columns starts a table shape of its own.
    for (const row of rows) {
      // A column left undefined is not written (the column's default applies), as Kysely does with such a value.
      const columns = Object.keys(row).filter((column) => row[column] !== undefined);
      const last = tables.at(-1);
      if (last && last.table === write.table && sameColumns(last.columns, columns)) last.count++;
      else tables.push({ table: write.table, columns, count: 1 });
      for (const column of columns) values.push(row[column]);
    }
  }
  for (const { table, columns, count } of tables) key += `${table}(${columns.join(',')})x${count};`;
  return { key, tables, values };
}

/** The rows again, from `values` read in the order `shapeOfRows` wrote them (placeholders, when compiling). */
export function rowsFrom(tables: TableShape[], values: readonly unknown[]): RowsOf[] {
  const writes: RowsOf[] = [];
  let at = 0;
  for (const { table, columns, count } of tables) {
    const rows: Record<string, unknown>[] = [];
    for (let i = 0; i < count; i++) {
      const row: Record<string, unknown> = {};
      for (const column of columns) row[column] = values[at++];
      rows.push(row);
    }
    writes.push({ table, rows } as RowsOf);
  }
  return writes;
}

function sameColumns(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((column, i) => column === b[i]);
}

type Run = (db: Db, ...args: unknown[]) => Promise<QueryResult<unknown>>;

/**
 * One kind of statement, compiled per shape: `run(db, key, args, build)` runs `build(db, args)`'s statement,
 * compiled once for `key`. The rule of compiledQuery holds, and more: `build` must only place its arguments as
 * values, the same key must always build the same statement, and `build` may capture nothing that changes from one
 * call to the next (the first call's `build` is the one kept for the key).
 */
export function statementsByShape<D extends Db>() {
  const byKey = new Map<string, Run>();
  return async <R>(
    db: D,
    key: string,
    args: unknown[],
    build: (db: D, args: readonly unknown[]) => { compile(): CompiledQuery<unknown> },
  ): Promise<R[]> => {
    let run = byKey.get(key);
    if (!run) {
      if (byKey.size >= MAX_SHAPES) return (await db.executeQuery(build(db, args).compile())).rows as R[];
      run = compiledQuery((first: Db, ...placeholders: unknown[]) => build(first as D, placeholders)) as Run;
      byKey.set(key, run);
    }
    return (await run(db, ...args)).rows as R[];
  };
}
