import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../test-support/databases.js';
import { appRow, eventRow, useStore } from '../test-support/store-rows.js';
import { insertAtOnce } from './query-helpers.js';

describe.each(DIALECTS)('insertAtOnce on %s', (dialect) => {
  const fixture = useStore(dialect);

  it('writes rows of several tables together', async () => {
    const now = Date.now();
    const app = appRow(now);
    const event = eventRow(app.id, 'app.created', app.id, now);
    await insertAtOnce(fixture.db(), [
      { table: 'apps', rows: [app] },
      { table: 'events', rows: [event] },
    ]);
    const apps = await fixture.db().selectFrom('apps').select('id').where('id', '=', app.id).execute();
    const events = await fixture.db().selectFrom('events').select('id').where('id', '=', event.id).execute();
    expect([apps.length, events.length]).toEqual([1, 1]);
  });

  it('writes nothing when any of its rows fails', async () => {
    const now = Date.now();
    const taken = eventRow(null, 'app.created', null, now);
    await insertAtOnce(fixture.db(), [{ table: 'events', rows: [taken] }]);
    const app = appRow(now);
    await expect(
      insertAtOnce(fixture.db(), [
        { table: 'apps', rows: [app] },
        { table: 'events', rows: [taken] },
      ]),
    ).rejects.toThrow();
    expect(await fixture.db().selectFrom('apps').select('id').where('id', '=', app.id).execute()).toEqual([]);
  });
});
