import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../test-support/databases.js';
import { expectDocumented } from '../../test-support/documented-answer.js';
import {
  startTestServer,
  TEST_REDIRECT,
  type TestServer,
  uniqueEmail,
} from '../../test-support/test-server.js';
import { BulkAnswer, BulkRowResult, BulkSummary } from './bulk-present.js';
import { BULK_BATCH_ROWS, negotiateFormat } from './bulk-service.js';
import { parseCsv, writeCsv } from './csv.js';

const URL_PATH = '/v1/magic-links/bulk';
const NDJSON = 'application/x-ndjson';

function bulk(
  server: TestServer,
  payload: string,
  contentType: string,
  accept?: string,
  key = server.apiKey,
) {
  return server.app.inject({
    method: 'POST',
    url: URL_PATH,
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': contentType,
      ...(accept === undefined ? {} : { accept }),
    },
    payload,
  });
}

async function listLinks(server: TestServer): Promise<Array<{ id: string; identifier: string }>> {
  const all: Array<{ id: string; identifier: string }> = [];
  let cursor: string | undefined;
  do {
    const res = await server.api('GET', `/v1/magic-links?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as {
      data: Array<{ id: string; identifier: string }>;
      next_cursor?: string | null;
    };
    all.push(...body.data);
    cursor = body.next_cursor ?? undefined;
  } while (cursor);
  return all;
}

/** Good and bad rows, in order, with what each bad row must answer. */
function mixedRows() {
  const good = [uniqueEmail(), uniqueEmail(), uniqueEmail()];
  const rows: Array<Record<string, unknown>> = [
    { email: good[0], redirect_url: TEST_REDIRECT, metadata: { batch: 1 } },
    { email: 'not-an-email' },
    { email: good[1], ttl: 30 },
    { email: uniqueEmail(), ttl: 10_000_000 },
    { email: uniqueEmail(), colour: 'blue' },
    { email: uniqueEmail(), send: 'yes' },
    { email: good[2], send: false, type: 'invite' },
  ];
  const expected: Array<'ok' | { code: string; param: string }> = [
    'ok',
    { code: 'invalid_email', param: 'email' },
    'ok',
    { code: 'ttl_too_long', param: 'ttl' },
    { code: 'validation_failed', param: 'colour' },
    { code: 'validation_failed', param: 'send' },
    'ok',
  ];
  return { rows, good, expected };
}

const CSV_FIELDS = ['email', 'redirect_url', 'ttl', 'send', 'type', 'metadata', 'colour'];

function toCsv(rows: Array<Record<string, unknown>>): string {
  return writeCsv([
    CSV_FIELDS,
    ...rows.map((row) =>
      CSV_FIELDS.map((field) => {
        const value = row[field];
        if (value === undefined) return '';
        return typeof value === 'object' ? JSON.stringify(value) : String(value);
      }),
    ),
  ]);
}

type JsonResult = {
  row: number;
  magic_link?: Record<string, unknown> & { id: string; identifier: string; url: string; secret: string };
  error?: { code: string; message: string; param?: string };
};

function checkResults(
  results: JsonResult[],
  good: string[],
  expected: ReturnType<typeof mixedRows>['expected'],
) {
  expect(results.map((r) => r.row)).toEqual(expected.map((_, i) => i + 1));
  results.forEach((result, i) => {
    const want = expected[i]!;
    if (want === 'ok') {
      expect(result.error, JSON.stringify(result)).toBeUndefined();
      expect(result.magic_link?.id).toMatch(/^ml_/);
    } else {
      expect(result.magic_link).toBeUndefined();
      expect(result.error).toMatchObject(want);
      expect(result.error?.message).toBeTruthy();
    }
  });
  expect(results.filter((r) => r.magic_link).map((r) => r.magic_link!.identifier)).toEqual(good);
}

describe.each(DIALECTS)('bulk creation (%s)', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(async () => server?.close());

  it('JSON in, JSON out: one result per row in order; the good rows are created', async () => {
    const { rows, good, expected } = mixedRows();
    const sent: unknown[] = [...rows, { email: 'nul\u0000@example.com' }, 42];
    // The NUL row is refused by the row's schema check, before the address is read.
    expected.push(
      { code: 'validation_failed', param: 'email' },
      { code: 'validation_failed', param: 'body' },
    );
    const res = await bulk(server, JSON.stringify(sent), 'application/json');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json() as { data: JsonResult[]; summary: { created: number; failed: number } };
    checkResults(body.data, good, expected);
    expect(body.summary).toEqual({ created: 3, failed: 6 });
    expectDocumented(BulkAnswer.content['application/json'].schema, body);

    // The same shape as a single create.
    const first = body.data[0]!.magic_link!;
    expect(Object.keys(first).sort()).toEqual(
      [
        'id',
        'app_id',
        'user_id',
        'identifier',
        'type',
        'redirect_url',
        'url',
        'ttl',
        'expires_at',
        'activated',
        'secret',
      ].sort(),
    );
    expect(first).toMatchObject({ app_id: server.appId, redirect_url: TEST_REDIRECT, activated: false });
    expect(first.url).toBe(`https://auth.example.com/l/${first.secret}`);
    expect(body.data[2]!.magic_link!.ttl).toBe(30);
    expect(body.data[6]!.magic_link!.type).toBe('invite');

    const listed = await listLinks(server);
    const ids = new Set(listed.map((l) => l.id));
    for (const result of body.data) if (result.magic_link) expect(ids.has(result.magic_link.id)).toBe(true);
    const bad = rows.filter((_, i) => expected[i] !== 'ok') as Array<{ email?: string }>;
    for (const row of bad) expect(listed.some((l) => l.identifier === row.email)).toBe(false);
  });

  it('CSV in, CSV out: one line per row in order with status, link and error columns', async () => {
    const { rows, good, expected } = mixedRows();
    const res = await bulk(server, toCsv(rows), 'text/csv; charset=utf-8', 'text/csv');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const [header, ...lines] = parseCsv(res.body);
    expect(header).toEqual([
      'row',
      'status',
      'id',
      'user_id',
      'identifier',
      'url',
      'expires_at',
      'error_code',
      'error_message',
    ]);
    expect(lines).toHaveLength(rows.length);
    const results: JsonResult[] = lines.map((cells) => {
      const [row, status, id, user_id, identifier, url, expires_at, code, message] = cells;
      return status === 'created'
        ? {
            row: Number(row),
            magic_link: { id: id!, user_id, identifier: identifier!, url: url!, expires_at, secret: '' },
          }
        : { row: Number(row), error: { code: code!, message: message! } };
    });
    checkResults(
      results,
      good,
      expected.map((want) => (want === 'ok' ? want : { code: want.code }) as (typeof expected)[number]),
    );
    for (const result of results) {
      if (result.magic_link) {
        expect(result.magic_link.url).toMatch(/^https:\/\/auth\.example\.com\/l\//);
        expect(Number.isNaN(Date.parse(String(result.magic_link.expires_at)))).toBe(false);
      }
    }
    const listed = new Set((await listLinks(server)).map((l) => l.identifier));
    for (const email of good) expect(listed.has(email)).toBe(true);
  });

  it('NDJSON in, NDJSON out: one line per row in order, then the summary', async () => {
    const { rows, good, expected } = mixedRows();
    const payload = `${rows.map((row) => JSON.stringify(row)).join('\n')}\n{not json\n\n`;
    expected.push({ code: 'invalid_json' } as never);
    const res = await bulk(server, payload, NDJSON, NDJSON);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(res.body.endsWith('\n')).toBe(true);
    const lines = res.body
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.at(-1)).toEqual({ summary: { created: 3, failed: 5 } });
    checkResults(lines.slice(0, -1) as JsonResult[], good, expected);
    for (const line of lines.slice(0, -1)) expectDocumented(BulkRowResult, line);
    expectDocumented(Type.Object({ summary: BulkSummary }), lines.at(-1));
  });

  it('creates one user for a new address that several rows name, within and across batches', async () => {
    const email = uniqueEmail();
    const rows = Array.from({ length: BULK_BATCH_ROWS + 5 }, (_, i) => ({
      email: i % 2 === 0 ? email : uniqueEmail(),
    }));
    const res = await bulk(server, JSON.stringify(rows), 'application/json');
    expect(res.statusCode).toBe(200);
    const data = res.json().data as JsonResult[];
    expect(data.every((r) => r.magic_link)).toBe(true);
    const users = new Set(data.filter((_, i) => i % 2 === 0).map((r) => r.magic_link!.user_id));
    expect(users.size).toBe(1);
    const found = await server.api('GET', `/v1/users?email=${encodeURIComponent(email)}`);
    expect(found.json().data).toHaveLength(1);
  });

  it('creates every row of concurrent requests that name the same new addresses, one user each', async () => {
    // Both requests plan new users for the same addresses before either writes; the second batch to be written
    // clashes and is written row by row, finding the users the first one created.
    const emails = Array.from({ length: 40 }, () => uniqueEmail());
    const body = JSON.stringify(emails.map((email) => ({ email })));
    const answers = await Promise.all([
      bulk(server, body, 'application/json'),
      bulk(server, body, 'application/json'),
    ]);
    for (const res of answers) expect(res.json().summary).toEqual({ created: 40, failed: 0 });
    const [a, b] = answers.map((res) => (res.json().data as JsonResult[]).map((r) => r.magic_link!.user_id));
    expect(b).toEqual(a);
    for (const email of emails.slice(0, 5)) {
      const found = await server.api('GET', `/v1/users?email=${encodeURIComponent(email)}`);
      expect(found.json().data).toHaveLength(1);
    }
    const links = new Set((await listLinks(server)).map((l) => l.id));
    for (const res of answers)
      for (const r of res.json().data as JsonResult[]) expect(links.has(r.magic_link!.id)).toBe(true);
  });
});

describe('bulk creation: inputs, limits and outputs', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
  });
  afterAll(async () => server?.close());

  it('reads CSV cells with quotes, commas and line breaks, after a byte order mark', async () => {
    const email = uniqueEmail();
    const metadata = { note: 'a, "quoted"\nsecond line', n: 2 };
    const csv = `\uFEFFemail,metadata,redirect_url\r\n${email},"${JSON.stringify(metadata).replaceAll('"', '""')}","https://app.example.com/a?x=1,2"\r\n\r\n`;
    const res = await bulk(server, csv, 'text/csv');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.summary).toEqual({ created: 1, failed: 0 });
    const link = body.data[0].magic_link;
    expect(link).toMatchObject({ identifier: email, redirect_url: 'https://app.example.com/a?x=1,2' });
    const read = await server.api('GET', `/v1/magic-links/${link.id}`);
    expect(read.json().metadata).toEqual(metadata);
  });

  it('converts CSV send and ttl cells, and reports cells that are not true/false or an integer', async () => {
    const csv = `email,send,ttl\n${uniqueEmail()},false,45\n${uniqueEmail()},no,\n${uniqueEmail()},,1.5\n`;
    const res = await bulk(server, csv, 'text/csv');
    const data = res.json().data;
    expect(data[0].magic_link.ttl).toBe(45);
    expect(data[1].error).toMatchObject({ code: 'validation_failed', param: 'send' });
    expect(data[2].error).toMatchObject({ code: 'validation_failed', param: 'ttl' });
  });

  it('answers a CSV row with more cells than the header with an error for that row only', async () => {
    const res = await bulk(server, `email\n${uniqueEmail()},extra\n${uniqueEmail()}\n`, 'text/csv');
    const data = res.json().data;
    expect(data[0].error.code).toBe('validation_failed');
    expect(data[1].magic_link).toBeDefined();
  });

  it('refuses more than 100,000 rows in any format and creates nothing', async () => {
    const before = (await listLinks(server)).length;
    const email = 'many@example.com';
    const bodies: Array<[string, string]> = [
      [`email\n${`${email}\n`.repeat(100_001)}`, 'text/csv'],
      [`[${`{"email":"${email}"},`.repeat(100_000)}{"email":"${email}"}]`, 'application/json'],
      [`{"email":"${email}"}\n`.repeat(100_001), NDJSON],
    ];
    for (const [payload, type] of bodies) {
      const res = await bulk(server, payload, type);
      expect(res.statusCode, res.body.slice(0, 200)).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'validation_failed', param: 'body' });
      expect(res.json().error.message).toMatch(/100,000/);
    }
    expect((await listLinks(server)).length).toBe(before);
  });

  it('takes exactly 100,000 rows past the body limit of single requests (rows checked, not created)', async () => {
    // Rows with an unknown field fail validation before any write, so this exercises reading at full size cheaply.
    const payload = `email,colour\n${'x@example.com,blue\n'.repeat(100_000)}`;
    expect(payload.length).toBeGreaterThan(1024 * 1024);
    const res = await bulk(server, payload, 'text/csv', NDJSON);
    expect(res.statusCode).toBe(200);
    const last = res.body.trimEnd().split('\n').at(-1)!;
    expect(JSON.parse(last)).toEqual({ summary: { created: 0, failed: 100_000 } });
  }, 120_000);

  it('neutralises spreadsheet formulas in CSV output', async () => {
    const csv = 'email,phone\n=1+1@example.com,\n,+14155550123\n@x,\n-a@example.com,\n';
    const res = await bulk(server, csv, 'text/csv', 'text/csv');
    expect(res.statusCode, res.body).toBe(200);
    const lines = parseCsv(res.body).slice(1);
    for (const cells of lines) {
      for (const cell of cells) expect(cell).not.toMatch(/^[=+\-@]/);
    }
    const identifiers = lines.filter((cells) => cells[1] === 'created').map((cells) => cells[4]);
    expect(identifiers).toContain("'+14155550123");
    expect(identifiers.some((id) => id?.startsWith("'=") || id?.startsWith("'-"))).toBe(true);
  });

  it('streams NDJSON over a socket line by line, ending with the summary', async () => {
    const address = await server.app.listen({ port: 0, host: '127.0.0.1' });
    const rows = Array.from({ length: 300 }, () => JSON.stringify({ email: uniqueEmail() })).join('\n');
    const res = await fetch(`${address}${URL_PATH}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': NDJSON, accept: NDJSON },
      body: rows,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBeNull();
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let chunks = 0;
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks++;
      text += value;
    }
    expect(chunks).toBeGreaterThan(1);
    const lines = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(301);
    expect(lines.slice(0, 300).map((l) => l.row)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(lines[300]).toEqual({ summary: { created: 300, failed: 0 } });
  });

  it('creates 10,000 rows from CSV', async () => {
    const emails = Array.from({ length: 10_000 }, () => uniqueEmail());
    const csv = `email,ttl\n${emails.map((e) => `${e},60`).join('\n')}\n`;
    const started = performance.now();
    const res = await bulk(server, csv, 'text/csv', 'text/csv');
    const seconds = (performance.now() - started) / 1000;
    expect(res.statusCode).toBe(200);
    const lines = parseCsv(res.body).slice(1);
    expect(lines).toHaveLength(10_000);
    expect(lines.every((cells) => cells[1] === 'created')).toBe(true);
    console.log(`bulk: 10,000 CSV rows created on SQLite in ${seconds.toFixed(2)} s`);
  }, 300_000);

  it('needs an API key and a body type it reads', async () => {
    const noKey = await server.app.inject({
      method: 'POST',
      url: URL_PATH,
      headers: { 'content-type': 'application/json' },
      payload: '[]',
    });
    expect(noKey.statusCode).toBe(401);
    expect(noKey.json().error.code).toBe('unauthorized');

    const xml = await bulk(server, '<rows/>', 'application/xml');
    expect(xml.statusCode).toBe(415);
    expect(xml.json().error.code).toBe('unsupported_media_type');
  });

  it('refuses a body that cannot be read as rows at all', async () => {
    const cases: Array<[string, string, string]> = [
      ['{"email":"a@example.com"}', 'application/json', 'validation_failed'],
      ['[{"email":', 'application/json', 'invalid_json'],
      ['email\n"unclosed', 'text/csv', 'validation_failed'],
      ['', 'text/csv', 'validation_failed'],
      ['email,email\na@example.com,b@example.com', 'text/csv', 'validation_failed'],
    ];
    for (const [payload, type, code] of cases) {
      const res = await bulk(server, payload, type);
      expect(res.statusCode, payload).toBe(400);
      expect(res.json().error.code, payload).toBe(code);
    }
    const empty = await bulk(server, '[]', 'application/json');
    expect(empty.json()).toEqual({ data: [], summary: { created: 0, failed: 0 } });
  });

  it('leaves the body limit of other routes alone', async () => {
    const big = JSON.stringify({ email: uniqueEmail(), metadata: { pad: 'x'.repeat(2 * 1024 * 1024) } });
    const res = await server.api('POST', '/v1/magic-links', big);
    expect(res.statusCode).toBe(413);
  });
});

describe('bulk dry runs', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
  });
  afterAll(async () => server?.close());

  const dryRun = (payload: string, contentType: string, accept?: string) =>
    server.app.inject({
      method: 'POST',
      url: `${URL_PATH}?dry_run=true`,
      headers: {
        authorization: `Bearer ${server.apiKey}`,
        'content-type': contentType,
        ...(accept === undefined ? {} : { accept }),
      },
      payload,
    });

  it('answers in every format what each row would create, the same errors a real run gives, and creates nothing', async () => {
    const { rows, expected } = mixedRows();
    const before = (await listLinks(server)).length;
    const json = await dryRun(JSON.stringify(rows), 'application/json');
    expect(json.statusCode, json.body).toBe(200);
    const body = json.json() as { dry_run: true; data: JsonResult[]; summary: Record<string, number> };
    expect(body.summary).toEqual({ would_create: 3, failed: 4 });
    expectDocumented(BulkAnswer.content['application/json'].schema, body);
    body.data.forEach((result, i) => {
      const want = expected[i]!;
      if (want === 'ok') expect(result).toHaveProperty('would_create');
      else expect(result.error).toMatchObject(want);
    });

    const csv = await dryRun(toCsv(rows), 'text/csv', 'text/csv');
    const lines = parseCsv(csv.body).slice(1);
    expect(lines.map((cells) => cells[1])).toEqual(
      expected.map((want) => (want === 'ok' ? 'would_create' : 'failed')),
    );
    expect(lines.every((cells) => cells[2] === '' && cells[5] === '')).toBe(true);

    const ndjson = await dryRun(rows.map((row) => JSON.stringify(row)).join('\n'), NDJSON, NDJSON);
    const last = JSON.parse(ndjson.body.trimEnd().split('\n').at(-1)!);
    expect(last).toEqual({ summary: { would_create: 3, failed: 4 } });
    expect((await listLinks(server)).length).toBe(before);
  });

  it('names the existing user a row would use, and says when rows would create one', async () => {
    const known = uniqueEmail();
    expect((await server.api('POST', '/v1/users', { email: known })).statusCode).toBe(201);
    const fresh = uniqueEmail();
    const res = await dryRun(
      JSON.stringify([{ email: known }, { email: fresh }, { email: fresh, send: true }]),
      'application/json',
    );
    const data = res.json().data as Array<{ would_create: Record<string, unknown> }>;
    expect(data[0]!.would_create).toMatchObject({ new_user: false, identifier: known, send: false });
    expect(data[0]!.would_create.user_id).toMatch(/^usr_/);
    expect(data[1]!.would_create).toMatchObject({ new_user: true, user_id: null });
    // The second row for the same new address uses the user the first would create.
    expect(data[2]!.would_create).toMatchObject({
      new_user: true,
      user_id: null,
      send: true,
      channel: 'email',
    });
    const found = await server.api('GET', `/v1/users?email=${encodeURIComponent(fresh)}`);
    expect(found.json().data).toEqual([]);
  });
});

describe('negotiateFormat', () => {
  it('picks the best type we write, JSON by default', () => {
    expect(negotiateFormat(undefined)).toBe('json');
    expect(negotiateFormat('*/*')).toBe('json');
    expect(negotiateFormat('text/html')).toBe('json');
    expect(negotiateFormat('text/csv')).toBe('csv');
    expect(negotiateFormat('application/x-ndjson')).toBe('ndjson');
    expect(negotiateFormat('application/json;q=0.5, text/csv')).toBe('csv');
    expect(negotiateFormat('text/csv;q=0, application/x-ndjson;q=0.1')).toBe('ndjson');
  });
});
