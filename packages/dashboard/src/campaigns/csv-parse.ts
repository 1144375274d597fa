/**
 * CSV as operators' spreadsheets export it, read in the browser so the columns can be mapped before anything is
 * sent. Written here rather than taken from a library: it is forty lines, and the dashboard adds no dependency for
 * it. Quoted fields may hold the delimiter, doubled quotes and line breaks; lines end in CRLF, LF or a lone CR; a
 * byte order mark is dropped; blank lines are skipped. The delimiter (comma, semicolon or tab) is the one the
 * header line uses most outside quotes: spreadsheets in much of Europe write `;`.
 */

export type Delimiter = ',' | ';' | '\t';

export interface ParsedCsv {
  delimiter: Delimiter;
  header: string[];
  /** The data rows, each padded or cut to the header's length. */
  rows: string[][];
  /** Where a quote was left open at the end: the text is malformed. */
  unclosedQuote: boolean;
}

const DELIMITERS: readonly Delimiter[] = [',', ';', '\t'];

/** The delimiter the first line uses most often outside quotes; a comma when it uses none. */
export function detectDelimiter(text: string): Delimiter {
  const counts = new Map<Delimiter, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && counts.has(char as Delimiter))
      counts.set(char as Delimiter, (counts.get(char as Delimiter) ?? 0) + 1);
  }
  let best: Delimiter = ',';
  for (const d of DELIMITERS) if ((counts.get(d) ?? 0) > (counts.get(best) ?? 0)) best = d;
  return best;
}

/** Every record of the text as an array of fields, blank lines left out. */
export function parseRecords(
  text: string,
  delimiter: Delimiter,
): { records: string[][]; unclosedQuote: boolean } {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    record.push(field);
    field = '';
    // A line with nothing on it is no record.
    if (!(record.length === 1 && record[0] === '')) records.push(record);
    record = [];
  };
  for (; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char !== '"') field += char;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (char === '"') quoted = true;
    else if (char === delimiter) {
      record.push(field);
      field = '';
    } else if (char === '\r' || char === '\n') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      endRecord();
    } else field += char;
  }
  if (field !== '' || record.length > 0) endRecord();
  return { records, unclosedQuote: quoted };
}

/** The text as a header and rows, with the delimiter it was written with. */
export function parseCsv(text: string): ParsedCsv {
  const delimiter = detectDelimiter(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const { records, unclosedQuote } = parseRecords(text, delimiter);
  const header = (records[0] ?? []).map((name) => name.trim());
  const rows = records.slice(1).map((record) => header.map((_name, index) => record[index] ?? ''));
  return { delimiter, header, rows, unclosedQuote };
}
