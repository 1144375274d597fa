/**
 * The CLI commands that call a running Latchkey (apps, keys, signing-keys, links, users), run as the built binary
 * against a real, listening server: output, --json, exit codes, and that no credential is ever printed.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../links/bulk/csv.js';
import { type Json, runCli } from '../test-support/cli-process.js';
import { startTestServer, TEST_REDIRECT, type TestServer, uniqueEmail } from '../test-support/test-server.js';

let server: TestServer;
let env: Record<string, string>;
let dir: string;

beforeAll(async () => {
  server = await startTestServer('sqlite');
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  env = { LATCHKEY_URL: url, LATCHKEY_API_KEY: server.apiKey };
  dir = mkdtempSync(join(tmpdir(), 'latchkey-cli-'));
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI against the test server; every output is checked for leaked keys. */
async function cli(args: string[], extraEnv: Record<string, string> = {}) {
  const result = await runCli(args, { ...env, ...extraEnv });
  for (const secret of [server.apiKey, server.adminKey]) {
    expect(result.stdout).not.toContain(secret);
    expect(result.stderr).not.toContain(secret);
  }
  return result;
}

const json = (stdout: string) => JSON.parse(stdout) as Json;

describe('links', () => {
  it('creates a link and prints its URL; --json prints the whole link once', async () => {
    const email = uniqueEmail();
    const plain = await cli(['links', 'create', '--email', email, '--ttl', '20']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout.trim()).toMatch(/^https:\/\/auth\.example\.com\/l\/[A-Za-z0-9_-]{49}$/);
    expect(plain.stderr).toContain(email);

    const created = await cli(['links', 'create', '--email', email, '--metadata', '{"order":7}', '--json']);
    const link = json(created.stdout);
    expect(link).toMatchObject({ identifier: email, ttl: 15, activated: false });
    expect(link.url).toContain(link.secret);

    const read = json((await cli(['links', 'get', link.id, '--json'])).stdout);
    expect(read).toMatchObject({ id: link.id, status: 'created', metadata: { order: 7 } });
    expect(read).not.toHaveProperty('secret');

    const listed = json((await cli(['links', 'list', '--user-id', link.user_id, '--json'])).stdout);
    expect(listed.data.map((l: Json) => l.id)).toEqual([link.id, expect.stringMatching(/^ml_/)]);
    const table = await cli(['links', 'list', '--user-id', link.user_id, '--limit', '1']);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+IDENTIFIER\s+TYPE\s+STATUS\s+EXPIRES_AT$/);
    expect(table.stdout.trim().split('\n')).toHaveLength(2);

    const revoked = await cli(['links', 'revoke', link.id]);
    expect(revoked.stdout).toBe(`${link.id} is revoked.\n`);
    const all = json((await cli(['links', 'revoke', '--user', link.user_id, '--json'])).stdout);
    expect(all).toEqual({ revoked: 1 });
    // Seven CLI processes one after another: room for a machine busy with other suites.
  }, 90_000);

  it('replays a create retried with the same --idempotency-key', async () => {
    const args = [
      'links',
      'create',
      '--email',
      uniqueEmail(),
      '--idempotency-key',
      `k-${Date.now()}`,
      '--json',
    ];
    const first = json((await cli(args)).stdout);
    const again = json((await cli(args)).stdout);
    expect(again.id).toBe(first.id);
  });

  it('prints the server’s error code and message and exits 1', async () => {
    const res = await cli([
      'links',
      'create',
      '--email',
      uniqueEmail(),
      '--redirect-url',
      'https://evil.example.net',
    ]);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    // The CLI's own flag, not the API's field name.
    expect(res.stderr).toMatch(/^latchkey: redirect_not_allowed \(--redirect-url\): /);
    expect(res.stderr).not.toMatch(/(?<![\w-])redirect_url/);
    const missing = await cli(['links', 'get', 'ml_01m80c9f60kfkkz6dda4arwc44']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^latchkey: not_found: /);
  });

  it('exits 1 with unauthorized for a wrong key, without printing the key', async () => {
    const wrong = 'lk_sk_thisKeyDoesNotExistAnywhere000000';
    const res = await cli(['links', 'list', '--api-key', wrong]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^latchkey: unauthorized: /);
    expect(res.stderr).not.toContain(wrong);
  });

  it('exits 1 when the server cannot be reached', async () => {
    const res = await cli(['links', 'list'], { LATCHKEY_URL: 'http://127.0.0.1:9' });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^latchkey: network_error: /);
  });

  it.each([
    ['no URL', ['links', 'list'], { LATCHKEY_URL: '' }, /--url or LATCHKEY_URL/],
    ['a URL that is not http', ['links', 'list', '--url', 'ftp://x'], {}, /http:\/\/ or https:\/\//],
    ['no API key', ['links', 'list'], { LATCHKEY_API_KEY: '' }, /--api-key or LATCHKEY_API_KEY/],
    ['no person', ['links', 'create'], {}, /exactly one of --email/],
    [
      'two people',
      ['links', 'create', '--email', 'a@example.com', '--phone', '+14155550123'],
      {},
      /exactly one/,
    ],
    ['a bad ttl', ['links', 'create', '--email', 'a@example.com', '--ttl', '0'], {}, /--ttl/],
    ['bad metadata', ['links', 'create', '--email', 'a@example.com', '--metadata', '[1]'], {}, /--metadata/],
    ['an unknown option', ['links', 'list', '--colour', 'blue'], {}, /unknown option/],
    ['an unknown status', ['links', 'list', '--status', 'lost'], {}, /status/],
    ['revoke without an id', ['links', 'revoke'], {}, /link id/],
  ])('exits 2 for a usage error: %s', async (_name, args, extraEnv, message) => {
    const res = await cli(args, extraEnv);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(res.stdout).toBe('');
  });
});

describe('links bulk', () => {
  it('reads a CSV, writes the results to a file only its owner can read, and exits 4 when a row failed', async () => {
    const emails = [uniqueEmail(), uniqueEmail()];
    const input = join(dir, 'rows.csv');
    writeFileSync(input, `email,ttl\n${emails[0]},5\nnot-an-email,\n${emails[1]},\n`);
    const output = join(dir, 'links.csv');
    const res = await cli(['links', 'bulk', '--in', input, '--out', output]);
    expect(res.code, res.stderr).toBe(4);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/Created 2 link\(s\); 1 row\(s\) failed\./);
    expect(res.stderr).toContain('3/3');
    expect(statSync(output).mode & 0o777).toBe(0o600);
    const [header, ...rows] = parseCsv(readFileSync(output, 'utf8').trimEnd());
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
    expect(rows.map((r) => [r[0], r[1], r[4], r[7]])).toEqual([
      ['1', 'created', emails[0], ''],
      ['2', 'failed', '', 'invalid_email'],
      ['3', 'created', emails[1], ''],
    ]);
  });

  it('reads JSON, writes NDJSON, prints the summary with --json and exits 0 when every row was created', async () => {
    const input = join(dir, 'rows.json');
    writeFileSync(
      input,
      JSON.stringify([{ email: uniqueEmail() }, { email: uniqueEmail(), redirect_url: TEST_REDIRECT }]),
    );
    const output = join(dir, 'links.ndjson');
    const res = await cli(['links', 'bulk', '--in', input, '--out', output, '--json', '--no-progress']);
    expect(res.code, res.stderr).toBe(0);
    expect(json(res.stdout)).toEqual({ created: 2, failed: 0, rows: 2, out: output });
    expect(res.stderr).toBe('');
    const lines = readFileSync(output, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Json);
    expect(lines.map((l) => l.row)).toEqual([1, 2]);
    expect(lines[1]!.magic_link.redirect_url).toBe(TEST_REDIRECT);
  });

  it('runs again with the same --idempotency-key without creating anything', async () => {
    const email = uniqueEmail();
    const input = join(dir, 'once.ndjson');
    writeFileSync(input, `{"email":"${email}"}\n`);
    const args = [
      'links',
      'bulk',
      '--in',
      input,
      '--out',
      join(dir, 'once.json'),
      '--idempotency-key',
      `bulk-${Date.now()}`,
    ];
    expect((await cli(args)).code).toBe(0);
    const first = readFileSync(join(dir, 'once.json'), 'utf8');
    expect((await cli(args)).code).toBe(0);
    expect(readFileSync(join(dir, 'once.json'), 'utf8')).toBe(first);
    const users = json((await cli(['users', 'list', '--email', email, '--json'])).stdout);
    const links = json((await cli(['links', 'list', '--user-id', users.data[0].id, '--json'])).stdout);
    expect(links.data).toHaveLength(1);
  });

  it('checks a file with --dry-run, creating nothing, then runs it as a --campaign', async () => {
    const emails = [uniqueEmail(), uniqueEmail()];
    const input = join(dir, 'campaign.csv');
    writeFileSync(input, `email\n${emails[0]}\nnot-an-email\n${emails[1]}\n`);
    const checked = join(dir, 'checked.csv');
    const dry = await cli([
      'links',
      'bulk',
      '--in',
      input,
      '--out',
      checked,
      '--dry-run',
      '--campaign',
      'CLI',
    ]);
    expect(dry.code, dry.stderr).toBe(4);
    expect(dry.stderr).toMatch(
      /Dry run: 2 link\(s\) would be created; 1 row\(s\) would fail\. Nothing was created\./,
    );
    const [, ...lines] = parseCsv(readFileSync(checked, 'utf8').trimEnd());
    expect(lines.map((r) => [r[1], r[4], r[7]])).toEqual([
      ['would_create', emails[0], ''],
      ['failed', '', 'invalid_email'],
      ['would_create', emails[1], ''],
    ]);
    expect(json((await cli(['users', 'list', '--email', emails[0]!, '--json'])).stdout).data).toEqual([]);

    const out = join(dir, 'campaign-out.csv');
    const run = await cli(['links', 'bulk', '--in', input, '--out', out, '--campaign', 'CLI', '--json']);
    expect(run.code, run.stderr).toBe(4);
    const summary = json(run.stdout);
    expect(summary).toMatchObject({ created: 2, failed: 1, rows: 3, out });
    expect(summary.campaign_id).toMatch(/^cmp_/);
    const campaign = (await server.api('GET', `/v1/campaigns/${summary.campaign_id}`)).json();
    expect(campaign).toMatchObject({ name: 'CLI', rows_created: 2, rows_failed: 1 });
  });

  it('reads CR-only line ends and a semicolon-separated export as a spreadsheet writes them', async () => {
    const [a, b, c] = [uniqueEmail(), uniqueEmail(), uniqueEmail()];
    const crOnly = join(dir, 'mac.csv');
    writeFileSync(crOnly, `email,ttl\r${a},5\r`);
    const semicolons = join(dir, 'excel.csv');
    writeFileSync(
      semicolons,
      `\uFEFFemail;redirect_url\r\n${b};\r\n${c};https://app.example.com/auth/callback\r\n`,
    );
    for (const [input, count] of [
      [crOnly, 1],
      [semicolons, 2],
    ] as const) {
      const res = await cli(['links', 'bulk', '--in', input, '--out', join(dir, 'out.json'), '--json']);
      expect(res.code, res.stderr).toBe(0);
      expect(json(res.stdout)).toMatchObject({ created: count, failed: 0 });
    }
  });

  it('exits 2 and says why when a file holds no rows, instead of "created 0 links"', async () => {
    const headerOnly = join(dir, 'header-only.csv');
    writeFileSync(headerOnly, 'email,redirect_url\n');
    const res = await cli(['links', 'bulk', '--in', headerOnly, '--out', join(dir, 'none.csv')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('holds no rows: a CSV file needs a header row');
    const emptyJson = join(dir, 'empty.json');
    writeFileSync(emptyJson, '[]');
    expect((await cli(['links', 'bulk', '--in', emptyJson, '--out', join(dir, 'none.json')])).code).toBe(2);
  });

  it('exits 1 for a file the server refuses as a whole, and 2 for one it cannot read', async () => {
    const input = join(dir, 'dup.csv');
    writeFileSync(input, 'email,email\na@example.com,b@example.com\n');
    const refused = await cli(['links', 'bulk', '--in', input, '--out', join(dir, 'dup-out.csv')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /latchkey: validation_failed \(body\): The CSV header names the column "email" twice/,
    );
    const missing = await cli(['links', 'bulk', '--in', join(dir, 'nope.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Cannot read/);
    const summaryOnStdout = await cli(['links', 'bulk', '--in', input, '--json']);
    expect(summaryOnStdout.code).toBe(2);
  });
});

describe('users', () => {
  it('creates, finds, reads, changes and deletes a user', async () => {
    const email = uniqueEmail();
    const created = json(
      (await cli(['users', 'create', '--email', email, '--external-id', `cus_${Date.now()}`, '--json']))
        .stdout,
    );
    expect(created).toMatchObject({ email });
    const found = json((await cli(['users', 'list', '--email', email, '--json'])).stdout);
    expect(found.data.map((u: Json) => u.id)).toEqual([created.id]);
    const shown = await cli(['users', 'get', created.id]);
    expect(shown.stdout).toMatch(new RegExp(`^id:\\s+${created.id}$`, 'm'));
    const updated = json(
      (await cli(['users', 'update', created.id, '--metadata', '{"plan":"pro"}', '--json'])).stdout,
    );
    expect(updated.metadata).toEqual({ plan: 'pro' });
    expect((await cli(['users', 'delete', created.id])).stdout).toBe(`Deleted ${created.id}.\n`);
    expect((await cli(['users', 'get', created.id])).code).toBe(1);
  });
});

describe('keys, signing keys and apps', () => {
  it('creates an API key (shown once), lists it by hint only, and revokes it', async () => {
    const created = await cli(['keys', 'create', '--label', 'ci']);
    expect(created.code, created.stderr).toBe(0);
    const secret = /Key \(shown once, keep it safe\): (lk_sk_\S+)/.exec(created.stdout)?.[1];
    const id = /Created (key_\S+)/.exec(created.stdout)?.[1];
    expect(secret).toBeDefined();
    const list = await cli(['keys', 'list', '--json']);
    expect(list.stdout).not.toContain(secret);
    expect(json(list.stdout).data.map((k: Json) => k.id)).toContain(id);
    expect((await cli(['keys', 'revoke', id!])).stdout).toBe(`Revoked ${id} (ci).\n`);
    expect((await cli(['links', 'list'], { LATCHKEY_API_KEY: secret! })).code).toBe(1);
  });

  it('creates a signing key (secret shown once), lists and revokes it', async () => {
    const created = json((await cli(['signing-keys', 'create', '--label', 'invoices', '--json'])).stdout);
    expect(created.secret).toMatch(/^lk_hs_/);
    const list = await cli(['signing-keys', 'list']);
    expect(list.stdout).toContain(created.kid);
    expect(list.stdout).not.toContain(created.secret);
    expect(json((await cli(['signing-keys', 'revoke', created.kid, '--json'])).stdout).status).toBe(
      'revoked',
    );
  });

  it('lists and rotates the session keys with the admin key', async () => {
    const admin = { LATCHKEY_API_KEY: server.adminKey };
    const before = json((await cli(['session-keys', 'list', '--json'], admin)).stdout).data as Json[];
    const rotated = await cli(['session-keys', 'rotate'], admin);
    expect(rotated.code, rotated.stderr).toBe(0);
    const kid = /now signed with (\S+)\.$/m.exec(rotated.stdout)?.[1];
    const after = await cli(['session-keys', 'list'], admin);
    expect(after.stdout).toMatch(new RegExp(`^${kid}\\s+active\\s+true`, 'm'));
    expect(after.stdout).toMatch(new RegExp(`^${before[0]!.kid}\\s+retired\\s+true`, 'm'));
    expect((await cli(['session-keys', 'rotate'])).stderr).toMatch(/^latchkey: forbidden: /);
  });

  it('lists and creates apps with the admin key, and acts on an app with --app', async () => {
    const admin = { LATCHKEY_API_KEY: server.adminKey };
    const created = await cli(
      [
        'apps',
        'create',
        '--name',
        'Billing',
        '--allowed-redirect',
        'https://billing.example.com',
        '--default-redirect-url',
        'https://billing.example.com/cb',
        '--json',
      ],
      admin,
    );
    expect(created.code, created.stderr).toBe(0);
    const { app, api_key } = json(created.stdout);
    expect(app).toMatchObject({ name: 'Billing', allowed_redirects: ['https://billing.example.com'] });
    expect(api_key.key).toMatch(/^lk_sk_/);
    const list = json((await cli(['apps', 'list', '--limit', '0', '--json'], admin)).stdout);
    expect(list.data.map((a: Json) => a.id)).toContain(app.id);

    const link = json(
      (await cli(['links', 'create', '--email', uniqueEmail(), '--app', app.id, '--json'], admin)).stdout,
    );
    expect(link.app_id).toBe(app.id);
    expect(link.redirect_url).toBe('https://billing.example.com/cb');

    const updated = json(
      (await cli(['apps', 'update', app.id, '--name', 'Billing EU', '--json'], admin)).stdout,
    );
    expect(updated.name).toBe('Billing EU');
    expect((await cli(['apps', 'list'])).stderr).toMatch(/^latchkey: forbidden: /);
  });
});

describe('help', () => {
  it.each([['apps'], ['keys'], ['signing-keys'], ['session-keys'], ['links'], ['users'], ['links', 'bulk']])(
    '`%s --help` shows examples',
    async (...command) => {
      const res = await runCli([...command, '--help']);
      expect(res.code).toBe(0);
      expect(res.stdout).toContain('Examples:');
    },
  );

  it('lists the exit codes in the top-level help', async () => {
    const res = await runCli(['--help']);
    expect(res.stdout).toMatch(
      /Exit codes: 0 ok, 1 API or server error, 2 usage, 3 refused, 4 some bulk rows failed/,
    );
  });
});
