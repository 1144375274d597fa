/**
 * The process-level guards, in real child processes: the built module, Node's own handling of an unhandled
 * rejection and an uncaught exception, and a listening socket that must keep answering (or close cleanly).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT_UNCAUGHT } from './process-guards.js';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'latchkey-guards-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A small server with the guards installed: it answers `/` with "ok" and `/fault` by failing the way `fault` says,
 * outside any request handler, where nothing else would catch it.
 */
function script(fault: 'reject' | 'throw'): string {
  const file = join(dir, `${fault}.mjs`);
  writeFileSync(
    file,
    `import { createServer } from 'node:http';
import { createLogger } from '${DIST}http/logger.js';
import { installProcessGuards } from '${DIST}process-guards.js';
const logger = createLogger('info');
const server = createServer((request, response) => {
  if (request.url === '/fault') {
    setTimeout(() => ${fault === 'reject' ? "Promise.reject(new Error('a store error on a failure path'))" : "{ throw new Error('a bug') }"}, 0);
    response.end('faulted');
    return;
  }
  setTimeout(() => response.end('ok'), 50);
});
installProcessGuards(process, logger, {
  shutdown: () => new Promise((resolve) => server.close(() => resolve())),
  exit: (code) => process.exit(code),
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
`,
  );
  return file;
}

function start(file: string) {
  const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no port in: ${output}`)), 10_000);
    child.stdout.on('data', () => {
      const match = /\{"port":(\d+)\}/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
  });
  return { child, exited, port, output: () => output };
}

describe('process guards', () => {
  it('log an unhandled rejection and keep serving', async () => {
    const server = start(script('reject'));
    try {
      const port = await server.port;
      expect(await (await fetch(`http://127.0.0.1:${port}/fault`)).text()).toBe('faulted');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(server.child.exitCode).toBeNull();
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok');
      expect(server.output()).toContain('a store error on a failure path');
      expect(server.output()).toContain('"level":50');
    } finally {
      server.child.kill();
      await server.exited;
    }
  });

  it('on an uncaught exception, finish the request in flight, then exit with code 70 for a supervisor', async () => {
    const server = start(script('throw'));
    const port = await server.port;
    // A request that is still being answered when the exception happens.
    const inFlight = fetch(`http://127.0.0.1:${port}/`).then((res) => res.text());
    await fetch(`http://127.0.0.1:${port}/fault`);
    expect(await inFlight).toBe('ok');
    expect(await server.exited).toBe(EXIT_UNCAUGHT);
    expect(server.output()).toContain('a bug');
    expect(server.output()).toContain('"level":60');
  });
});
