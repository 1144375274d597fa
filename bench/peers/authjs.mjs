// Auth.js (@auth/core) with an email provider and @auth/kysely-adapter on better-sqlite3, in a minimal Node HTTP
// server, for the benchmark. Env: PORT, DATA_DIR. Create: POST /auth/signin/email (form: email, csrfToken, with the
// CSRF cookie from GET /auth/csrf); verify: GET /auth/callback/email?token=…&email=… (302 with the session cookie).
import { createServer } from 'node:http';
import { join } from 'node:path';
import { Auth } from '@auth/core';
import { KyselyAdapter } from '@auth/kysely-adapter';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { benchRoute, listen, record } from './recorder.mjs';

const database = new Database(join(process.env.DATA_DIR, 'authjs.db'));
database.pragma('journal_mode = WAL');
const db = new Kysely({ dialect: new SqliteDialect({ database }) });

// The tables the Kysely adapter reads and writes (its documented schema, in SQLite's types).
await sql`CREATE TABLE IF NOT EXISTS "User" (
  "id" text PRIMARY KEY NOT NULL, "name" text, "email" text NOT NULL UNIQUE, "emailVerified" text, "image" text)`.execute(
  db,
);
await sql`CREATE TABLE IF NOT EXISTS "Account" (
  "id" text PRIMARY KEY NOT NULL DEFAULT (lower(hex(randomblob(16)))),
  "userId" text NOT NULL REFERENCES "User"("id") ON DELETE CASCADE, "type" text NOT NULL, "provider" text NOT NULL,
  "providerAccountId" text NOT NULL, "refresh_token" text, "access_token" text, "expires_at" integer,
  "token_type" text, "scope" text, "id_token" text, "session_state" text)`.execute(db);
await sql`CREATE INDEX IF NOT EXISTS "Account_userId_index" ON "Account" ("userId")`.execute(db);
await sql`CREATE TABLE IF NOT EXISTS "Session" (
  "id" text PRIMARY KEY NOT NULL DEFAULT (lower(hex(randomblob(16)))),
  "userId" text NOT NULL REFERENCES "User"("id") ON DELETE CASCADE,
  "sessionToken" text NOT NULL UNIQUE, "expires" text NOT NULL)`.execute(db);
await sql`CREATE INDEX IF NOT EXISTS "Session_userId_index" ON "Session" ("userId")`.execute(db);
await sql`CREATE TABLE IF NOT EXISTS "VerificationToken" (
  "identifier" text NOT NULL, "token" text NOT NULL UNIQUE, "expires" text NOT NULL)`.execute(db);

const config = {
  adapter: KyselyAdapter(db),
  secret: 'bench-secret-bench-secret-bench-secret-0123456789',
  trustHost: true,
  basePath: '/auth',
  logger: { error() {}, warn() {}, debug() {} },
  providers: [
    {
      id: 'email',
      type: 'email',
      name: 'Email',
      maxAge: 24 * 60 * 60,
      async sendVerificationRequest({ url }) {
        record(url);
      },
    },
  ],
};

async function handle(req, res) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  const request = new Request(`http://${req.headers.host}${req.url}`, {
    method: req.method,
    headers,
    body: req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks),
  });
  const response = await Auth(request, config);
  const out = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') out[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) out['set-cookie'] = cookies;
  res.writeHead(response.status, out);
  res.end(Buffer.from(await response.arrayBuffer()));
}

listen(
  createServer((req, res) => {
    if (benchRoute(req, res)) return;
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  }),
);
