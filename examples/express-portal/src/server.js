/**
 * Runs the portal against a Latchkey that is already running:
 *   LATCHKEY_URL=http://localhost:8080 LATCHKEY_API_KEY=lk_sk_… LATCHKEY_APP_ID=app_… npm start
 * `npm run demo` starts a local Latchkey as well.
 */
import { Latchkey } from '@latchkey/sdk';
import { createPortal } from './app.js';

export function startPortal({ latchkeyUrl, apiKey, appId, port = 3000, issuer }) {
  const publicUrl = process.env.PORTAL_URL ?? `http://localhost:${port}`;
  const latchkey = new Latchkey({ baseUrl: latchkeyUrl, apiKey, ...(issuer ? { issuer } : {}) });
  const app = createPortal({ latchkey, appId, publicUrl });
  return new Promise((resolve) => {
    const server = app.listen(port, () => {
      console.log(`Portal at ${publicUrl} (signing in through Latchkey at ${latchkeyUrl})`);
      resolve(server);
    });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const missing = ['LATCHKEY_URL', 'LATCHKEY_API_KEY', 'LATCHKEY_APP_ID'].filter(
    (name) => !process.env[name],
  );
  if (missing.length > 0) {
    console.error(
      `Set ${missing.join(', ')} (printed by \`latchkey init --json\`), or run \`npm run demo\`.`,
    );
    process.exit(2);
  }
  await startPortal({
    latchkeyUrl: process.env.LATCHKEY_URL,
    apiKey: process.env.LATCHKEY_API_KEY,
    appId: process.env.LATCHKEY_APP_ID,
    port: Number(process.env.PORT ?? 3000),
    issuer: process.env.LATCHKEY_ISSUER,
  });
}
