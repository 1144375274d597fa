import { CompiledQuery, type Insertable } from 'kysely';
import type { Db } from './database.js';
import type { Database } from './schema.js';

/**
 * INSERT of whole rows, with the SQL compiled once per (dialect, table, columns, row count) instead of on every call.
 * Building and compiling a 24-column insert through Kysely's query builder cost as much as SQLite took to run it;
 * the statement text never changes, only the values. The first compile of each shape is checked against Kysely's own
 * parameters, so a shape it would bind differently is never cached.
 */
export async function insertRows<T extends keyof Database & string>(
  db: Db,
  table: T,
  rows: Insertable<Database[T]>[],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  if (!rows.every((row) => sameKeys(row, columns))) {
    await db.insertInto(table).values(rows).execute();
    return;
  }
  const parameters: unknown[] = [];
  for (const row of rows) {
    const values = row as Record<string, unknown>;
    for (const column of columns) parameters.push(values[column]);
  }
  const byShape = shapesOf(db);
  const shape = `${table}|${rows.length}|${columns.join(',')}`;
  let sqlText = byShape.get(shape);
  if (sqlText === undefined) {
    const compiled = db.insertInto(table).values(rows).compile();
    if (!sameParameters(compiled.parameters, parameters)) {
      await db.executeQuery(compiled);
      return;
    }
    sqlText = compiled.sql;
    byShape.set(shape, sqlText);
  }
  await db.executeQuery(CompiledQuery.raw(sqlText, parameters));
}

/** Compiled SQL per shape, per dialect: the adapter object is shared by a database and all its transactions. */
const shapes = new WeakMap<object, Map<string, string>>();

function shapesOf(db: Db): Map<string, string> {
  const adapter = db.getExecutor().adapter;
  let byShape = shapes.get(adapter);
  if (!byShape) {
    byShape = new Map();
    shapes.set(adapter, byShape);
  }
  return byShape;
}

function sameKeys(row: object, columns: string[]): boolean {
  const keys = Object.keys(row);
  return keys.length === columns.length && keys.every((key, i) => key === columns[i]);
}

function sameParameters(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
