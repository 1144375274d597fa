/**
 * The ways into the dashboard that need no email, with the built CLI in real processes: the first start of an
 * installation with no operator prints a one-time owner link next to its keys, and `latchkey dashboard link` prints
 * a one-time sign-in link for an operator.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, type ServerProcess, startServerProcess } from '../test-support/cli-process.js';

const LINK = /https?:\/\/\S+\/dashboard\/auth\/link\/[A-Za-z0-9_-]{43}/;

describe('dashboard ways in without email', () => {
  let dataDir: string | undefined;
  let server: ServerProcess | undefined;
  afterEach(async () => {
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    [server, dataDir] = [undefined, undefined];
  });

  it("prints the first owner's link at first start, which makes its user the owner", async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-dashboard-'));
    server = await startServerProcess({ LATCHKEY_DATA_DIR: dataDir });
    const printed = LINK.exec(server.output())?.[0];
    expect(printed, server.output()).toBeDefined();
    const link = `${server.url}${new URL(printed!).pathname}`;
    expect((await fetch(link)).status).toBe(200);
    const used = await fetch(link, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=owner%40example.com',
    });
    expect(used.status).toBe(303);
    const cookie = used.headers.get('set-cookie')!.split(';')[0]!;
    const session = await fetch(`${server.url}/dashboard/api/session`, { headers: { cookie } });
    expect(((await session.json()) as { operator: { role: string } }).operator.role).toBe('owner');
  });

  it('`dashboard link --email` makes an address an owner if need be and prints a link that works once', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-dashboard-'));
    expect((await runCli(['init', '--data-dir', dataDir, '--json'])).code).toBe(0);
    const cli = await runCli(['dashboard', 'link', '--email', 'Ops@Example.com', '--data-dir', dataDir]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain('ops@example.com was not an operator; it is now an owner.');
    const printed = LINK.exec(cli.stdout)?.[0];
    expect(printed).toBeDefined();
    server = await startServerProcess({ LATCHKEY_DATA_DIR: dataDir });
    const link = `${server.url}${new URL(printed!).pathname}`;
    const first = await fetch(link, { method: 'POST', redirect: 'manual' });
    expect(first.status).toBe(303);
    const second = await fetch(link, { method: 'POST', redirect: 'manual' });
    // Said in plain words: this link was used, not that it never existed.
    expect(second.status).toBe(410);
    expect(await second.text()).toContain('This sign-in link was already used');

    const again = await runCli(['dashboard', 'link', '--email', 'ops@example.com', '--data-dir', dataDir]);
    expect(again.stdout).not.toContain('now an owner');
    const bad = await runCli(['dashboard', 'link', '--email', 'not-an-address', '--data-dir', dataDir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/email address/);
  });
});
