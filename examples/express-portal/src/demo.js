/**
 * One command for a local try-out: creates a Latchkey in ./.demo-data on first run (keys kept in
 * .demo-data/keys.json, readable only by you), starts it on port 8080 with messages printed here instead of
 * emailed, and starts the portal on port 3000. Open http://localhost:3000, ask for a link, and follow the link
 * Latchkey prints below.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPortal } from './server.js';

const here = dirname(fileURLToPath(import.meta.url));
const dataDir = join(here, '..', '.demo-data');
const keysFile = join(dataDir, 'keys.json');
const latchkeyPort = Number(process.env.LATCHKEY_PORT ?? 8080);
const portalPort = Number(process.env.PORT ?? 3000);
const latchkeyUrl = `http://localhost:${latchkeyPort}`;
const cli = findCli(here);

if (!existsSync(keysFile)) {
  mkdirSync(dataDir, { recursive: true });
  const init = spawnSync(process.execPath, [cli, 'init', '--data-dir', dataDir, '--json'], {
    encoding: 'utf8',
  });
  if (init.status !== 0) {
    console.error(init.stderr);
    process.exit(1);
  }
  writeFileSync(keysFile, init.stdout, { mode: 0o600 });
}
const keys = JSON.parse(readFileSync(keysFile, 'utf8'));

const latchkey = spawn(
  process.execPath,
  [cli, 'start', '--data-dir', dataDir, '--port', String(latchkeyPort)],
  {
    env: {
      ...process.env,
      LATCHKEY_PUBLIC_URL: latchkeyUrl,
      LATCHKEY_LOG_LEVEL: 'warn',
      LATCHKEY_SMTP_URL: '',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  },
);
const stop = () => latchkey.kill('SIGTERM');
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stop();
    process.exit(0);
  });
}
process.on('exit', stop);

for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${latchkeyUrl}/healthz`)).ok) break;
  } catch {
    // not up yet
  }
  if (i > 100) throw new Error(`Latchkey did not start on ${latchkeyUrl}.`);
  await new Promise((resolve) => setTimeout(resolve, 100));
}
// The default app may redirect to http://localhost:3000 out of the box; allow the portal's port if it differs.
const res = await fetch(`${latchkeyUrl}/v1/apps/${keys.app_id}`, {
  method: 'PATCH',
  headers: { authorization: `Bearer ${keys.api_key}`, 'content-type': 'application/json' },
  body: JSON.stringify({ allowed_redirects: [`http://localhost:${portalPort}`] }),
});
if (!res.ok) throw new Error(`Could not allow the portal's address: ${await res.text()}`);

await startPortal({ latchkeyUrl, apiKey: keys.api_key, appId: keys.app_id, port: portalPort });
console.log(`Open http://localhost:${portalPort}; sign-in messages are printed here. Ctrl-C stops both.`);

/** The `latchkey` CLI of @latchkey/server, installed next to the example or in the repository's root. */
function findCli(from) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', '@latchkey', 'server', 'bin', 'latchkey.js');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir)
      throw new Error('Install the example first: npm install (from the repository root).');
  }
}
