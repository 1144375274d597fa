/**
 * Campaigns end to end through the API, on both databases: a dry run that finds every bad row and writes nothing,
 * the real run that stamps its links, the funnel after redemptions, the CSV export, revocation, and isolation
 * between apps.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../storage/database.js';
import type { Database } from '../../storage/schema.js';
import { DIALECTS } from '../../test-support/databases.js';
import { expectDocumented } from '../../test-support/documented-answer.js';
import {
  createOtherApp,
  redeemHostedForCode,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from '../../test-support/test-server.js';
import { BulkAnswer } from '../bulk/bulk-present.js';
import { parseCsv, writeCsv } from '../bulk/csv.js';

const NAME = 'Spring invites';
const TABLES = ['campaigns', 'users', 'magic_links', 'events', 'outbox', 'idempotency_keys'] as const;

/** Rows 17, 88 and 150 are bad, each in its own way; the rest are good. */
const BAD: Record<
  number,
  { cells: Partial<Record<'email' | 'ttl' | 'redirect_url', string>>; code: string; param: string }
> = {
  17: { cells: { email: 'not-an-email' }, code: 'invalid_email', param: 'email' },
  88: { cells: { ttl: '10000000' }, code: 'ttl_too_long', param: 'ttl' },
  150: {
    cells: { redirect_url: 'https://evil.example.net/' },
    code: 'redirect_not_allowed',
    param: 'redirect_url',
  },
};

function campaignCsv(): { csv: string; emails: string[] } {
  const emails = Array.from({ length: 200 }, (_, i) =>
    // The first address starts with `=`: the export must not hand it to a spreadsheet as a formula.
    i === 0 ? `=1+1${randomUUID().slice(0, 8)}@example.com` : uniqueEmail(),
  );
  const records = emails.map((email, i) => {
    const bad = BAD[i + 1]?.cells ?? {};
    return [bad.email ?? email, bad.ttl ?? '60', bad.redirect_url ?? ''];
  });
  return { csv: writeCsv([['email', 'ttl', 'redirect_url'], ...records]), emails };
}

type Row = { row: number; error?: { code: string; message: string; param?: string } } & Record<
  string,
  unknown
>;

describe.each(DIALECTS)('campaigns (%s)', (dialect) => {
  let server: TestServer;
  let db: { db: Kysely<Database>; close(): Promise<void> };
  const { csv, emails } = campaignCsv();
  const idempotencyKey = randomUUID();
  let campaignId: string;
  let links: Array<{ id: string; identifier: string; secret: string }>;

  beforeAll(async () => {
    // Webhook endpoints on loopback, so one test can subscribe to the campaign's events.
    server = await startTestServer(dialect, { env: { LATCHKEY_WEBHOOK_ALLOW_PRIVATE: 'true' } });
    db = openDatabase(server.db.target);
  });
  afterAll(async () => {
    await db?.close();
    await server?.close();
  });

  const bulk = (query: string, payload = csv, headers: Record<string, string> = {}) =>
    server.app.inject({
      method: 'POST',
      url: `/v1/magic-links/bulk?${query}`,
      headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'text/csv', ...headers },
      payload,
    });

  const counts = async () => {
    const out = {} as Record<(typeof TABLES)[number], number>;
    for (const table of TABLES) {
      const row = await db.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      out[table] = Number(row.n);
    }
    return out;
  };

  const errorsOf = (data: Row[]) => data.filter((r) => r.error).map((r) => ({ row: r.row, ...r.error }));

  it('a dry run reports exactly the three bad rows, as a real run would, and writes nothing', async () => {
    const before = await counts();
    const res = await bulk(`dry_run=true&campaign=${encodeURIComponent(NAME)}`, csv, {
      'idempotency-key': idempotencyKey,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['latchkey-campaign']).toBeUndefined();
    const body = res.json() as { dry_run: boolean; data: Row[]; summary: Record<string, number> };
    expect(body.dry_run).toBe(true);
    expect(body.summary).toEqual({ would_create: 197, failed: 3 });
    expect(body.data.map((r) => r.row)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(errorsOf(body.data).map(({ row, code, param }) => ({ row, code, param }))).toEqual(
      Object.entries(BAD).map(([row, bad]) => ({ row: Number(row), code: bad.code, param: bad.param })),
    );
    expect(body.data[1]).toEqual({
      row: 2,
      would_create: {
        user_id: null,
        new_user: true,
        identifier: emails[1],
        type: 'login',
        channel: null,
        send: false,
        redirect_url: 'https://app.example.com/auth/callback',
        magic_link_path: null,
        ttl: 60,
      },
    });
    expect(await counts()).toEqual(before);
  });

  it('the real run makes the campaign and stamps its id on each of the 197 links', async () => {
    const dry = (await bulk('dry_run=true', csv)).json() as { data: Row[] };
    const before = await counts();
    // The dry run before it used this Idempotency-Key and stored nothing under it, so this run runs.
    const res = await bulk(`campaign=${encodeURIComponent(` ${NAME} `)}`, csv, {
      'idempotency-key': idempotencyKey,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    campaignId = res.headers['latchkey-campaign'] as string;
    expect(campaignId).toMatch(/^cmp_[0-9a-z]{26}$/);
    const body = res.json() as { data: Row[]; summary: Record<string, unknown> };
    expect(body.summary).toEqual({ created: 197, failed: 3, campaign_id: campaignId });
    expectDocumented(BulkAnswer.content['application/json'].schema, body);
    // The same errors, word for word, as the dry run gave.
    expect(errorsOf(body.data)).toEqual(errorsOf(dry.data));
    links = body.data.flatMap((r) =>
      r.magic_link ? [r.magic_link as { id: string; identifier: string; secret: string }] : [],
    );
    expect(links).toHaveLength(197);
    const after = await counts();
    expect(after.campaigns - before.campaigns).toBe(1);
    expect(after.magic_links - before.magic_links).toBe(197);

    const stamped = await db.db
      .selectFrom('magic_links')
      .select(['id', 'campaign_id'])
      .where('campaign_id', '=', campaignId)
      .execute();
    expect(stamped.map((l) => l.id).sort()).toEqual(links.map((l) => l.id).sort());

    const listed: Array<{ id: string; campaign_id: string }> = [];
    let cursor = '';
    do {
      const page = await server.api('GET', `/v1/magic-links?campaign_id=${campaignId}&limit=50${cursor}`);
      expect(page.statusCode, page.body).toBe(200);
      listed.push(...page.json().data);
      const next = page.json().next_cursor as string | null;
      cursor = next ? `&cursor=${next}` : '';
    } while (cursor);
    expect(listed).toHaveLength(197);
    expect(listed.every((l) => l.campaign_id === campaignId)).toBe(true);

    const campaign = (await server.api('GET', `/v1/campaigns/${campaignId}`)).json();
    expect(campaign).toMatchObject({
      id: campaignId,
      app_id: server.appId,
      name: NAME,
      status: 'done',
      send: false,
      rows_total: 200,
      rows_created: 197,
      rows_failed: 3,
      revoked_at: null,
    });
    expect(campaign.created_by).toMatch(/^key_/);
    expect(Date.parse(campaign.finished_at)).toBeGreaterThanOrEqual(Date.parse(campaign.created_at));
    const list = (await server.api('GET', '/v1/campaigns')).json();
    expect(list.data[0]).toMatchObject({ id: campaignId, name: NAME });

    // A retry with the key is the stored answer: no second campaign.
    const retry = await bulk(`campaign=${encodeURIComponent(` ${NAME} `)}`, csv, {
      'idempotency-key': idempotencyKey,
    });
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json().summary.campaign_id).toBe(campaignId);
    // The same key and rows for another campaign is another request.
    const other = await bulk('campaign=Other', csv, { 'idempotency-key': idempotencyKey });
    expect(other.statusCode).toBe(409);
    expect(other.json().error.code).toBe('idempotency_key_reused');
    expect((await counts()).campaigns).toBe(after.campaigns);
  });

  it('counts opens and redemptions in the funnel and the per-day series', async () => {
    for (const link of links.slice(0, 7)) {
      const page = await server.app.inject({ method: 'GET', url: `/l/${link.secret}` });
      expect(page.statusCode).toBe(200);
    }
    for (const link of links.slice(0, 5)) await redeemHostedForCode(server, link.secret);

    const res = await server.api('GET', `/v1/campaigns/${campaignId}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.funnel).toEqual({
      created: 197,
      sent: 0,
      delivered: 0,
      delivery_failed: 0,
      opened: 7,
      redeemed: 5,
      revoked: 0,
      expired: 0,
    });
    expect(body.conversion).toEqual({
      created_to_sent: 0,
      created_to_opened: Math.round((7 / 197) * 10_000) / 10_000,
      created_to_redeemed: Math.round((5 / 197) * 10_000) / 10_000,
      sent_to_redeemed: null,
    });
    const today = new Date(server.ctx.clock()).toISOString().slice(0, 10);
    expect(body.series).toEqual([{ date: today, created: 197, sent: 0, opened: 7, redeemed: 5 }]);
  });

  it('exports one CSV line per link with its status, and never a token', async () => {
    const res = await server.api('GET', `/v1/campaigns/${campaignId}/links.csv`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${campaignId}.csv"`);
    const [header, ...lines] = parseCsv(res.body);
    expect(header).toEqual([
      'id',
      'user_id',
      'identifier',
      'type',
      'status',
      'created_at',
      'sent_at',
      'delivered_at',
      'opened_at',
      'redeemed_at',
      'revoked_at',
      'expires_at',
    ]);
    expect(lines).toHaveLength(197);
    expect(lines.map((cells) => cells[0]).sort()).toEqual(links.map((l) => l.id).sort());
    expect(lines.filter((cells) => cells[4] === 'redeemed')).toHaveLength(5);
    expect(lines.filter((cells) => cells[9] !== '')).toHaveLength(5);
    for (const link of links) expect(res.body).not.toContain(link.secret);
    expect(res.body).not.toContain('/l/');
    expect(lines.find((cells) => cells[0] === links[0]!.id)![2]).toBe(`'${emails[0]}`);
  });

  it('revokes the outstanding links and not the redeemed ones; revoking again changes nothing', async () => {
    const res = await server.api('POST', `/v1/campaigns/${campaignId}/revoke`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.revoked).toBe(192);
    expect(body.campaign).toMatchObject({ id: campaignId, status: 'revoked' });
    const statuses = await db.db
      .selectFrom('magic_links')
      .select(['status'])
      .where('campaign_id', '=', campaignId)
      .execute();
    expect(statuses.filter((l) => l.status === 'redeemed')).toHaveLength(5);
    expect(statuses.filter((l) => l.status === 'revoked')).toHaveLength(192);
    const events = await db.db
      .selectFrom('events')
      .select('data')
      .where('type', '=', 'magic_link.revoked')
      .where('app_id', '=', server.appId)
      .execute();
    const ofCampaign = events.map((e) => JSON.parse(e.data)).filter((d) => d.campaign_id === campaignId);
    expect(ofCampaign).toHaveLength(192);
    expect(ofCampaign[0]).toMatchObject({ reason: 'campaign' });

    const page = await server.app.inject({ method: 'POST', url: `/l/${links[10]!.secret}` });
    expect(page.statusCode).toBe(410);

    const before = await counts();
    const again = await server.api('POST', `/v1/campaigns/${campaignId}/revoke`);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ ...body, revoked: 0 });
    expect(await counts()).toEqual(before);
    const funnel = (await server.api('GET', `/v1/campaigns/${campaignId}`)).json().funnel;
    expect(funnel).toMatchObject({ created: 197, redeemed: 5, revoked: 192 });
  });

  it("keeps a campaign to its app: another app's key gets 404 and changes nothing", async () => {
    const other = await createOtherApp(server);
    const before = await counts();
    for (const [method, url] of [
      ['GET', `/v1/campaigns/${campaignId}`],
      ['GET', `/v1/campaigns/${campaignId}/links.csv`],
      ['POST', `/v1/campaigns/${campaignId}/revoke`],
    ] as const) {
      const res = await server.api(method, url, undefined, other.key);
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
    const list = await server.api('GET', '/v1/campaigns', undefined, other.key);
    expect(list.json().data.map((c: { id: string }) => c.id)).not.toContain(campaignId);
    const filtered = await server.api(
      'GET',
      `/v1/magic-links?campaign_id=${campaignId}`,
      undefined,
      other.key,
    );
    expect(filtered.json().data).toEqual([]);
    // An admin key reads it only for the app it names.
    const admin = (appId: string) =>
      server.app.inject({
        method: 'GET',
        url: `/v1/campaigns/${campaignId}`,
        headers: { authorization: `Bearer ${server.adminKey}`, 'latchkey-app': appId },
      });
    expect((await admin(other.appId)).statusCode).toBe(404);
    expect((await admin(server.appId)).statusCode).toBe(200);
    expect(await counts()).toEqual(before);
  });

  it('refuses bad campaign parameters with stable codes and creates nothing', async () => {
    const before = await counts();
    const refused: Array<[string, string, string]> = [
      ['campaign=', 'validation_failed', 'campaign'],
      ['campaign=%20%20', 'validation_failed', 'campaign'],
      [`campaign=${'x'.repeat(101)}`, 'validation_failed', 'campaign'],
      ['campaign=two%0Alines', 'validation_failed', 'campaign'],
      ['dry_run=perhaps', 'validation_failed', 'dry_run'],
      ['send=yes&campaign=x', 'validation_failed', 'send'],
    ];
    for (const [query, code, param] of refused) {
      const res = await bulk(query);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error, query).toMatchObject({ code, param });
      expect(res.json().error.message).toBeTruthy();
    }
    // A body that cannot be read as rows makes no campaign either.
    const unreadable = await bulk('campaign=x', 'email,email\na@example.com,b@example.com');
    expect(unreadable.statusCode).toBe(400);

    const reads: Array<[string, number, string, string?]> = [
      ['/v1/campaigns/cmp_nope', 400, 'validation_failed', 'campaign_id'],
      ['/v1/campaigns/cmp_00000000000000000000000000', 404, 'not_found'],
      ['/v1/campaigns/cmp_00000000000000000000000000/links.csv', 404, 'not_found'],
      ['/v1/campaigns?status=paused', 400, 'validation_failed', 'status'],
      ['/v1/magic-links?campaign_id=nope', 400, 'validation_failed', 'campaign_id'],
    ];
    for (const [url, status, code, param] of reads) {
      const res = await server.api('GET', url);
      expect(res.statusCode, url).toBe(status);
      expect(res.json().error, url).toMatchObject(param ? { code, param } : { code });
    }
    const revoke = await server.api('POST', '/v1/campaigns/cmp_00000000000000000000000000/revoke');
    expect(revoke.statusCode).toBe(404);
    expect(await counts()).toEqual(before);
  });

  it("queues webhook deliveries for the campaign's link and user events, as single creates do", async () => {
    const other = await createOtherApp(server);
    const endpoint = await server.api(
      'POST',
      '/v1/webhook-endpoints',
      { url: 'http://127.0.0.1:9/campaigns', event_types: ['magic_link.created', 'user.created'] },
      other.key,
    );
    expect(endpoint.statusCode, endpoint.body).toBe(201);
    const rows = Array.from({ length: 3 }, () => ({ email: uniqueEmail() }));
    const res = await server.app.inject({
      method: 'POST',
      url: '/v1/magic-links/bulk?campaign=Hooked',
      headers: { authorization: `Bearer ${other.key}`, 'content-type': 'application/json' },
      payload: JSON.stringify(rows),
    });
    expect(res.json().summary).toMatchObject({ created: 3, failed: 0 });
    const queued = await db.db
      .selectFrom('outbox')
      .select('id')
      .where('channel', '=', 'webhook')
      .where('recipient', '=', endpoint.json().id)
      .execute();
    // One per link created and one per user created.
    expect(queued).toHaveLength(6);
  });

  it('documents the campaign routes and the bulk parameters in the API reference', async () => {
    const doc = (await server.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/campaigns',
        '/v1/campaigns/{campaign_id}',
        '/v1/campaigns/{campaign_id}/links.csv',
        '/v1/campaigns/{campaign_id}/revoke',
      ]),
    );
    const bulkParams = doc.paths['/v1/magic-links/bulk'].post.parameters.map((p: { name: string }) => p.name);
    expect(bulkParams).toEqual(expect.arrayContaining(['campaign', 'send', 'dry_run']));
  });

  it('sends the links of rows that do not say, with ?send=true, and records it', async () => {
    const rows = [{ email: uniqueEmail() }, { email: uniqueEmail(), send: false }, { email: uniqueEmail() }];
    const res = await bulk('campaign=Sent&send=true', JSON.stringify(rows), {
      'content-type': 'application/json',
    });
    expect(res.statusCode, res.body).toBe(200);
    const id = res.headers['latchkey-campaign'] as string;
    expect((await server.api('GET', `/v1/campaigns/${id}`)).json().send).toBe(true);
    const messages = await db.db
      .selectFrom('outbox')
      .innerJoin('magic_links', 'magic_links.id', 'outbox.link_id')
      .select('magic_links.identifier')
      .where('magic_links.campaign_id', '=', id)
      .execute();
    expect(messages.map((m) => m.identifier).sort()).toEqual([rows[0]!.email, rows[2]!.email].sort());
  });
});
