/**
 * `latchkey users import --from passage FILE`: Passage's user export, as its API returns users (a JSON array, or
 * the same fields as CSV), into the app's users. Passage's id is kept as `external_id`, so backends that stored it
 * keep working (Passage's create-link path takes it in `user_id`), and a run is repeatable: a user already imported
 * is updated, not created again. One line per row says what happened.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { type Latchkey, LatchkeyError, type User } from '@latchkey/sdk';
import { type Command, Option } from 'commander';
import { parseCsv } from '../links/bulk/csv.js';
import { type ApiOptions, apiOptions, clientFrom, UsageError } from './api-options.js';
import { EXIT } from './command-basics.js';

/** A user as Passage's API answers it (the fields the import reads). */
export interface PassageUser {
  id?: unknown;
  email?: unknown;
  email_verified?: unknown;
  phone?: unknown;
  phone_verified?: unknown;
  status?: unknown;
  user_metadata?: unknown;
  created_at?: unknown;
}

export type ImportOutcome =
  | { row: number; passage_id: string; status: 'created' | 'updated'; user_id: string }
  | { row: number; passage_id: string | null; status: 'failed'; code: string; message: string };

interface ImportOptions extends ApiOptions {
  from: 'passage';
}

export function usersImportCommand(users: Command): void {
  apiOptions(
    users
      .command('import')
      .description("Import users from another service's export (Passage: its users as JSON or CSV).")
      .argument('<file>', 'the export: .json (an array of users) or .csv with a header row'),
  )
    .addOption(
      new Option('--from <service>', 'where the export comes from')
        .choices(['passage'])
        .makeOptionMandatory(),
    )
    .addHelpText(
      'after',
      `
Each user keeps Passage's id as external_id, its email and phone (with their verified flags) and its
user_metadata; Passage's status and created_at go into metadata.passage. Running it again updates the users it
made instead of creating them twice. Exit code 0 when every row was imported, 4 when some failed.

Example:
  $ latchkey users import --from passage passage-users.json`,
    )
    .action(async (file: string, options: ImportOptions) => {
      const rows = await readExport(file);
      const outcomes = await importPassageUsers(clientFrom(options), rows);
      for (const outcome of outcomes) {
        if (options.json) process.stdout.write(`${JSON.stringify(outcome)}\n`);
        else process.stdout.write(`${describe(outcome)}\n`);
      }
      const failed = outcomes.filter((o) => o.status === 'failed').length;
      const created = outcomes.filter((o) => o.status === 'created').length;
      process.stderr.write(
        `Imported ${outcomes.length - failed} of ${outcomes.length} user(s): ${created} created, ${outcomes.length - failed - created} updated, ${failed} failed.\n`,
      );
      process.exitCode = failed > 0 ? EXIT.partial : EXIT.ok;
    });
}

async function readExport(file: string): Promise<PassageUser[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const json = extname(file).toLowerCase() === '.json' || /^\s*[[{]/.test(text);
  const rows = json ? jsonRows(file, text) : csvRows(file, text);
  if (rows.length === 0) throw new UsageError(`${file} holds no users.`);
  return rows;
}

function jsonRows(file: string, text: string): PassageUser[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${file} is not valid JSON.`);
  }
  // Passage's list endpoint answers {"users": [...]}; an export may be that answer or the bare array.
  const users = Array.isArray(parsed) ? parsed : (parsed as { users?: unknown } | null)?.users;
  if (!Array.isArray(users))
    throw new UsageError(`${file} must hold an array of users (or {"users": [...]}).`);
  return users as PassageUser[];
}

function csvRows(file: string, text: string): PassageUser[] {
  let records: string[][];
  try {
    records = parseCsv(text);
  } catch (error) {
    throw new UsageError(
      `${file} is not valid CSV: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const [header, ...body] = records;
  if (!header?.includes('id')) throw new UsageError(`${file} needs a header row with an id column.`);
  return body
    .filter((cells) => !(cells.length === 1 && cells[0] === ''))
    .map((cells) => {
      const row: Record<string, unknown> = {};
      header.forEach((name, i) => {
        const cell = cells[i] ?? '';
        if (cell === '') return;
        if (name === 'email_verified' || name === 'phone_verified') row[name] = cell === 'true';
        else if (name === 'user_metadata') row[name] = parseMetadata(cell);
        else row[name] = cell;
      });
      return row as PassageUser;
    });
}

function parseMetadata(cell: string): unknown {
  try {
    return JSON.parse(cell);
  } catch {
    return cell;
  }
}

/** Imports one row at a time, in order, so that the lines of the report match the file's rows. */
export async function importPassageUsers(client: Latchkey, rows: PassageUser[]): Promise<ImportOutcome[]> {
  const outcomes: ImportOutcome[] = [];
  for (const [index, row] of rows.entries()) {
    const passageId = typeof row.id === 'string' && row.id !== '' ? row.id : null;
    try {
      if (!passageId) throw new UsageError('The row has no id (the Passage user id).');
      const fields = userFields(row);
      const existing = await first(client.users.list({ external_id: passageId }));
      const user: User = existing
        ? await client.users.update(existing.id, fields)
        : await client.users.create({ ...fields, external_id: passageId });
      outcomes.push({
        row: index + 1,
        passage_id: passageId,
        status: existing ? 'updated' : 'created',
        user_id: user.id,
      });
    } catch (error) {
      const code =
        error instanceof LatchkeyError ? error.code : error instanceof UsageError ? 'invalid_row' : 'failed';
      const param = error instanceof LatchkeyError && error.param ? ` (${error.param})` : '';
      const message = `${error instanceof Error ? error.message : String(error)}${param}`;
      outcomes.push({ row: index + 1, passage_id: passageId, status: 'failed', code, message });
    }
  }
  return outcomes;
}

function userFields(row: PassageUser): Record<string, unknown> {
  const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value : null);
  const email = text(row.email);
  const phone = text(row.phone);
  const metadata =
    row.user_metadata !== null && typeof row.user_metadata === 'object' && !Array.isArray(row.user_metadata)
      ? { ...(row.user_metadata as Record<string, unknown>) }
      : {};
  metadata.passage = {
    ...(typeof row.status === 'string' ? { status: row.status } : {}),
    ...(typeof row.created_at === 'string' ? { created_at: row.created_at } : {}),
  };
  return {
    email,
    phone,
    ...(email ? { email_verified: row.email_verified === true } : {}),
    ...(phone ? { phone_verified: row.phone_verified === true } : {}),
    metadata,
  };
}

async function first<T>(items: AsyncIterable<T>): Promise<T | undefined> {
  for await (const item of items) return item;
  return undefined;
}

function describe(outcome: ImportOutcome): string {
  if (outcome.status === 'failed')
    return `row ${outcome.row}  ${outcome.passage_id ?? '(no id)'}  failed  ${outcome.code}: ${outcome.message}`;
  return `row ${outcome.row}  ${outcome.passage_id}  ${outcome.status}  ${outcome.user_id}`;
}
