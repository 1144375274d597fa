/**
 * Configuration is read once at start-up from command-line flags and environment variables (a flag wins over its
 * variable) and validated as a whole; a wrong value stops the process with a message naming the variable and the
 * form it should take.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { type TSchema, Type } from 'typebox';
import { Value } from 'typebox/value';
import { type TracingConfig, tracingConfig } from './tracing.js';

export interface Config {
  /**
   * `production` when NODE_ENV is `production`, else `development`. Read once here; what it changes is listed in
   * docs/configuration.md (today: with no transport for a channel, production refuses to send on it rather than
   * print live links to the console).
   */
  environment: Environment;
  port: number;
  host: string;
  /** Server processes sharing the port (`latchkey start --workers`); above 1 only on PostgreSQL. */
  workers: number;
  dataDir: string;
  publicUrl: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  smtpUrl: string | undefined;
  /** 32 bytes; when undefined in embedded mode, a key file in the data dir is used (created on first start). */
  masterKey: Buffer | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  trustProxy: boolean;
  delivery: DeliveryConfig;
  webhooks: WebhooksConfig;
  dashboard: DashboardConfig;
  /** OpenTelemetry tracing, from the standard OTEL_* variables (tracing.ts); off unless they ask for it. */
  tracing: TracingConfig;
}

export interface DashboardConfig {
  /** Serve the dashboard at /dashboard (LATCHKEY_DASHBOARD). */
  enabled: boolean;
  /** Addresses made owners at start when they are not operators yet (LATCHKEY_DASHBOARD_OPERATORS). */
  operators: string[];
}

export type Environment = 'production' | 'development';

export interface WebhooksConfig {
  /** Allow endpoints on loopback and private addresses (off by default: see docs/webhooks.md on SSRF). */
  allowPrivate: boolean;
}

export interface DeliveryConfig {
  /** The default From of emails; an app's `sender` overrides it. */
  smtpFrom: string;
  dkim: { domain: string; selector: string; privateKey: string } | undefined;
  twilio: { accountSid: string; authToken: string; from: string; baseUrl: string } | undefined;
  smsHook: { url: string; secret: string } | undefined;
  /** Attempts per message before it is given up as `delivery_failed`. */
  maxAttempts: number;
  /** First retry delay; each further one doubles (with jitter), up to an hour. */
  retryBaseMs: number;
  /** Whether this process runs an outbox worker (API-only nodes may leave sending to others). */
  worker: boolean;
  /** How long a worker holds a claimed message before another may take it over (a crashed worker's lease). */
  leaseMs: number;
}

/** Flags a CLI command may pass; each overrides the environment variable beside it. */
export interface ConfigFlags {
  port?: string | undefined;
  host?: string | undefined;
  workers?: string | undefined;
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

/**
 * One setting: its environment variable, its flag, the form it must take (the error message says it in words), a
 * TypeBox schema for the value (text from the environment is converted to the schema's type first), an optional
 * check the schema cannot express, and how the checked value becomes the setting.
 */
interface Setting<T> {
  env: string;
  flag: string | undefined;
  expected: string;
  schema: TSchema;
  check?: (value: never) => boolean;
  decode?: (value: never) => T | undefined;
  default?: T;
}

function setting<T>(definition: Setting<T>): Setting<T> {
  return definition;
}

/** A setting that always has a value: its `default` when the variable is unset. */
function withDefault<T>(definition: Setting<T> & { default: T }): Setting<T> & { default: T } {
  return definition;
}

const Text = Type.String({ minLength: 1 });

/** `true`, `false`, `1` or `0`: the one form every on/off variable takes. */
function onOff(env: string, expected: string, fallback: boolean): Setting<boolean> & { default: boolean } {
  return withDefault<boolean>({
    env,
    flag: undefined,
    expected,
    schema: Type.Union(['true', 'false', '1', '0'].map((v) => Type.Literal(v))),
    decode: (v: string) => v === 'true' || v === '1',
    default: fallback,
  });
}

/** A URL with one of `schemes`, which `URL` can parse. */
function urlOf(schemes: RegExp): (value: string) => boolean {
  return (value) => schemes.test(value) && URL.canParse(value);
}

const settings = {
  port: withDefault<number>({
    env: 'LATCHKEY_PORT',
    flag: '--port',
    expected: 'a whole number from 1 to 65535, e.g. 8080',
    schema: Type.Integer({ minimum: 1, maximum: 65535 }),
    default: 8080,
  }),
  host: withDefault<string>({
    env: 'LATCHKEY_HOST',
    flag: '--host',
    expected: 'an interface address such as 127.0.0.1 or 0.0.0.0',
    schema: Text,
    default: '127.0.0.1',
  }),
  workers: withDefault<number>({
    env: 'LATCHKEY_WORKERS',
    flag: '--workers',
    expected: 'a whole number from 1 to 256, or auto (one per CPU core)',
    schema: Type.String({ pattern: '^(auto|[1-9][0-9]{0,2})$' }),
    decode: (v: string) => workerCount(v),
    default: 1,
  }),
  dataDir: withDefault<string>({
    env: 'LATCHKEY_DATA_DIR',
    flag: '--data-dir',
    expected: 'a directory path, e.g. ./data',
    schema: Text,
    default: './data',
  }),
  publicUrl: setting<string>({
    env: 'LATCHKEY_PUBLIC_URL',
    flag: '--public-url',
    expected: 'an absolute http(s) URL with no query or fragment, e.g. https://auth.example.com',
    schema: Type.String(),
    check: (v: string) => isHttpUrl(v) && !/[?#]/.test(v),
  }),
  databaseUrl: setting<string>({
    env: 'DATABASE_URL',
    flag: '--database-url',
    expected: 'a PostgreSQL URL, e.g. postgres://user:password@db.example.com:5432/latchkey',
    schema: Type.String(),
    check: urlOf(/^postgres(ql)?:\/\//i),
  }),
  redisUrl: setting<string>({
    env: 'REDIS_URL',
    flag: undefined,
    expected: 'a Redis URL, e.g. redis://127.0.0.1:6379',
    schema: Type.String(),
    check: urlOf(/^rediss?:\/\//i),
  }),
  smtpUrl: setting<string>({
    env: 'LATCHKEY_SMTP_URL',
    flag: undefined,
    expected: 'an SMTP URL, e.g. smtps://user:password@smtp.example.com:465',
    schema: Type.String(),
    check: urlOf(/^smtps?:\/\//i),
  }),
  masterKey: setting<Buffer>({
    env: 'LATCHKEY_MASTER_KEY',
    flag: undefined,
    expected: '32 random bytes as 64 hex characters or base64 (make one with `openssl rand -base64 32`)',
    schema: Type.String(),
    decode: (v: string) => decodeKey(v),
  }),
  logLevel: withDefault<Config['logLevel']>({
    env: 'LATCHKEY_LOG_LEVEL',
    flag: '--log-level',
    expected: 'one of fatal, error, warn, info, debug, trace, silent',
    schema: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    ),
    default: 'info',
  }),
  smtpFrom: setting<string>({
    env: 'LATCHKEY_SMTP_FROM',
    flag: undefined,
    expected: 'an email address, optionally with a name: "Acme <login@acme.example>"',
    schema: Type.String(),
    check: (v: string) => /^([^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/.test(v.trim()),
  }),
  dkimDomain: setting<string>({
    env: 'LATCHKEY_DKIM_DOMAIN',
    flag: undefined,
    expected: 'the signing domain, e.g. acme.example',
    schema: Text,
  }),
  dkimSelector: setting<string>({
    env: 'LATCHKEY_DKIM_SELECTOR',
    flag: undefined,
    expected: 'the DKIM selector, e.g. latchkey',
    schema: Text,
  }),
  dkimPrivateKey: setting<string>({
    env: 'LATCHKEY_DKIM_PRIVATE_KEY',
    flag: undefined,
    expected: 'a PEM private key, or the path of a file holding one',
    schema: Text,
  }),
  twilioAccountSid: setting<string>({
    env: 'LATCHKEY_TWILIO_ACCOUNT_SID',
    flag: undefined,
    expected: 'a Twilio account SID (AC…)',
    schema: Text,
  }),
  twilioAuthToken: setting<string>({
    env: 'LATCHKEY_TWILIO_AUTH_TOKEN',
    flag: undefined,
    expected: 'the Twilio auth token',
    schema: Text,
  }),
  twilioFrom: setting<string>({
    env: 'LATCHKEY_TWILIO_FROM',
    flag: undefined,
    expected: 'the sending number in E.164 (e.g. +14155550100) or a messaging service SID (MG…)',
    schema: Type.String({ pattern: '^(\\+[1-9]\\d{6,14}|MG[0-9a-fA-F]{32})$' }),
  }),
  twilioBaseUrl: withDefault<string>({
    env: 'LATCHKEY_TWILIO_BASE_URL',
    flag: undefined,
    expected: 'an http(s) URL of a Twilio-compatible API, e.g. https://api.twilio.com',
    schema: Type.String(),
    check: (v: string) => isHttpUrl(v),
    default: 'https://api.twilio.com',
  }),
  smsHookUrl: setting<string>({
    env: 'LATCHKEY_SMS_HOOK_URL',
    flag: undefined,
    expected: 'the http(s) URL your app receives SMS to deliver at',
    schema: Type.String(),
    check: (v: string) => isHttpUrl(v),
  }),
  smsHookSecret: setting<string>({
    env: 'LATCHKEY_SMS_HOOK_SECRET',
    flag: undefined,
    expected:
      'a signing secret "whsec_" followed by base64 of at least 24 bytes (make one with: echo whsec_$(openssl rand -base64 32))',
    schema: Type.String({ pattern: '^whsec_[A-Za-z0-9+/=]+$' }),
    check: (v: string) => Buffer.from(v.slice(6), 'base64').length >= 24,
  }),
  deliveryWorker: onOff(
    'LATCHKEY_DELIVERY_WORKER',
    'true or false (false: this process queues messages but leaves sending to other processes)',
    true,
  ),
  deliveryMaxAttempts: withDefault<number>({
    env: 'LATCHKEY_DELIVERY_MAX_ATTEMPTS',
    flag: undefined,
    expected: 'a whole number from 1 to 50',
    schema: Type.Integer({ minimum: 1, maximum: 50 }),
    default: 8,
  }),
  deliveryRetryBaseSeconds: withDefault<number>({
    env: 'LATCHKEY_DELIVERY_RETRY_SECONDS',
    flag: undefined,
    expected: 'a number of seconds from 0.01 to 3600 (the first retry delay)',
    schema: Type.Number({ minimum: 0.01, maximum: 3600 }),
    default: 5,
  }),
  deliveryLeaseSeconds: withDefault<number>({
    env: 'LATCHKEY_DELIVERY_LEASE_SECONDS',
    flag: undefined,
    expected: 'a number of seconds from 0.5 to 3600',
    schema: Type.Number({ minimum: 0.5, maximum: 3600 }),
    default: 60,
  }),
  webhookAllowPrivate: onOff(
    'LATCHKEY_WEBHOOK_ALLOW_PRIVATE',
    'true or false (true lets webhook endpoints point at loopback and private addresses: development only)',
    false,
  ),
  dashboard: onOff('LATCHKEY_DASHBOARD', 'true or false (false: no dashboard at /dashboard)', true),
  dashboardOperators: setting<string[]>({
    env: 'LATCHKEY_DASHBOARD_OPERATORS',
    flag: undefined,
    expected: 'email addresses separated by commas, e.g. ops@example.com,lead@example.com',
    schema: Type.String(),
    decode: (v: string) => {
      const emails = v
        .split(',')
        .map((email) => email.trim())
        .filter((email) => email !== '');
      return emails.every((email) => /^[^\s@,;<>"]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/.test(email))
        ? emails
        : undefined;
    },
  }),
  trustProxy: onOff(
    'LATCHKEY_TRUST_PROXY',
    'true or false (true only behind a reverse proxy that sets X-Forwarded-For)',
    false,
  ),
};

type Settings = typeof settings;

/** Settings whose values are never echoed in an error message. */
const SECRET_SETTINGS = new Set<string>([
  'masterKey',
  'databaseUrl',
  'smtpUrl',
  'redisUrl',
  'dkimPrivateKey',
  'twilioAuthToken',
  'smsHookSecret',
]);

/** Each setting's value: what its `default` says when it has one, else possibly undefined. */
type Parsed = {
  [K in keyof Settings]: Settings[K] extends Setting<infer T>
    ? Settings[K] extends { default: T }
      ? T
      : T | undefined
    : never;
};

/** The value of one setting from its raw text, or `invalid` when the text is not of the expected form. */
function parseSetting<T>(definition: Setting<T>, raw: string | undefined): T | undefined | typeof INVALID {
  if (raw === undefined) return definition.default;
  // Text from the environment becomes a number where the schema wants one; TypeBox then checks it whole (so
  // `80.5` is not a port, where a conversion to an integer would have made it 80).
  const numeric = ['integer', 'number'].includes((definition.schema as { type?: string }).type ?? '');
  const value = numeric && /^\s*-?\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : raw;
  if (!Value.Check(definition.schema, value)) return INVALID;
  if (definition.check && !definition.check(value as never)) return INVALID;
  if (!definition.decode) return value as T;
  return definition.decode(value as never) ?? INVALID;
}
const INVALID = Symbol('invalid');

export function loadConfig(env: NodeJS.ProcessEnv, flags: ConfigFlags = {}): Config {
  const problems: string[] = [];
  const parsed: Partial<Record<keyof Settings, unknown>> = {};
  for (const [name, setting] of Object.entries(settings) as Array<
    [keyof Settings, Settings[keyof Settings]]
  >) {
    const fromFlag = (flags as Record<string, string | undefined>)[name];
    const fromEnv = env[setting.env];
    const raw = fromFlag ?? (fromEnv === '' ? undefined : fromEnv);
    const value = parseSetting(setting as Setting<unknown>, raw);
    if (value !== INVALID) {
      parsed[name] = value;
    } else {
      const source =
        fromFlag !== undefined && setting.flag ? `${setting.flag} (${setting.env})` : setting.env;
      const shown = SECRET_SETTINGS.has(name) ? '(value hidden)' : JSON.stringify(raw);
      problems.push(`${source} must be ${setting.expected}; got ${shown}.`);
    }
  }
  const tracing = tracingConfig(env);
  problems.push(...tracing.problems);
  if (problems.length > 0) throw new ConfigError(problems);
  const p = parsed as Parsed;
  const publicUrl = (p.publicUrl ?? `http://localhost:${p.port}`).replace(/\/+$/, '');
  return {
    environment: environmentOf(env.NODE_ENV),
    port: p.port,
    host: p.host,
    workers: p.workers,
    dataDir: resolve(p.dataDir),
    publicUrl,
    databaseUrl: p.databaseUrl,
    redisUrl: p.redisUrl,
    smtpUrl: p.smtpUrl,
    masterKey: p.masterKey,
    logLevel: p.logLevel,
    trustProxy: p.trustProxy,
    delivery: deliveryConfig(p, publicUrl),
    webhooks: { allowPrivate: p.webhookAllowPrivate },
    dashboard: { enabled: p.dashboard, operators: p.dashboardOperators ?? [] },
    tracing: tracing.config,
  };
}

function deliveryConfig(p: Parsed, publicUrl: string): DeliveryConfig {
  const problems: string[] = [];
  const dkimParts = [p.dkimDomain, p.dkimSelector, p.dkimPrivateKey].filter((v) => v !== undefined).length;
  if (dkimParts !== 0 && dkimParts !== 3) {
    problems.push(
      'LATCHKEY_DKIM_DOMAIN, LATCHKEY_DKIM_SELECTOR and LATCHKEY_DKIM_PRIVATE_KEY must be set together (or none of them).',
    );
  }
  const twilioParts = [p.twilioAccountSid, p.twilioAuthToken, p.twilioFrom].filter(
    (v) => v !== undefined,
  ).length;
  if (twilioParts !== 0 && twilioParts !== 3) {
    problems.push(
      'LATCHKEY_TWILIO_ACCOUNT_SID, LATCHKEY_TWILIO_AUTH_TOKEN and LATCHKEY_TWILIO_FROM must be set together (or none of them).',
    );
  }
  if ((p.smsHookUrl === undefined) !== (p.smsHookSecret === undefined)) {
    problems.push('LATCHKEY_SMS_HOOK_URL and LATCHKEY_SMS_HOOK_SECRET must be set together (or neither).');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    smtpFrom: p.smtpFrom?.trim() ?? `no-reply@${new URL(publicUrl).hostname}`,
    dkim:
      dkimParts === 3
        ? { domain: p.dkimDomain!, selector: p.dkimSelector!, privateKey: p.dkimPrivateKey! }
        : undefined,
    twilio:
      twilioParts === 3
        ? {
            accountSid: p.twilioAccountSid!,
            authToken: p.twilioAuthToken!,
            from: p.twilioFrom!,
            baseUrl: p.twilioBaseUrl.replace(/\/+$/, ''),
          }
        : undefined,
    smsHook:
      p.smsHookUrl !== undefined && p.smsHookSecret !== undefined
        ? { url: p.smsHookUrl, secret: p.smsHookSecret }
        : undefined,
    worker: p.deliveryWorker,
    maxAttempts: p.deliveryMaxAttempts,
    retryBaseMs: Math.round(p.deliveryRetryBaseSeconds * 1000),
    leaseMs: Math.round(p.deliveryLeaseSeconds * 1000),
  };
}

/**
 * NODE_ENV is the switch every Node deployment already sets, so there is no second one to forget. Anything but
 * `production` is development; case and spaces are forgiven, since a production server taken for a development one
 * would print live links.
 */
function environmentOf(nodeEnv: string | undefined): Environment {
  return nodeEnv?.trim().toLowerCase() === 'production' ? 'production' : 'development';
}

/** `auto` is one process per core the system lets this one use (cgroup limits included, as Node reads them). */
function workerCount(value: string): number | undefined {
  const count = value === 'auto' ? availableParallelism() : Number(value);
  return count <= 256 ? count : undefined;
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
