import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../test-support/databases.js';
import { appRow, eventRow, useStore } from '../test-support/store-rows.js';
import { type RowsOf, rowsFrom, shapeOfRows, statementsByShape } from './statement-shapes.js';

describe('the shape of rows', () => {
  it('reads the values back into the rows they came from', () => {
    const writes: RowsOf[] = [
      { table: 'apps', rows: [appRow(1)] },
      {
        table: 'events',
        rows: [eventRow(null, 'app.created', null, 1), eventRow(null, 'app.updated', null, 2)],
      },
    ];
    const { key, tables, values } = shapeOfRows(writes);
    expect(rowsFrom(tables, values)).toEqual(writes);
    expect(key).toMatch(/^apps\(.*\)x1;events\(.*\)x2;$/);
  });

  it('gives rows of other values the same key, and rows of other columns or counts another', () => {
    const one = shapeOfRows([{ table: 'events', rows: [eventRow(null, 'app.created', null, 1)] }]);
    const same = shapeOfRows([{ table: 'events', rows: [eventRow('app_x', 'app.updated', 'app_x', 9)] }]);
    const two = shapeOfRows([
      {
        table: 'events',
        rows: [eventRow(null, 'app.created', null, 1), eventRow(null, 'app.created', null, 2)],
      },
    ]);
    const { id: _dropped, ...withoutId } = eventRow(null, 'app.created', null, 1);
    const fewer = shapeOfRows([{ table: 'events', rows: [withoutId as never] }]);
    expect(same.key).toBe(one.key);
    expect(new Set([one.key, two.key, fewer.key]).size).toBe(3);
  });

  it('leaves out a column whose value is undefined, as Kysely does', () => {
    const row = { ...eventRow(null, 'app.created', null, 1), subject_id: undefined };
    const { tables } = shapeOfRows([{ table: 'events', rows: [row as never] }]);
    expect(tables[0]!.columns).not.toContain('subject_id');
  });
});

describe.each(DIALECTS)('statements compiled per shape on %s', (dialect) => {
  const fixture = useStore(dialect);

  it('builds a shape once and runs it with each call’s values', async () => {
    const run = statementsByShape();
    let builds = 0;
    const answer = async (a: number, b: string) =>
      run<{ n: number; s: string }>(fixture.db(), 'pair', [a, b], (db, [x, y]) => {
        builds++;
        return {
          compile: () => sql<{ n: number; s: string }>`select ${x} + 0 as n, ${y} || '' as s`.compile(db),
        };
      });
    expect(await answer(1, 'one')).toEqual([{ n: 1, s: 'one' }]);
    expect(await answer(2, 'two')).toEqual([{ n: 2, s: 'two' }]);
    expect(builds).toBe(1);
  });

  it('builds every time a statement that does not carry its values through, and still answers right', async () => {
    const run = statementsByShape();
    let builds = 0;
    const answer = (a: number) =>
      run<{ n: number }>(fixture.db(), 'inlined', [a], (db, [x]) => {
        builds++;
        // The value is written into the SQL text: no placeholder comes through, so nothing can be reused.
        return { compile: () => sql<{ n: number }>`select ${sql.lit(Number(x) || 0)} + 0 as n`.compile(db) };
      });
    expect(await answer(3)).toEqual([{ n: 3 }]);
    expect(await answer(4)).toEqual([{ n: 4 }]);
    expect(builds).toBeGreaterThan(2);
  });
});
