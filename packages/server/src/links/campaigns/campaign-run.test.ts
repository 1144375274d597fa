/**
 * A campaign's run as the bulk route drives it, batch by batch, on both databases: revoked while it runs, and left
 * by a client that hung up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../test-support/databases.js';
import { startTestServer, type TestServer, uniqueEmail } from '../../test-support/test-server.js';
import { BULK_BATCH_ROWS, type InputRow, type RowResult } from '../bulk/bulk-service.js';
import { campaignRows, revokeCampaign, startCampaign } from './campaign-service.js';

const rows = (n: number): InputRow[] =>
  Array.from({ length: n }, () => ({ value: { email: uniqueEmail() } }));

describe.each(DIALECTS)('a campaign run (%s)', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(async () => server?.close());

  const start = (name: string, total: number) =>
    startCampaign(server.ctx, server.appId, { name, createdBy: 'key_test', rowsTotal: total, send: false });

  it('revoked while it runs: the batch in flight is revoked too, and no later row is created', async () => {
    const input = rows(BULK_BATCH_ROWS * 4);
    const campaign = await start('Stopped', input.length);
    const run = campaignRows(server.ctx, campaign, input);
    // The first result comes once the first batch is written and counted.
    const first = await run.next();
    expect(first.value).toHaveProperty('magic_link');
    expect(await server.ctx.store.getCampaign(server.appId, campaign.id)).toMatchObject({
      status: 'running',
      rows_created: BULK_BATCH_ROWS,
    });

    const { revoked } = await revokeCampaign(server.ctx, server.appId, campaign.id);
    expect(revoked).toBe(BULK_BATCH_ROWS);

    const results: RowResult[] = [first.value as RowResult];
    for await (const result of run) results.push(result);
    expect(results.map((r) => r.row)).toEqual(input.map((_, i) => i + 1));
    // The second batch was planned before the run saw the revocation; it was written, then revoked at once.
    const created = results.filter((r) => 'magic_link' in r);
    expect(created).toHaveLength(BULK_BATCH_ROWS * 2);
    const refused = results.slice(BULK_BATCH_ROWS * 2);
    expect(refused.every((r) => 'error' in r && r.error.code === 'conflict')).toBe(true);

    const links = await server.ctx.store.campaignLinks(server.appId, campaign.id, undefined, 10_000);
    expect(links).toHaveLength(BULK_BATCH_ROWS * 2);
    expect(links.every((l) => l.status === 'revoked')).toBe(true);
    const row = await server.ctx.store.getCampaign(server.appId, campaign.id);
    expect(row).toMatchObject({
      status: 'revoked',
      rows_total: input.length,
      rows_created: BULK_BATCH_ROWS * 2,
      rows_failed: BULK_BATCH_ROWS * 2,
    });
    expect(row?.finished_at).not.toBeNull();
  });

  it('left by a client that hung up: done, with the rows it answered', async () => {
    const input = rows(BULK_BATCH_ROWS * 3);
    const campaign = await start('Abandoned', input.length);
    const run = campaignRows(server.ctx, campaign, input);
    await run.next();
    await run.return(undefined);
    const row = await server.ctx.store.getCampaign(server.appId, campaign.id);
    expect(row).toMatchObject({ status: 'done', rows_total: input.length, rows_created: BULK_BATCH_ROWS });
    expect(row?.finished_at).not.toBeNull();
    expect(await server.ctx.store.campaignLinks(server.appId, campaign.id, undefined, 10_000)).toHaveLength(
      BULK_BATCH_ROWS,
    );
  });
});
