/**
 * `latchkey links bulk`: sends a file of rows to `POST /v1/magic-links/bulk`, streams the results back (NDJSON) into
 * a CSV, JSON or NDJSON file with a progress bar on stderr, and ends with a summary. `--campaign` makes the run a
 * named campaign; `--dry-run` checks every row and creates nothing.
 */
import { open, readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { BulkInput, BulkRowResult, BulkSummary, CreateMagicLinkParams, Latchkey } from '@latchkey/sdk';
import { Command, Option } from 'commander';
import {
  CSV_HEADER_LINE,
  csvResultLine,
  type DryRunResult,
  MAX_BULK_ROWS,
  type RowResult,
} from '../links/bulk/bulk-service.js';
import { parseCsv } from '../links/bulk/csv.js';
import { type ApiOptions, apiOptions, clientFrom, UsageError } from './api-options.js';
import { EXIT } from './command-basics.js';

type Format = 'csv' | 'json' | 'ndjson';

interface BulkOptions extends ApiOptions {
  in: string;
  out?: string;
  inFormat?: Format;
  outFormat?: Format;
  idempotencyKey?: string;
  campaign?: string;
  send?: boolean;
  dryRun?: boolean;
  progress: boolean;
}

function formatOf(path: string | undefined): Format | undefined {
  switch (path === undefined ? '' : extname(path).toLowerCase()) {
    case '.csv':
      return 'csv';
    case '.json':
      return 'json';
    case '.ndjson':
    case '.jsonl':
      return 'ndjson';
    default:
      return undefined;
  }
}

/** The rows in the file, for the progress bar; undefined when the file cannot be read as rows (the server says why). */
function countRows(format: Format, text: string): number | undefined {
  try {
    if (format === 'json') {
      const parsed: unknown = JSON.parse(text);
      return Array.isArray(parsed) ? parsed.length : undefined;
    }
    if (format === 'ndjson') return text.split('\n').filter((line) => line.trim() !== '').length;
    const records = parseCsv(text).slice(1);
    return records.filter((r) => !(r.length === 1 && r[0] === '')).length;
  } catch {
    return undefined;
  }
}

/** Why a file gave nothing to create: a run of no rows is a mistake (a wrong format, an export of nothing). */
function noRows(path: string, format: Format): string {
  const where = path === '-' ? 'The input' : path;
  if (format === 'csv')
    return `${where} holds no rows: a CSV file needs a header row (email,redirect_url,…) and at least one row below it.`;
  if (format === 'json') return `${where} holds no rows: the JSON array is empty.`;
  return `${where} holds no rows: an NDJSON file needs one JSON object per line.`;
}

function inputFor(format: Format, text: string): BulkInput {
  if (format === 'csv') return { csv: text };
  if (format === 'ndjson') return { ndjson: text };
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new UsageError('A .json input must be an array of link objects.');
  return parsed as CreateMagicLinkParams[];
}

class Progress {
  readonly #total: number | undefined;
  readonly #tty: boolean;
  readonly #enabled: boolean;
  readonly #started = Date.now();
  #lastDraw = 0;
  #lastStep = -1;
  done = 0;
  created = 0;
  failed = 0;

  constructor(total: number | undefined, enabled: boolean) {
    this.#total = total;
    this.#enabled = enabled;
    this.#tty = process.stderr.isTTY === true;
  }

  tick(result: BulkRowResult): void {
    this.done++;
    if ('magic_link' in result) this.created++;
    else this.failed++;
    if (!this.#enabled) return;
    const now = Date.now();
    if (this.#tty) {
      if (now - this.#lastDraw >= 100) this.#draw(now);
      return;
    }
    // Not a terminal (a log file, CI): one line at every tenth.
    if (this.#total) {
      const step = Math.floor((this.done * 10) / this.#total);
      if (step !== this.#lastStep) {
        this.#lastStep = step;
        process.stderr.write(`${this.#line(now)}\n`);
      }
    }
  }

  finish(): void {
    if (this.#enabled && this.#tty) {
      this.#draw(Date.now());
      process.stderr.write('\n');
    }
  }

  seconds(): string {
    return ((Date.now() - this.#started) / 1000).toFixed(1);
  }

  #draw(now: number): void {
    this.#lastDraw = now;
    process.stderr.write(`\r${this.#line(now)}\x1b[K`);
  }

  #line(now: number): string {
    const n = (v: number) => v.toLocaleString('en');
    const counts = `${n(this.created)} created, ${n(this.failed)} failed, ${((now - this.#started) / 1000).toFixed(0)} s`;
    if (!this.#total) return `${n(this.done)} rows · ${counts}`;
    const share = Math.min(1, this.done / this.#total);
    const width = 30;
    const filled = Math.round(share * width);
    return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor(share * 100)}% ${n(this.done)}/${n(this.#total)} · ${counts}`;
  }
}

/** Where the results go: a file only its owner can read (the links in it sign people in), or standard output. */
async function openOutput(path: string | undefined) {
  if (path === undefined || path === '-') {
    return {
      write: (text: string) =>
        new Promise<void>((resolve) => {
          if (process.stdout.write(text)) resolve();
          else process.stdout.once('drain', resolve);
        }),
      close: async () => {},
    };
  }
  const handle = await open(path, 'w', 0o600);
  await handle.chmod(0o600);
  return {
    write: async (text: string) => {
      await handle.write(text);
    },
    close: () => handle.close(),
  };
}

export function bulkCommand(): Command {
  return apiOptions(
    new Command('bulk')
      .description(
        `Create up to ${MAX_BULK_ROWS.toLocaleString('en')} links from a CSV, JSON or NDJSON file, one result per row, in order.`,
      )
      .requiredOption(
        '--in <file>',
        'the rows: .csv with a header row (email,redirect_url,ttl,…), .json or .ndjson; - for stdin',
      )
      .option(
        '--out <file>',
        'where the results go (.csv, .json or .ndjson; written 0600: the links sign people in); default stdout',
      )
      .addOption(
        new Option('--in-format <format>', 'the input format, when the file name does not say').choices([
          'csv',
          'json',
          'ndjson',
        ]),
      )
      .addOption(
        new Option('--out-format <format>', 'the output format, when the file name does not say').choices([
          'csv',
          'json',
          'ndjson',
        ]),
      )
      .option(
        '--idempotency-key <key>',
        'running again with the same key and file answers the first results, creating nothing',
      )
      .option('--campaign <name>', 'make the run a campaign of this name (its funnel, export and revoke)')
      .option('--send', 'send the links of rows that do not say (their send column is empty)')
      .option(
        '--dry-run',
        'check every row as a real run would and create nothing; the results say why rows fail',
      )
      .option('--no-progress', 'no progress bar on stderr'),
  )
    .addHelpText(
      'after',
      `
The --json flag prints the summary {"created","failed","rows","out"} on stdout (with --out to a file), with
"campaign_id" for a campaign, and {"would_create","failed","rows","out"} for a dry run.
Exit code 0 when every row was created (or would be), 4 when some rows failed (their errors are in the results).

Examples:
  $ latchkey links bulk --in rows.csv --out links.csv
  $ latchkey links bulk --in rows.csv --out check.csv --dry-run
  $ latchkey links bulk --in rows.csv --out links.csv --campaign "Spring invites" --send
  $ latchkey links bulk --in rows.ndjson --out links.json --idempotency-key import-2026-01-05
  $ cat rows.csv | latchkey links bulk --in - --in-format csv > links.csv`,
    )
    .action(async (options: BulkOptions) => {
      const inFormat = options.inFormat ?? formatOf(options.in) ?? 'csv';
      const outFormat = options.outFormat ?? formatOf(options.out) ?? 'csv';
      const toStdout = options.out === undefined || options.out === '-';
      if (options.json && toStdout) {
        throw new UsageError('--json prints the summary on stdout, so give --out a file for the results.');
      }
      const client = clientFrom(options);
      let text: string;
      try {
        text = options.in === '-' ? await readStdin() : await readFile(options.in, 'utf8');
      } catch (error) {
        throw new UsageError(
          `Cannot read ${options.in}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      const total = countRows(inFormat, text);
      if (total !== undefined && total > MAX_BULK_ROWS) {
        throw new UsageError(
          `${options.in} has ${total.toLocaleString('en')} rows; one run takes at most ${MAX_BULK_ROWS.toLocaleString('en')}. Split the file.`,
        );
      }
      if (total === 0) throw new UsageError(noRows(options.in, inFormat));
      let input: BulkInput;
      try {
        input = inputFor(inFormat, text);
      } catch (error) {
        if (error instanceof UsageError) throw error;
        throw new UsageError(`${options.in} is not valid JSON.`);
      }

      if (options.dryRun) {
        await dryRun(client, input, options, outFormat, toStdout);
        return;
      }

      const progress = new Progress(total, options.progress);
      const stream = client.magicLinks.bulkStream(input, {
        ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
        ...(options.campaign === undefined ? {} : { campaign: options.campaign }),
        ...(options.send ? { send: true } : {}),
      });
      const out = await openOutput(options.out);
      let summary: BulkSummary | undefined;
      const collected: BulkRowResult[] = [];
      try {
        if (outFormat === 'csv') await out.write(CSV_HEADER_LINE);
        for await (const item of stream) {
          if ('summary' in item) {
            summary = item.summary;
            continue;
          }
          progress.tick(item);
          if (outFormat === 'csv') await out.write(csvResultLine(item as RowResult));
          else if (outFormat === 'ndjson') await out.write(`${JSON.stringify(item)}\n`);
          else collected.push(item);
        }
        if (outFormat === 'json') {
          await out.write(
            `${JSON.stringify({ data: collected, summary: summary ?? { created: progress.created, failed: progress.failed } })}\n`,
          );
        }
      } finally {
        progress.finish();
        await out.close();
      }
      if (summary === undefined) {
        throw new Error(
          `the server stopped after ${progress.done.toLocaleString('en')} rows without finishing; the results so far are in ${toStdout ? 'the output' : options.out}. Rerun with the same --idempotency-key to get them without creating them again.`,
        );
      }
      const where = toStdout ? '' : ` Results in ${options.out}.`;
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ ...summary, rows: progress.done, out: options.out })}\n`);
      } else {
        const campaign =
          summary.campaign_id === undefined ? '' : ` Campaign ${summary.campaign_id} (${options.campaign}).`;
        process.stderr.write(
          `Created ${summary.created.toLocaleString('en')} link(s); ${summary.failed.toLocaleString('en')} row(s) failed. ${progress.seconds()} s.${campaign}${where}\n`,
        );
      }
      process.exitCode = summary.failed > 0 ? EXIT.partial : EXIT.ok;
    });
}

/** `--dry-run`: one answer, written in the output format; a row's result says what it would create or why not. */
async function dryRun(
  client: Latchkey,
  input: BulkInput,
  options: BulkOptions,
  outFormat: Format,
  toStdout: boolean,
): Promise<void> {
  if (options.idempotencyKey !== undefined) {
    throw new UsageError(
      'A dry run creates nothing, so it takes no --idempotency-key; leave it for the real run.',
    );
  }
  const answer = await client.magicLinks.bulkDryRun(input, {
    ...(options.campaign === undefined ? {} : { campaign: options.campaign }),
    ...(options.send ? { send: true } : {}),
  });
  const out = await openOutput(options.out);
  try {
    if (outFormat === 'csv') {
      await out.write(CSV_HEADER_LINE + answer.data.map((r) => csvResultLine(r as DryRunResult)).join(''));
    } else if (outFormat === 'ndjson') {
      const lines = [...answer.data, { summary: answer.summary }].map((item) => `${JSON.stringify(item)}\n`);
      await out.write(lines.join(''));
    } else {
      await out.write(`${JSON.stringify(answer)}\n`);
    }
  } finally {
    await out.close();
  }
  const { would_create, failed } = answer.summary;
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ would_create, failed, rows: answer.data.length, out: options.out })}\n`,
    );
  } else {
    const where = toStdout ? '' : ` Results in ${options.out}.`;
    process.stderr.write(
      `Dry run: ${would_create.toLocaleString('en')} link(s) would be created; ${failed.toLocaleString('en')} row(s) would fail. Nothing was created.${where}\n`,
    );
  }
  process.exitCode = failed > 0 ? EXIT.partial : EXIT.ok;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
