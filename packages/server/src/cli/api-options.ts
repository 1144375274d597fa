/**
 * What every command that talks to a running Latchkey shares: where the server is and which key to use (flags or
 * environment), one SDK client, `--json` output, and plain-text tables for people.
 */
import { Latchkey } from '@latchkey/sdk';
import { type Command, Option } from 'commander';

export interface ApiOptions {
  url?: string;
  apiKey?: string;
  app?: string;
  json?: boolean;
}

/** A usage problem found after parsing (a missing key, a malformed value): exit code 2, no stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function apiOptions(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', "the Latchkey server's URL (LATCHKEY_URL)"))
    .addOption(
      new Option('--api-key <key>', 'an app key lk_sk_… or an admin key lk_admin_… (LATCHKEY_API_KEY)'),
    )
    .addOption(new Option('--app <app_id>', 'with an admin key: the app to act on (LATCHKEY_APP)'))
    .addOption(new Option('--json', 'print the answer as JSON'));
}

/** The one SDK client for a command, from its flags, else the environment. */
export function clientFrom(options: ApiOptions, env: NodeJS.ProcessEnv = process.env): Latchkey {
  const baseUrl = options.url ?? env.LATCHKEY_URL;
  const apiKey = options.apiKey ?? env.LATCHKEY_API_KEY;
  if (!baseUrl) {
    throw new UsageError(
      'Say where Latchkey runs with --url or LATCHKEY_URL, such as http://localhost:8080.',
    );
  }
  if (!/^https?:\/\/[^/]/i.test(baseUrl)) {
    throw new UsageError(`--url must be an http:// or https:// URL; got "${baseUrl}".`);
  }
  if (!apiKey) {
    throw new UsageError(
      'Give an API key with --api-key or LATCHKEY_API_KEY (`latchkey init` prints one; `latchkey keys create` makes more).',
    );
  }
  const appId = options.app ?? env.LATCHKEY_APP;
  return new Latchkey({ baseUrl, apiKey, ...(appId ? { appId } : {}) });
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Left-aligned columns for people; `--json` is the form for programs. */
export function printTable(rows: Array<Record<string, unknown>>, columns: string[]): void {
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const cell = (value: unknown) => (value === null || value === undefined ? '-' : String(value));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (cells: string[]) =>
    `${cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()}\n`;
  process.stdout.write(line(columns.map((c) => c.toUpperCase())));
  for (const row of rows) process.stdout.write(line(columns.map((c) => cell(row[c]))));
}

/** `name: value` lines for one object. */
export function printRecord(record: Record<string, unknown>): void {
  const width = Math.max(...Object.keys(record).map((k) => k.length));
  for (const [name, value] of Object.entries(record)) {
    const text = value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value ?? '-');
    process.stdout.write(`${`${name}:`.padEnd(width + 2)}${text}\n`);
  }
}

/** Either form, by `--json`. */
export function show(options: ApiOptions, value: Record<string, unknown>): void {
  if (options.json) printJson(value);
  else printRecord(value);
}

/** Up to `limit` items of a list, for a command's `--limit` (0 means all). */
export async function take<T>(items: AsyncIterable<T>, limit: number): Promise<T[]> {
  const out: T[] = [];
  if (limit === 0) {
    for await (const item of items) out.push(item);
    return out;
  }
  for await (const item of items) {
    out.push(item);
    if (out.length >= limit) break;
  }
  return out;
}

/** Prints a list as a table or as `{"data": [...]}`. */
export function showList(
  options: ApiOptions,
  items: Array<Record<string, unknown>>,
  columns: string[],
): void {
  if (options.json) printJson({ data: items });
  else printTable(items, columns);
}

export const limitOption = () =>
  new Option('--limit <n>', 'show at most this many, newest first (0 for all)')
    .default('50')
    .argParser((value: string) => {
      const n = Number(value);
      if (!Number.isSafeInteger(n) || n < 0)
        throw new UsageError('--limit must be a whole number, 0 or more.');
      return n;
    });

/** A JSON object given on the command line (`--metadata '{"plan":"pro"}'`). */
export function jsonObject(flag: string) {
  return (value: string): Record<string, unknown> => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new UsageError(`${flag} must be a JSON object, such as '{"plan":"pro"}'.`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new UsageError(`${flag} must be a JSON object, such as '{"plan":"pro"}'.`);
    }
    return parsed as Record<string, unknown>;
  };
}

/** Drops undefined fields, so only what the user gave is sent. */
export function defined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
