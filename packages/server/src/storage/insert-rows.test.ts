import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../test-support/databases.js';
import { eventRow, useStore } from '../test-support/store-rows.js';
import { insertRows } from './insert-rows.js';

describe.each(DIALECTS)('insertRows on %s', (dialect) => {
  const { db } = useStore(dialect);
  const at = Date.now();
  const appId = `app_insert_rows_${dialect}`;

  const stored = (ids: string[]) =>
    db().selectFrom('events').selectAll().where('id', 'in', ids).orderBy('id').execute();

  it('writes the same rows as the query builder, whether the SQL was compiled before or not', async () => {
    for (let round = 0; round < 3; round++) {
      const rows = [
        eventRow(appId, 'magic_link.created', null, at),
        eventRow(appId, 'user.created', null, at),
      ];
      await insertRows(db(), 'events', rows);
      expect(await stored(rows.map((r) => r.id))).toEqual([...rows].sort((a, b) => a.id.localeCompare(b.id)));
    }
  });

  it('writes rows whose columns come in different orders', async () => {
    const first = eventRow(appId, 'magic_link.created', null, at);
    const { id, type, ...rest } = eventRow(appId, 'magic_link.revoked', null, at);
    const reordered = { type, ...rest, id };
    await insertRows(db(), 'events', [first, reordered]);
    expect(await stored([first.id, id])).toHaveLength(2);
    expect((await stored([id]))[0]).toMatchObject({ type: 'magic_link.revoked' });
  });
});
