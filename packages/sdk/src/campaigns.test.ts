/** Campaigns through the SDK, against a real, listening Latchkey (SQLite). */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, uniqueEmail } from '../../server/src/test-support/test-server.js';
import { Latchkey } from './client.js';
import { LatchkeyError } from './errors.js';
import type { BulkSummary } from './types.js';

let server: TestServer;
let client: Latchkey;

beforeAll(async () => {
  server = await startTestServer('sqlite');
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  client = new Latchkey({ baseUrl, apiKey: server.apiKey });
});

afterAll(async () => {
  await server?.close();
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('campaigns', () => {
  const rows = () => [{ email: uniqueEmail() }, { email: 'not-an-email' }, { email: uniqueEmail() }];

  it('dry-runs, runs, reads, exports and revokes a campaign', async () => {
    const input = rows();
    const dry = await client.magicLinks.bulkDryRun(input, { campaign: 'Launch' });
    expect(dry.dry_run).toBe(true);
    expect(dry.summary).toEqual({ would_create: 2, failed: 1 });
    expect(dry.data[1]).toMatchObject({ row: 2, error: { code: 'invalid_email', param: 'email' } });
    expect(await collect(client.campaigns.list())).toEqual([]);

    const run = await client.magicLinks.bulk(input, { campaign: 'Launch' });
    const id = run.summary.campaign_id!;
    expect(id).toMatch(/^cmp_/);
    expect(run.summary).toMatchObject({ created: 2, failed: 1 });

    const campaign = await client.campaigns.get(id);
    expect(campaign).toMatchObject({ name: 'Launch', status: 'done', rows_total: 3, rows_created: 2 });
    expect(campaign.funnel.created).toBe(2);
    expect((await collect(client.campaigns.list({ status: 'done' }))).map((c) => c.id)).toEqual([id]);
    const links = await collect(client.magicLinks.list({ campaign_id: id }));
    expect(links.map((l) => l.campaign_id)).toEqual([id, id]);

    const csv = await client.campaigns.exportCsv(id);
    expect(csv.trimEnd().split('\r\n')).toHaveLength(3);

    const revoked = await client.campaigns.revoke(id);
    expect(revoked).toMatchObject({ revoked: 2, campaign: { status: 'revoked' } });
    expect((await client.campaigns.revoke(id)).revoked).toBe(0);
  });

  it('streams a campaign, its id in the summary line', async () => {
    let summary: BulkSummary | undefined;
    for await (const item of client.magicLinks.bulkStream(rows(), { campaign: 'Streamed', send: false })) {
      if ('summary' in item) summary = item.summary;
    }
    expect(summary).toMatchObject({ created: 2, failed: 1 });
    expect((await client.campaigns.get(summary!.campaign_id!)).name).toBe('Streamed');
  });

  it('answers an unknown campaign and a bad name with typed errors', async () => {
    const missing = await client.campaigns.get('cmp_00000000000000000000000000').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(LatchkeyError);
    expect(missing).toMatchObject({ status: 404, code: 'not_found' });
    const unnamed = await client.magicLinks.bulk(rows(), { campaign: ' ' }).catch((e: unknown) => e);
    expect(unnamed).toMatchObject({ status: 400, code: 'validation_failed', param: 'campaign' });
  });
});
