/**
 * The store side of "a host belongs to one app", on both databases: `apps.public_host` follows the settings on
 * every write, a second claim throws storage's own `PublicHostTaken` and writes nothing, and a move is one
 * transaction.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AppRow } from '../storage/rows.js';
import { DIALECTS } from '../test-support/databases.js';
import { appRow, eventRow, planFailure, useStore } from '../test-support/store-rows.js';
import { PublicHostTaken } from './app-store.js';

const freshHost = () => `s${randomBytes(5).toString('hex')}.store.example`;
const on = (publicUrl: string | null) => JSON.stringify({ public_url: publicUrl });

describe.each(DIALECTS)('app hosts in the store on %s', (dialect) => {
  const { store, db } = useStore(dialect);

  async function seed(publicUrl: string | null): Promise<AppRow> {
    const app = appRow(Date.now(), { settings: on(publicUrl) });
    await store().insertApp(app, [], []);
    return app;
  }

  const columnOf = async (app: AppRow) =>
    (await db().selectFrom('apps').select('public_host').where('id', '=', app.id).executeTakeFirstOrThrow())
      .public_host;

  it('stores the host of public_url, spelled one way, and keeps it in step', async () => {
    const host = freshHost();
    const app = await seed(`HTTPS://${host.toUpperCase()}:443/portal`);
    expect(await columnOf(app)).toBe(host);
    expect(await store().findAppByHost(host)).toEqual(app);
    expect(await store().listAppHosts()).toContainEqual({ id: app.id, host });
    const now = Date.now();
    await store().updateApp(app.id, { name: app.name, settings: on(null), updated_at: now }, []);
    expect(await columnOf(app)).toBeNull();
    expect(await store().findAppByHost(host)).toBeUndefined();
  });

  it('refuses a second app on a held host with PublicHostTaken and writes nothing', async () => {
    const host = freshHost();
    await seed(`https://${host}`);
    const second = appRow(Date.now(), { settings: on(`http://${host}`) });
    const event = eventRow(second.id, 'app.created', second.id, Date.now());
    const error = await store()
      .insertApp(second, [], [event])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublicHostTaken);
    expect((error as PublicHostTaken).host).toBe(host);
    expect(await store().getApp(second.id)).toBeUndefined();
    expect(await store().listEvents(second.id, {}, { limit: 10 })).toEqual([]);
  });

  it('refuses an update to a held host with PublicHostTaken and changes nothing', async () => {
    const host = freshHost();
    await seed(`https://${host}`);
    const other = await seed(null);
    const changes = { name: 'Must not stick', settings: on(`https://${host}.`), updated_at: Date.now() };
    const event = eventRow(other.id, 'app.updated', other.id, Date.now());
    await expect(store().updateApp(other.id, changes, [event])).rejects.toBeInstanceOf(PublicHostTaken);
    expect(await store().getApp(other.id)).toEqual(other);
    expect(await store().listEvents(other.id, {}, { limit: 10 })).toEqual([]);
  });

  it('moves a host in one transaction, with the events of both apps', async () => {
    const host = freshHost();
    const holder = await seed(`https://${host}`);
    const taker = await seed(null);
    const now = Date.now();
    const events = [
      eventRow(holder.id, 'app.updated', holder.id, now),
      eventRow(taker.id, 'app.updated', taker.id, now),
    ];
    const result = await store().moveAppHost(
      taker.id,
      { name: taker.name, settings: on(`https://${host}`), updated_at: now },
      (found) => {
        expect(found).toEqual(holder);
        return { holderChanges: { name: holder.name, settings: on(null), updated_at: now }, events };
      },
    );
    expect(result.released?.id).toBe(holder.id);
    expect(result.app?.id).toBe(taker.id);
    expect([await columnOf(holder), await columnOf(taker)]).toEqual([null, host]);
    expect(await store().listEvents(holder.id, {}, { limit: 10 })).toEqual([events[0]]);
    expect(await store().listEvents(taker.id, {}, { limit: 10 })).toEqual([events[1]]);
  });

  it('moves nothing when the plan fails or the app to give the host to does not exist', async () => {
    const host = freshHost();
    const holder = await seed(`https://${host}`);
    const taker = await seed(null);
    const changes = { name: taker.name, settings: on(`https://${host}`), updated_at: Date.now() };
    await expect(store().moveAppHost(taker.id, changes, planFailure)).rejects.toThrow('plan failed');
    const release = () => ({
      holderChanges: { name: holder.name, settings: on(null), updated_at: Date.now() },
      events: [eventRow(holder.id, 'app.updated', holder.id, Date.now())],
    });
    const missing = appRow(Date.now()).id;
    expect(await store().moveAppHost(missing, changes, release)).toEqual({
      app: undefined,
      released: undefined,
    });
    expect(await store().getApp(holder.id)).toEqual(holder);
    expect([await columnOf(holder), await columnOf(taker)]).toEqual([host, null]);
    expect(await store().listEvents(holder.id, {}, { limit: 10 })).toEqual([]);
  });
});
