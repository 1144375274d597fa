/**
 * A small RFC 4180 reader and writer: comma-separated fields, fields in double quotes may hold commas, line breaks
 * and doubled quotes (`""`); records end with CRLF or LF; a leading byte order mark is ignored.
 */

export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';
  /** 1-based line of the input where the problem is. */
  readonly line: number;

  constructor(message: string, line: number) {
    super(message);
    this.line = line;
  }
}

/**
 * Parses CSV text into records. A final line break does not start another record; an empty line in the middle is a
 * record with one empty field. A quote inside an unquoted field is kept as text; text after a closing quote or an
 * unclosed quote is a `CsvSyntaxError`.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  const length = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  if (i >= length) return records;
  let record: string[] = [];
  for (;;) {
    let field: string;
    if (text.charCodeAt(i) === 0x22 /* " */) {
      const startLine = line;
      let value = '';
      let from = i + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote === -1) throw new CsvSyntaxError('A quoted field is never closed.', startLine);
        value += text.slice(from, quote);
        if (text.charCodeAt(quote + 1) === 0x22) {
          value += '"';
          from = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      line += countLineBreaks(value);
      field = value;
      const next = text.charCodeAt(i);
      if (
        i < length &&
        next !== 0x2c &&
        next !== 0x0a &&
        !(next === 0x0d && text.charCodeAt(i + 1) === 0x0a)
      ) {
        throw new CsvSyntaxError('A closing quote must be followed by a comma or a line break.', line);
      }
    } else {
      let end = i;
      while (end < length) {
        const c = text.charCodeAt(end);
        if (c === 0x2c || c === 0x0a || (c === 0x0d && text.charCodeAt(end + 1) === 0x0a)) break;
        end++;
      }
      field = text.slice(i, end);
      i = end;
    }
    record.push(field);
    if (i >= length) {
      records.push(record);
      return records;
    }
    const c = text.charCodeAt(i);
    if (c === 0x2c) {
      i++;
      continue;
    }
    // A line break ends the record.
    i += c === 0x0d ? 2 : 1;
    line++;
    records.push(record);
    record = [];
    if (i >= length) return records;
  }
}

function countLineBreaks(value: string): number {
  let n = 0;
  for (let at = value.indexOf('\n'); at !== -1; at = value.indexOf('\n', at + 1)) n++;
  return n;
}

const NEEDS_QUOTES = /^\uFEFF|[",\r\n]/;

/** One field, quoted when it holds a comma, quote or line break (or starts with a byte order mark). */
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
