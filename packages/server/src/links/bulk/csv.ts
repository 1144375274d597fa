/**
 * CSV in and out. Reading is csv-parse's (RFC 4180 and what spreadsheets really export: CRLF, LF or CR-only line
 * ends, a byte order mark, `,` `;` or tab between fields); writing is ours, since every cell we write is also made
 * safe to open in a spreadsheet.
 */
import { CsvError, parse } from 'csv-parse/sync';

export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';
  /** 1-based line of the input where the problem is. */
  readonly line: number;

  constructor(message: string, line: number) {
    super(message);
    this.line = line;
  }
}

/** The separators a spreadsheet may export with: comma, semicolon (locales with a decimal comma), tab. */
export type CsvDelimiter = ',' | ';' | '\t';
const DELIMITERS: readonly CsvDelimiter[] = [',', ';', '\t'];

/**
 * The separator of a CSV text, read from its first record: the one of `,` `;` tab that occurs most often outside
 * quotes (comma on a tie or when none does, e.g. a single column).
 */
export function detectDelimiter(text: string): CsvDelimiter {
  const counts = new Map<CsvDelimiter, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && counts.has(c as CsvDelimiter))
      counts.set(c as CsvDelimiter, counts.get(c as CsvDelimiter)! + 1);
  }
  let best: CsvDelimiter = ',';
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}

/**
 * Parses CSV text into records. A final line break does not start another record; an empty line in the middle is a
 * record with one empty field. An unclosed quote, text after a closing quote or a quote inside an unquoted field is
 * a `CsvSyntaxError` naming the line, in words a person editing the file can act on.
 */
export function parseCsv(text: string, delimiter: CsvDelimiter = detectDelimiter(text)): string[][] {
  try {
    return parse(text, {
      bom: true,
      delimiter,
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      skip_empty_lines: false,
    }) as string[][];
  } catch (error) {
    if (error instanceof CsvError) throw syntaxError(error);
    throw error;
  }
}

function syntaxError(error: CsvError): CsvSyntaxError {
  const line = Number((error as CsvError & { lines?: number }).lines ?? 1);
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new CsvSyntaxError('A quoted field is never closed.', line);
    case 'CSV_INVALID_CLOSING_QUOTE':
      return new CsvSyntaxError('A closing quote must be followed by the separator or a line break.', line);
    case 'INVALID_OPENING_QUOTE':
      return new CsvSyntaxError(
        'A quote inside a field that does not start with one: put the whole field in double quotes and double the quote inside (`"O""Brien"`).',
        line,
      );
    default:
      return new CsvSyntaxError(error.message, line);
  }
}

// `;` and tab too: a reader that detects the separator (ours does) must not take them for one.
const NEEDS_QUOTES = /^\uFEFF|[",;\t\r\n]/;

/** One field, quoted when it holds a separator, quote or line break (or starts with a byte order mark). */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One record with its CRLF. A record of a single empty field is written `""` so it is not read as nothing. */
export function csvRecord(fields: readonly string[]): string {
  if (fields.length === 1 && fields[0] === '') return '""\r\n';
  return `${fields.map(csvField).join(',')}\r\n`;
}

export function writeCsv(records: readonly (readonly string[])[]): string {
  return records.map(csvRecord).join('');
}

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (and some with a tab or carriage return) as a
 * formula. Such a cell gets a leading `'` so it opens as text.
 */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}
