/**
 * Bulk link creation: reads rows from a JSON array, CSV or NDJSON body, creates each one exactly as
 * `POST /v1/magic-links` would (same validation, same `createLink`), in order, and reports one result per row.
 * A bad row gets its own error; it never fails the rows around it.
 */
import { getAppOrThrow } from '../../apps/app-service.js';
import type { AppSettings } from '../../apps/app-settings.js';
import { ApiError } from '../../errors/api-error.js';
import type { ErrorCode } from '../../errors/error-codes.js';
import { toApiError } from '../../http/error-handler.js';
import { bodyValidator } from '../../http/validation.js';
import type { UserRow } from '../../storage/rows.js';
import { CreateLinkBody } from '../link-routes.js';
import {
  type CreateLinkInput,
  createLink,
  type PlannedLink,
  planLink,
  presentCreatedLink,
} from '../link-service.js';
import type { LinkContext } from '../link-store.js';
import { CsvSyntaxError, csvRecord, neutraliseFormula, parseCsv } from './csv.js';

export const MAX_BULK_ROWS = 100_000;
/** Room for 100,000 CSV rows with long redirect URLs and metadata. */
export const BULK_BODY_LIMIT = 64 * 1024 * 1024;

export type BulkFormat = 'json' | 'csv' | 'ndjson';

export const MEDIA_TYPES: Record<BulkFormat, string> = {
  json: 'application/json',
  csv: 'text/csv',
  ndjson: 'application/x-ndjson',
};

/**
 * A bulk body as received. The text is kept in a private field, so request-wide checks that walk the body's
 * properties (the NUL check) see nothing and each row is checked on its own instead.
 */
export class BulkBody {
  readonly #text: string;
  readonly format: BulkFormat;

  constructor(format: BulkFormat, text: string) {
    this.format = format;
    this.#text = text;
  }

  get text(): string {
    return this.#text;
  }
}

/** A row as read from the body: the value to validate, or why it could not be read. */
export type InputRow = { value: unknown } | { error: ApiError };

export interface RowError {
  code: ErrorCode;
  message: string;
  param?: string;
}

export type MagicLinkView = ReturnType<typeof presentCreatedLink>;

export type RowResult = { row: number; magic_link: MagicLinkView } | { row: number; error: RowError };

/** What a row would create: no id or token (none is made), the user it would use or whether it makes one. */
export interface WouldCreate {
  /** The existing user the link would be for; null when the row would create the user. */
  user_id: string | null;
  new_user: boolean;
  identifier: string;
  type: string;
  channel: string | null;
  /** Whether a message would be queued. */
  send: boolean;
  redirect_url: string | null;
  magic_link_path: string | null;
  ttl: number;
}

export type DryRunResult = { row: number; would_create: WouldCreate } | { row: number; error: RowError };

/** Reads the rows of a body; a body that cannot be read at all, or has too many rows, is one 400 error. */
export function readRows(body: BulkBody): InputRow[] {
  const rows =
    body.format === 'json'
      ? readJsonRows(body.text)
      : body.format === 'csv'
        ? readCsvRows(body.text)
        : readNdjsonRows(body.text);
  if (rows.length > MAX_BULK_ROWS) throw tooManyRows(rows.length);
  return rows;
}

function tooManyRows(count: number): ApiError {
  return new ApiError(
    'validation_failed',
    `A bulk request takes at most ${MAX_BULK_ROWS.toLocaleString('en')} rows; this one has ${count.toLocaleString('en')}. Split it into several requests.`,
    { param: 'body' },
  );
}

function readJsonRows(text: string): InputRow[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiError(
      'invalid_json',
      'The request body is not valid JSON. Send a JSON array of link objects with Content-Type: application/json.',
    );
  }
  if (!Array.isArray(parsed)) {
    throw new ApiError(
      'validation_failed',
      'Send a JSON array of link objects, each one what POST /v1/magic-links takes.',
      { param: 'body' },
    );
  }
  return parsed.map((value: unknown) => ({ value }));
}

function readNdjsonRows(text: string): InputRow[] {
  const rows: InputRow[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === '') continue;
    if (rows.length >= MAX_BULK_ROWS) {
      throw tooManyRows(rows.length + 1 + lines.slice(index + 1).filter((l) => l.trim() !== '').length);
    }
    try {
      rows.push({ value: JSON.parse(line) });
    } catch {
      rows.push({
        error: new ApiError(
          'invalid_json',
          `Line ${index + 1} is not valid JSON; each line must be one JSON object.`,
        ),
      });
    }
  }
  return rows;
}

/** CSV cells are text; these fields are converted so the same validation as a JSON body applies. */
function csvValue(field: string, cell: string): unknown {
  switch (field) {
    case 'send':
      return cell === 'true' ? true : cell === 'false' ? false : cell;
    case 'ttl':
      return /^-?\d{1,15}$/.test(cell) ? Number(cell) : cell;
    case 'metadata':
      try {
        return JSON.parse(cell) as unknown;
      } catch {
        return cell;
      }
    default:
      return cell;
  }
}

function readCsvRows(text: string): InputRow[] {
  let records: string[][];
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      throw new ApiError(
        'validation_failed',
        `The CSV body is malformed at line ${error.line}: ${error.message}`,
        {
          param: 'body',
        },
      );
    }
    throw error;
  }
  const header = records[0];
  if (header === undefined || (header.length === 1 && header[0] === '')) {
    throw new ApiError(
      'validation_failed',
      'The CSV body needs a header row naming the fields, such as `email,redirect_url,ttl`.',
      { param: 'body' },
    );
  }
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) {
      throw new ApiError('validation_failed', `The CSV header names the column "${name}" twice.`, {
        param: 'body',
      });
    }
    seen.add(name);
  }
  const rows: InputRow[] = [];
  for (let index = 1; index < records.length; index++) {
    const record = records[index]!;
    // Blank lines are not rows.
    if (record.length === 1 && record[0] === '') continue;
    if (rows.length >= MAX_BULK_ROWS) throw tooManyRows(records.length - 1);
    if (record.length > header.length) {
      rows.push({
        error: new ApiError(
          'validation_failed',
          `This row has ${record.length} cells; the header names ${header.length} columns.`,
        ),
      });
      continue;
    }
    const value: Record<string, unknown> = {};
    record.forEach((cell, column) => {
      // An empty cell means the field is absent.
      if (cell !== '') value[header[column]!] = csvValue(header[column]!, cell);
    });
    rows.push({ value });
  }
  return rows;
}

/** Compiled once: the same schema and the same errors (code, message, `param`) as `POST /v1/magic-links`. */
const validateRow = bodyValidator<CreateLinkInput>(CreateLinkBody);

function rowError(error: ApiError): RowError {
  const body: RowError = { code: error.code, message: error.message };
  if (error.param !== undefined) body.param = error.param;
  return body;
}

/**
 * Rows planned and then written per transaction. One commit per batch instead of one per row is what makes 100,000
 * rows take seconds rather than minutes on SQLite; a batch holds the write lock for a few milliseconds only.
 */
export const BULK_BATCH_ROWS = 250;

export interface BulkOptions {
  /** `send` for the rows that do not say (`?send=`); a row's own `send` wins. */
  send?: boolean | undefined;
  /** The campaign the links are made for, stamped on each. */
  campaignId?: string | undefined;
  /**
   * Called with each batch's results once its links are written, before they are yielded. Answering an error stops
   * the run: every later row is answered with it, without being planned or written (later batches are still passed
   * here, so the caller's counts cover every row).
   */
  afterBatch?: ((results: readonly RowResult[]) => Promise<RowError | undefined>) | undefined;
}

/** A row validated and planned exactly as a single create would (nothing written yet), or that create's error. */
export type RowPlan =
  | { row: number; input: CreateLinkInput; plan: PlannedLink }
  | { row: number; error: RowError };

export interface PlanScope {
  settings: AppSettings;
  /** New users planned and not yet written (see `PlanOptions.plannedUsers`). */
  plannedUsers: Map<string, UserRow>;
  options: BulkOptions;
}

export async function planRows(
  ctx: LinkContext,
  appId: string,
  rows: InputRow[],
  start: number,
  end: number,
  scope: PlanScope,
): Promise<RowPlan[]> {
  const plans: RowPlan[] = [];
  for (let index = start; index < end; index++) {
    const row = index + 1;
    const source = rows[index]!;
    if ('error' in source) {
      plans.push({ row, error: rowError(source.error) });
      continue;
    }
    try {
      const input = validateRow(source.value);
      if (input.send === undefined && scope.options.send !== undefined) input.send = scope.options.send;
      const plan = await planLink(ctx, appId, input, {
        settings: scope.settings,
        plannedUsers: scope.plannedUsers,
        campaignId: scope.options.campaignId,
      });
      plans.push({ row, input, plan });
    } catch (error) {
      plans.push({ row, error: failure(ctx, error, row) });
    }
  }
  return plans;
}

/**
 * Creates the rows in order, batch by batch: each row is validated and planned exactly as a single create (same
 * checks, same errors), then the batch's good rows are written in one transaction and the batch's results are
 * yielded in order. If a batch cannot be written at once (a concurrent request created one of its new users), its
 * rows are written one by one instead, so each gets its own result. The app's settings are read once, at the start.
 * Stopping the iteration (a client that hung up) stops the work after the current batch; rows written stay written.
 */
export async function* createRows(
  ctx: LinkContext,
  appId: string,
  rows: InputRow[],
  options: BulkOptions = {},
): AsyncGenerator<RowResult> {
  const { settings } = await getAppOrThrow(ctx, appId);
  let stopped: RowError | undefined;
  for (let start = 0; start < rows.length; start += BULK_BATCH_ROWS) {
    const end = Math.min(rows.length, start + BULK_BATCH_ROWS);
    let results: RowResult[];
    if (stopped === undefined) {
      const plans = await planRows(ctx, appId, rows, start, end, {
        settings,
        plannedUsers: new Map(),
        options,
      });
      results = await writeBatch(ctx, appId, plans, options);
    } else {
      const error = stopped;
      results = Array.from({ length: end - start }, (_, i) => ({ row: start + i + 1, error }));
    }
    if (options.afterBatch) {
      // Every batch is passed on, stopped or not, so the caller's counts cover every row.
      const stop = await options.afterBatch(results);
      stopped ??= stop;
    }
    yield* results;
  }
}

async function writeBatch(
  ctx: LinkContext,
  appId: string,
  plans: RowPlan[],
  options: BulkOptions,
): Promise<RowResult[]> {
  const results: RowResult[] = plans.map((p) =>
    'error' in p ? { row: p.row, error: p.error } : { row: p.row, magic_link: presentCreatedLink(p.plan) },
  );
  const planned = plans.flatMap((p, at) => ('plan' in p ? [{ ...p, at }] : []));
  if (planned.length === 0) return results;
  try {
    await ctx.store.createLinks(planned.map((p) => p.plan));
  } catch (error) {
    ctx.logger.warn({ err: error }, 'a bulk batch could not be written at once; writing its rows one by one');
    for (const { at, row, input } of planned) {
      try {
        const created = await createLink(ctx, appId, input, { campaignId: options.campaignId });
        results[at] = { row, magic_link: presentCreatedLink(created) };
      } catch (rowFailure) {
        results[at] = { row, error: failure(ctx, rowFailure, row) };
      }
    }
  }
  if (planned.some((p) => p.plan.message !== undefined)) ctx.delivery.wake();
  return results;
}

function failure(ctx: LinkContext, error: unknown, row: number): RowError {
  const apiError = toApiError(error as Error);
  if (apiError.status >= 500) ctx.logger.error({ err: error, row }, 'bulk row failed');
  return rowError(apiError);
}

export const CSV_COLUMNS = [
  'row',
  'status',
  'id',
  'user_id',
  'identifier',
  'url',
  'expires_at',
  'error_code',
  'error_message',
] as const;

/** One CSV output line; every cell that a spreadsheet would run as a formula is neutralised. */
export function csvResultLine(result: RowResult | DryRunResult): string {
  return csvRecord(resultCells(result).map(neutraliseFormula));
}

function resultCells(result: RowResult | DryRunResult): string[] {
  const row = String(result.row);
  if ('error' in result) return [row, 'failed', '', '', '', '', '', result.error.code, result.error.message];
  if ('would_create' in result) {
    // A dry run makes no link: no id, URL or expiry; the user only when it already exists.
    const plan = result.would_create;
    return [row, 'would_create', '', plan.user_id ?? '', plan.identifier, '', '', '', ''];
  }
  const link = result.magic_link;
  return [row, 'created', link.id, link.user_id, link.identifier, link.url, link.expires_at, '', ''];
}

export const CSV_HEADER_LINE = csvRecord([...CSV_COLUMNS]);

/**
 * The response format for an `Accept` header: the acceptable type with the highest quality, JSON when there is
 * no header or nothing listed is one we write.
 */
export function negotiateFormat(accept: string | undefined): BulkFormat {
  if (!accept) return 'json';
  let best: { format: BulkFormat; q: number } | undefined;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!(q > 0)) continue;
    const format: BulkFormat | undefined =
      type === 'application/json' || type === 'application/*' || type === '*/*'
        ? 'json'
        : type === 'text/csv' || type === 'text/*'
          ? 'csv'
          : type === 'application/x-ndjson' || type === 'application/jsonl'
            ? 'ndjson'
            : undefined;
    if (format !== undefined && (best === undefined || q > best.q)) best = { format, q };
  }
  return best?.format ?? 'json';
}
