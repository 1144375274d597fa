/**
 * Configuration is read once at start-up from command-line flags and environment variables (a flag wins over its
 * variable) and validated as a whole; a wrong value stops the process with a message naming the variable and the
 * form it should take.
 */
import { resolve } from 'node:path';
import { z } from 'zod';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  publicUrl: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  smtpUrl: string | undefined;
  /** 32 bytes; when undefined in embedded mode, a key file in the data dir is used (created on first start). */
  masterKey: Buffer | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  trustProxy: boolean;
}

/** Flags a CLI command may pass; each overrides the environment variable beside it. */
export interface ConfigFlags {
  port?: string | undefined;
  host?: string | undefined;
  dataDir?: string | undefined;
  publicUrl?: string | undefined;
  databaseUrl?: string | undefined;
  logLevel?: string | undefined;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: string[];
  constructor(problems: string[]) {
    super(
      `Latchkey cannot start: the configuration is invalid.\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.problems = problems;
  }
}

/** Each setting: its environment variable, its flag, and the form it must take (the message says it in words). */
const settings = {
  port: {
    env: 'LATCHKEY_PORT',
    flag: '--port',
    expected: 'a whole number from 1 to 65535, e.g. 8080',
    schema: z.coerce.number().int().min(1).max(65535).default(8080),
  },
  host: {
    env: 'LATCHKEY_HOST',
    flag: '--host',
    expected: 'an interface address such as 127.0.0.1 or 0.0.0.0',
    schema: z.string().min(1).default('127.0.0.1'),
  },
  dataDir: {
    env: 'LATCHKEY_DATA_DIR',
    flag: '--data-dir',
    expected: 'a directory path, e.g. ./data',
    schema: z.string().min(1).default('./data'),
  },
  publicUrl: {
    env: 'LATCHKEY_PUBLIC_URL',
    flag: '--public-url',
    expected: 'an absolute http(s) URL with no query or fragment, e.g. https://auth.example.com',
    schema: z
      .string()
      .refine((v) => isHttpUrl(v) && !/[?#]/.test(v))
      .optional(),
  },
  databaseUrl: {
    env: 'DATABASE_URL',
    flag: '--database-url',
    expected: 'a PostgreSQL URL, e.g. postgres://user:password@db.example.com:5432/latchkey',
    schema: z
      .string()
      .refine((v) => /^postgres(ql)?:\/\//i.test(v) && URL.canParse(v))
      .optional(),
  },
  redisUrl: {
    env: 'REDIS_URL',
    flag: undefined,
    expected: 'a Redis URL, e.g. redis://127.0.0.1:6379',
    schema: z
      .string()
      .refine((v) => /^rediss?:\/\//i.test(v) && URL.canParse(v))
      .optional(),
  },
  smtpUrl: {
    env: 'LATCHKEY_SMTP_URL',
    flag: undefined,
    expected: 'an SMTP URL, e.g. smtps://user:password@smtp.example.com:465',
    schema: z
      .string()
      .refine((v) => /^smtps?:\/\//i.test(v) && URL.canParse(v))
      .optional(),
  },
  masterKey: {
    env: 'LATCHKEY_MASTER_KEY',
    flag: undefined,
    expected: '32 random bytes as 64 hex characters or base64 (make one with `openssl rand -base64 32`)',
    schema: z
      .string()
      .transform((v, ctx) => {
        const key = decodeKey(v);
        if (!key) ctx.addIssue({ code: 'custom', message: 'bad key' });
        return key ?? Buffer.alloc(0);
      })
      .optional(),
  },
  logLevel: {
    env: 'LATCHKEY_LOG_LEVEL',
    flag: '--log-level',
    expected: 'one of fatal, error, warn, info, debug, trace, silent',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  },
  trustProxy: {
    env: 'LATCHKEY_TRUST_PROXY',
    flag: undefined,
    expected: 'true or false (true only behind a reverse proxy that sets X-Forwarded-For)',
    schema: z
      .enum(['true', 'false', '1', '0'])
      .default('false')
      .transform((v) => v === 'true' || v === '1'),
  },
} as const;

type Settings = typeof settings;
type Parsed = { [K in keyof Settings]: z.output<Settings[K]['schema']> };

export function loadConfig(env: NodeJS.ProcessEnv, flags: ConfigFlags = {}): Config {
  const problems: string[] = [];
  const parsed: Partial<Record<keyof Settings, unknown>> = {};
  for (const [name, setting] of Object.entries(settings) as Array<
    [keyof Settings, Settings[keyof Settings]]
  >) {
    const fromFlag = (flags as Record<string, string | undefined>)[name];
    const fromEnv = env[setting.env];
    const raw = fromFlag ?? (fromEnv === '' ? undefined : fromEnv);
    const result = setting.schema.safeParse(raw);
    if (result.success) {
      parsed[name] = result.data;
    } else {
      const source =
        fromFlag !== undefined && setting.flag ? `${setting.flag} (${setting.env})` : setting.env;
      const shown =
        name === 'masterKey' || name === 'databaseUrl' || name === 'smtpUrl' || name === 'redisUrl'
          ? '(value hidden)'
          : JSON.stringify(raw);
      problems.push(`${source} must be ${setting.expected}; got ${shown}.`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const p = parsed as Parsed;
  return {
    port: p.port,
    host: p.host,
    dataDir: resolve(p.dataDir),
    publicUrl: (p.publicUrl ?? `http://localhost:${p.port}`).replace(/\/+$/, ''),
    databaseUrl: p.databaseUrl,
    redisUrl: p.redisUrl,
    smtpUrl: p.smtpUrl,
    masterKey: p.masterKey,
    logLevel: p.logLevel,
    trustProxy: p.trustProxy,
  };
}

function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === ''
  );
}

function decodeKey(value: string): Buffer | undefined {
  const trimmed = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const key = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    return key.length === 32 ? key : undefined;
  }
  return undefined;
}
