/**
 * What someone installing the published packages gets: `npm pack` of packages/sdk and packages/server, installed
 * with `npm install ./latchkey-*.tgz` into an empty folder outside the repository, and `npx latchkey` run there.
 * Nothing may come from the workspace: a runtime dependency missing from the server's own `dependencies`, or a
 * file it reads that `files` leaves out, fails here. Needs the packages built (`npm test` builds first) and the
 * npm registry (better-sqlite3 compiles on install, so the install takes a minute or two).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../test-support/cli-process.js';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const PACKAGES = { sdk: join(REPO, 'packages/sdk'), server: join(REPO, 'packages/server') };
const INSTALL_TIMEOUT_MS = 8 * 60_000;

interface PackedFile {
  path: string;
}
interface Packed {
  filename: string;
  files: PackedFile[];
}

/**
 * The environment of the commands run in the install folder: without what `npm test` adds (the workspace's
 * node_modules/.bin on PATH, where a `latchkey` of the workspace would answer `npx latchkey`; npm's variables
 * naming the workspace), so only the installed packages can answer.
 */
function isolatedEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      /^(npm_(package|lifecycle)_|npm_config_(local_)?prefix$|INIT_CWD$|NODE_PATH$|NODE_OPTIONS$|VITEST)/.test(
        key,
      )
    ) {
      continue;
    }
    env[key] = value;
  }
  // better-sqlite3 compiles on install: its C and C++ halves side by side (node-gyp's make -j) save a minute.
  env.JOBS ??= 'max';
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((entry) => !entry.startsWith(REPO) && !entry.includes(`node_modules${sep}.bin`))
    .join(delimiter);
  return env;
}

function run(command: string, args: string[], cwd: string, timeoutMs = INSTALL_TIMEOUT_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd, env: isolatedEnv(), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stderr}\n${stdout}`));
        else resolve(stdout);
      },
    );
  });
}

async function pack(packageDir: string, destination: string): Promise<Packed> {
  const out = await run('npm', ['pack', '--json', '--pack-destination', destination], packageDir, 60_000);
  const [packed] = JSON.parse(out) as Packed[];
  if (!packed) throw new Error(`npm pack answered nothing for ${packageDir}`);
  return packed;
}

/** No node_modules on the way up from the install folder, so Node cannot resolve anything from elsewhere. */
function nodeModulesAbove(folder: string): string[] {
  const found: string[] = [];
  for (let dir = dirname(folder); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) found.push(join(dir, 'node_modules'));
  }
  return found;
}

/** Waits for `latchkey start` to answer /readyz, failing early when it exits. */
async function ready(child: ChildProcess, url: string, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`latchkey start exited with ${child.exitCode}:\n${output()}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`latchkey start was not ready within 60 s:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Resolves once every process holding the child's output has ended (npx and the server it started). */
const outputClosed = (child: ChildProcess) =>
  Promise.all(
    [child.stdout, child.stderr].map(
      (stream) =>
        new Promise<void>((resolve) => (stream?.closed ? resolve() : stream?.once('close', resolve))),
    ),
  );

/** SIGKILL to the whole process group, for a test that failed before the server stopped. */
function killGroup(child: ChildProcess) {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Whether the child's process group is empty within five seconds. */
async function groupGone(child: ChildProcess): Promise<boolean> {
  for (const deadline = Date.now() + 5_000; Date.now() < deadline; ) {
    try {
      process.kill(-(child.pid as number), 0);
    } catch {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** The server's JSON log lines (pino), leaving out anything else it printed. */
function logLines(output: string): Array<{ level: number; msg: string; reason?: string }> {
  return output.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line)];
    } catch {
      return [];
    }
  });
}

/**
 * A sign-in through the installed server, driven by the installed SDK (Node resolves `@latchkey/sdk` from the
 * install folder): create a link, press its button, exchange the code, verify the session token offline.
 */
const SIGN_IN_SCRIPT = `
import { Latchkey } from '@latchkey/sdk';
import { verifyWebhook } from '@latchkey/server/webhooks';
const [url, apiKey, appId] = process.argv.slice(2);
const latchkey = new Latchkey({ baseUrl: url, apiKey });
const link = await latchkey.magicLinks.create({ email: 'ada@example.com', redirect_url: 'http://localhost:3000/callback' });
const page = await fetch(link.url);
const pressed = await fetch(link.url, {
  method: 'POST',
  redirect: 'manual',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: '',
});
const code = new URL(pressed.headers.get('location')).searchParams.get('lk_code');
const { user, session } = await latchkey.sessions.exchange({ code });
const claims = await latchkey.sessions.verify(session.token, { appId });
console.log(JSON.stringify({
  page: page.status,
  pressed: pressed.status,
  email: user.email,
  subject: claims.sub === user.id,
  verifyWebhook: typeof verifyWebhook,
  signInToken: typeof latchkey.signInTokens.generate,
}));
`;

describe('latchkey installed from its npm pack tarballs', () => {
  let work: string;
  let project: string;
  let dataDir: string;
  let sdk: Packed;
  let server: Packed;

  beforeAll(async () => {
    // Made here, not when the file is collected, so that `vitest list` or a filtered run leaves no folder behind.
    work = mkdtempSync(join(tmpdir(), 'latchkey-packed-'));
    project = join(work, 'project');
    dataDir = join(work, 'data');
    for (const dir of Object.values(PACKAGES)) {
      if (!existsSync(join(dir, 'dist')))
        throw new Error(`${dir}/dist is missing: run \`npm run build\` first.`);
    }
    [sdk, server] = await Promise.all([pack(PACKAGES.sdk, work), pack(PACKAGES.server, work)]);
    mkdirSync(project);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'latchkey-packed-install', private: true, type: 'module' }),
    );
    await run(
      'npm',
      [
        'install',
        `../${sdk.filename}`,
        `../${server.filename}`,
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
      ],
      project,
    );
  }, INSTALL_TIMEOUT_MS);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('installs outside the repository, where nothing of the workspace can be resolved', () => {
    expect(realpathSync(work).startsWith(realpathSync(REPO))).toBe(false);
    expect(nodeModulesAbove(project)).toEqual([]);
    const installed = join(project, 'node_modules/@latchkey');
    expect(lstatSync(join(installed, 'server')).isSymbolicLink()).toBe(false);
    expect(lstatSync(join(installed, 'sdk')).isSymbolicLink()).toBe(false);
    // The server's @latchkey/sdk is the packed one, not a copy from the registry.
    expect(existsSync(join(installed, 'server/node_modules/@latchkey/sdk'))).toBe(false);
    expect(existsSync(join(installed, 'sdk/dist/node.js'))).toBe(true);
  });

  it('packs the built code, the dashboard, the README and the LICENSE, and no tests', () => {
    const paths = (packed: Packed) => packed.files.map((file) => file.path);
    for (const packed of [sdk, server]) {
      expect(paths(packed)).toEqual(
        expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/index.js']),
      );
      expect(paths(packed).filter((path) => /\.test\.|test-support|(^|\/)src\//.test(path))).toEqual([]);
    }
    expect(paths(sdk)).toEqual(expect.arrayContaining(['dist/node.js', 'dist/index.d.ts', 'dist/node.d.ts']));
    expect(paths(server)).toEqual(
      expect.arrayContaining(['bin/latchkey.js', 'dist/cli/main.js', 'dashboard/index.html']),
    );
    expect(paths(server).some((path) => /^dashboard\/assets\/index-.*\.js$/.test(path))).toBe(true);
  });

  it('runs `npx latchkey start`, signs a person in through it, and stops cleanly on SIGTERM', async () => {
    const init = await run(
      'npx',
      ['--no-install', 'latchkey', 'init', '--data-dir', dataDir, '--json'],
      project,
      60_000,
    );
    const keys = JSON.parse(init) as { app_id: string; api_key: string };
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(
      'npx',
      ['--no-install', 'latchkey', 'start', '--port', String(port), '--data-dir', dataDir],
      {
        cwd: project,
        env: {
          ...isolatedEnv(),
          LATCHKEY_HOST: '127.0.0.1',
          LATCHKEY_PUBLIC_URL: url,
          LATCHKEY_LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group, signalled as a terminal's Ctrl-C or a service manager signals one: npx does not
        // pass on a SIGTERM sent to npx alone.
        detached: true,
      },
    );
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += String(chunk);
    });
    child.stderr?.on('data', (chunk) => {
      output += String(chunk);
    });
    try {
      await ready(child, url, () => output);
      for (const path of ['/openapi.json', `/login?app=${keys.app_id}`, '/dashboard/']) {
        expect((await fetch(`${url}${path}`)).status, path).toBe(200);
      }
      writeFileSync(join(project, 'sign-in.mjs'), SIGN_IN_SCRIPT);
      const signedIn = JSON.parse(
        await run(process.execPath, ['sign-in.mjs', url, keys.api_key, keys.app_id], project, 60_000),
      ) as Record<string, unknown>;
      expect(signedIn).toEqual({
        page: 200,
        pressed: 303,
        email: 'ada@example.com',
        subject: true,
        verifyWebhook: 'function',
        signInToken: 'function',
      });
      process.kill(-(child.pid as number), 'SIGTERM');
      await outputClosed(child);
      const log = logLines(output);
      expect(log.filter((line) => line.msg === 'shutting down')).toEqual([
        expect.objectContaining({ reason: 'SIGTERM' }),
      ]);
      expect(log.filter((line) => line.level >= 50)).toEqual([]);
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
      // Nothing of the group is left running: npx and the server have both ended (and been reaped).
      expect(await groupGone(child)).toBe(true);
    } finally {
      killGroup(child);
    }
  }, 120_000);
});

describe('the packages’ LICENSE', () => {
  it('is the root LICENSE, Apache-2.0 as every package.json says', () => {
    const root = readFileSync(join(REPO, 'LICENSE'), 'utf8');
    expect(root).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(root).toContain('END OF TERMS AND CONDITIONS');
    for (const dir of Object.values(PACKAGES)) {
      expect(readFileSync(join(dir, 'LICENSE'), 'utf8'), dir).toBe(root);
      expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).license).toBe('Apache-2.0');
    }
  });
});
