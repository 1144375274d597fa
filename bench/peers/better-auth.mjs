// better-auth's magic-link plugin on better-sqlite3 in a minimal Node HTTP server, for the benchmark.
// Env: PORT, DATA_DIR. Create: POST /api/auth/sign-in/magic-link {email, callbackURL};
// verify: GET /api/auth/magic-link/verify?token=… (302 with the session cookie on success).
import { createServer } from 'node:http';
import { join } from 'node:path';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import { magicLink } from 'better-auth/plugins/magic-link';
import Database from 'better-sqlite3';
import { benchRoute, listen, record } from './recorder.mjs';

const baseURL = `http://127.0.0.1:${process.env.PORT}`;
const database = new Database(join(process.env.DATA_DIR, 'better-auth.db'));
database.pragma('journal_mode = WAL');

const options = {
  baseURL,
  secret: 'bench-secret-bench-secret-bench-secret-0123456789',
  database,
  // Latchkey's limits are off in the benchmark too: compare the work, not the limiter.
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  logger: { level: 'error' },
  plugins: [
    magicLink({
      sendMagicLink: async ({ url }) => record(url),
    }),
  ],
};

const { runMigrations } = await getMigrations(options);
await runMigrations();
const auth = betterAuth(options);
const handler = toNodeHandler(auth);

listen(
  createServer((req, res) => {
    if (!benchRoute(req, res)) handler(req, res);
  }),
);
