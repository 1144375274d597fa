import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import { loadMasterKey, MASTER_KEY_FILE } from './master-key.js';

const cliPath = fileURLToPath(new URL('../../bin/latchkey.js', import.meta.url));

function configError(env: Record<string, string>, flags = {}): ConfigError {
  try {
    loadConfig(env, flags);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-config-'));
  tempDirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('loadConfig defaults', () => {
  it('runs embedded on port 8080 in ./data at info level with no settings at all', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.dataDir).toBe(resolve('./data'));
    expect(config.publicUrl).toBe('http://localhost:8080');
    expect(config.logLevel).toBe('info');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.masterKey).toBeUndefined();
    expect(config.trustProxy).toBe(false);
    expect(config.dashboard.enabled).toBe(true);
  });

  it('runs one server process unless told more; auto is one per core', () => {
    expect(loadConfig({}).workers).toBe(1);
    expect(loadConfig({ LATCHKEY_WORKERS: '4' }).workers).toBe(4);
    expect(loadConfig({ LATCHKEY_WORKERS: '4' }, { workers: '2' }).workers).toBe(2);
    expect(loadConfig({ LATCHKEY_WORKERS: 'auto' }).workers).toBe(availableParallelism());
  });

  it('derives the default public URL from the port', () => {
    expect(loadConfig({ LATCHKEY_PORT: '9090' }).publicUrl).toBe('http://localhost:9090');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ LATCHKEY_PORT: '', LATCHKEY_PUBLIC_URL: '' }).port).toBe(8080);
  });

  it('reads every setting from its environment variable', () => {
    const config = loadConfig({
      LATCHKEY_PORT: '9000',
      LATCHKEY_DATA_DIR: '/var/lib/latchkey',
      LATCHKEY_PUBLIC_URL: 'https://auth.example.com/',
      DATABASE_URL: 'postgres://u:p@db.example.com:5432/latchkey',
      REDIS_URL: 'redis://127.0.0.1:6379',
      LATCHKEY_LOG_LEVEL: 'warn',
      LATCHKEY_TRUST_PROXY: 'true',
      LATCHKEY_DASHBOARD: 'false',
    });
    expect(config).toMatchObject({
      port: 9000,
      dataDir: '/var/lib/latchkey',
      publicUrl: 'https://auth.example.com',
      databaseUrl: 'postgres://u:p@db.example.com:5432/latchkey',
      redisUrl: 'redis://127.0.0.1:6379',
      logLevel: 'warn',
      trustProxy: true,
      dashboard: { enabled: false, operators: [] },
    });
  });

  it('turns the dashboard off with false or 0 only', () => {
    expect(loadConfig({ LATCHKEY_DASHBOARD: '0' }).dashboard.enabled).toBe(false);
    expect(loadConfig({ LATCHKEY_DASHBOARD: '1' }).dashboard.enabled).toBe(true);
  });

  it('reads the dashboard owners as a list of addresses, and refuses anything else', () => {
    expect(
      loadConfig({ LATCHKEY_DASHBOARD_OPERATORS: ' ops@example.com, lead@example.org ' }).dashboard.operators,
    ).toEqual(['ops@example.com', 'lead@example.org']);
    expect(() => loadConfig({ LATCHKEY_DASHBOARD_OPERATORS: 'ops@example.com;lead' })).toThrow(
      /LATCHKEY_DASHBOARD_OPERATORS must be email addresses separated by commas/,
    );
  });
});

describe('the environment', () => {
  it('is production only when NODE_ENV says production', () => {
    expect(loadConfig({}).environment).toBe('development');
    for (const value of ['development', 'test', 'staging', 'prod', ''])
      expect(loadConfig({ NODE_ENV: value }).environment, value).toBe('development');
    for (const value of ['production', 'Production', ' PRODUCTION '])
      expect(loadConfig({ NODE_ENV: value }).environment, value).toBe('production');
  });
});

describe('loadConfig flags', () => {
  it('lets a flag win over its environment variable', () => {
    const config = loadConfig(
      {
        LATCHKEY_PORT: '9000',
        LATCHKEY_DATA_DIR: '/env/dir',
        LATCHKEY_PUBLIC_URL: 'https://env.example.com',
        LATCHKEY_LOG_LEVEL: 'warn',
      },
      { port: '7000', dataDir: '/flag/dir', publicUrl: 'https://flag.example.com', logLevel: 'debug' },
    );
    expect(config).toMatchObject({
      port: 7000,
      dataDir: '/flag/dir',
      publicUrl: 'https://flag.example.com',
      logLevel: 'debug',
    });
  });

  it('reports a bad flag under both its flag and its variable name', () => {
    const error = configError({ LATCHKEY_PORT: '9000' }, { port: 'abc' });
    expect(error.message).toContain('--port');
    expect(error.message).toContain('LATCHKEY_PORT');
  });
});

describe('loadConfig rejects bad values, naming the variable', () => {
  const cases: Array<[string, string]> = [
    ['LATCHKEY_PORT', 'abc'],
    ['LATCHKEY_PORT', '0'],
    ['LATCHKEY_PORT', '70000'],
    ['LATCHKEY_PORT', '80.5'],
    ['LATCHKEY_PUBLIC_URL', 'ftp://x'],
    ['LATCHKEY_PUBLIC_URL', 'not a url'],
    ['LATCHKEY_PUBLIC_URL', 'https://auth.example.com/?tenant=1'],
    ['LATCHKEY_PUBLIC_URL', 'https://auth.example.com/#top'],
    ['DATABASE_URL', 'mysql://root@127.0.0.1:3306/latchkey'],
    ['REDIS_URL', 'http://x'],
    ['LATCHKEY_LOG_LEVEL', 'loud'],
    ['LATCHKEY_TRUST_PROXY', 'maybe'],
    ['LATCHKEY_DASHBOARD', 'off'],
    ['LATCHKEY_WORKERS', '0'],
    ['LATCHKEY_WORKERS', '2.5'],
    ['LATCHKEY_WORKERS', '257'],
    ['LATCHKEY_WORKERS', 'all'],
  ];

  it.each(cases)('%s=%s', (name, value) => {
    const error = configError({ [name]: value });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toContain(name);
    expect(error.message).toContain(name);
    expect(error.message).toMatch(/must be/);
  });

  const badKeys: Array<[string, string]> = [
    ['too short', randomBytes(16).toString('base64')],
    ['too short in hex', randomBytes(16).toString('hex')],
    ['not base64', `${'!'.repeat(20)}${randomBytes(12).toString('hex')}`],
    ['base64 of 33 bytes', randomBytes(33).toString('base64')],
  ];

  it.each(badKeys)('LATCHKEY_MASTER_KEY %s, without echoing the key', (_label, value) => {
    const error = configError({ LATCHKEY_MASTER_KEY: value });
    expect(error.message).toContain('LATCHKEY_MASTER_KEY');
    expect(error.message).not.toContain(value);
    expect(error.message).not.toContain(value.slice(0, 12));
  });

  it('hides the value of a bad DATABASE_URL, which may hold a password', () => {
    const error = configError({ DATABASE_URL: 'mysql://root:hunter2secret@db/latchkey' });
    expect(error.message).toContain('DATABASE_URL');
    expect(error.message).not.toContain('hunter2secret');
  });

  it('reports several problems together', () => {
    const error = configError({
      LATCHKEY_PORT: 'abc',
      LATCHKEY_PUBLIC_URL: 'ftp://x',
      LATCHKEY_LOG_LEVEL: 'loud',
      LATCHKEY_TRUST_PROXY: 'maybe',
    });
    expect(error.problems).toHaveLength(4);
    for (const name of [
      'LATCHKEY_PORT',
      'LATCHKEY_PUBLIC_URL',
      'LATCHKEY_LOG_LEVEL',
      'LATCHKEY_TRUST_PROXY',
    ]) {
      expect(error.message).toContain(name);
    }
  });
});

describe('LATCHKEY_MASTER_KEY', () => {
  const key = randomBytes(32);

  it('accepts 64 hex characters', () => {
    expect(loadConfig({ LATCHKEY_MASTER_KEY: key.toString('hex') }).masterKey).toEqual(key);
  });

  it('accepts base64 of 32 bytes', () => {
    expect(loadConfig({ LATCHKEY_MASTER_KEY: key.toString('base64') }).masterKey).toEqual(key);
  });

  it('accepts URL-safe base64 of 32 bytes', () => {
    expect(loadConfig({ LATCHKEY_MASTER_KEY: key.toString('base64url') }).masterKey).toEqual(key);
  });
});

describe('loadMasterKey', () => {
  it('creates master.key with mode 0600 on first call and returns the same key after', () => {
    const dataDir = join(tempDir(), 'nested', 'data');
    const config = loadConfig({ LATCHKEY_DATA_DIR: dataDir });
    const first = loadMasterKey(config);
    const path = join(dataDir, MASTER_KEY_FILE);
    expect(first).toHaveLength(32);
    expect(existsSync(path)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64')).toEqual(first);
    expect(loadMasterKey(config)).toEqual(first);
  });

  it('uses LATCHKEY_MASTER_KEY when set and writes no key file', () => {
    const dataDir = tempDir();
    const key = randomBytes(32);
    const config = loadConfig({ LATCHKEY_DATA_DIR: dataDir, LATCHKEY_MASTER_KEY: key.toString('hex') });
    expect(loadMasterKey(config)).toEqual(key);
    expect(existsSync(join(dataDir, MASTER_KEY_FILE))).toBe(false);
  });

  it('refuses to generate a key for PostgreSQL, naming LATCHKEY_MASTER_KEY', () => {
    const dataDir = tempDir();
    const config = loadConfig({
      LATCHKEY_DATA_DIR: dataDir,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
    });
    expect(() => loadMasterKey(config)).toThrow(ConfigError);
    expect(() => loadMasterKey(config)).toThrow(/LATCHKEY_MASTER_KEY/);
    expect(existsSync(join(dataDir, MASTER_KEY_FILE))).toBe(false);
  });
});

describe('latchkey start with a bad setting', () => {
  it('exits with code 2 and names LATCHKEY_PORT on stderr', async () => {
    const dataDir = tempDir();
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of Object.keys(env))
      if (/^(LATCHKEY_|DATABASE_URL$|REDIS_URL$)/.test(name)) delete env[name];
    const result = await new Promise<{ code: number | null; stderr: string; stdout: string }>((done) => {
      execFile(
        process.execPath,
        [cliPath, 'start', '--port', 'abc', '--data-dir', dataDir],
        { env, timeout: 20_000 },
        (error, stdout, stderr) => {
          const code = error ? ((error as { code?: number | string }).code ?? null) : 0;
          done({ code: typeof code === 'number' ? code : null, stdout, stderr });
        },
      );
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('LATCHKEY_PORT');
    expect(result.stdout).not.toMatch(/lk_(sk|admin)_/);
    expect(existsSync(join(dataDir, 'latchkey.db'))).toBe(false);
  });
});
