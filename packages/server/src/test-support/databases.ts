/**
 * Real databases for tests: a fresh SQLite file in a temp dir, and a fresh schema in the PostgreSQL named by
 * LATCHKEY_TEST_DATABASE_URL (default: the local test database). Each call gets its own, and `drop` removes it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DatabaseTarget, DialectName } from '../storage/database.js';

export const TEST_POSTGRES_URL =
  process.env.LATCHKEY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export const DIALECTS: DialectName[] = ['sqlite', 'postgres'];

export interface TestDatabase {
  target: DatabaseTarget;
  /** A connection URL or file path a child process can use (DATABASE_URL or data dir). */
  url: string;
  dataDir: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-test-'));
  if (dialect === 'sqlite') {
    const path = join(dataDir, 'latchkey.db');
    return {
      target: { kind: 'sqlite', path },
      url: path,
      dataDir,
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const schema = `lk_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`create schema ${schema}`);
  } finally {
    await admin.end();
  }
  const url = withSearchPath(TEST_POSTGRES_URL, schema);
  return {
    target: { kind: 'postgres', url, poolSize: 20 },
    url,
    dataDir,
    drop: async () => {
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await client.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}
