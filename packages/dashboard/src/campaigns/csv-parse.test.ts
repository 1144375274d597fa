import { describe, expect, it } from 'vitest';
import { detectDelimiter, parseCsv, parseRecords } from './csv-parse.js';

describe('parseCsv', () => {
  it('reads a plain comma-separated file', () => {
    expect(parseCsv('email,language\nada@example.com,de\nbob@example.com,en\n')).toEqual({
      delimiter: ',',
      header: ['email', 'language'],
      rows: [
        ['ada@example.com', 'de'],
        ['bob@example.com', 'en'],
      ],
      unclosedQuote: false,
    });
  });

  it.each([
    ['CRLF', '\r\n'],
    ['LF', '\n'],
    ['a lone CR', '\r'],
  ])('reads lines ending in %s', (_name, end) => {
    const text = ['email,ttl', 'a@example.com,15', 'b@example.com,30'].join(end) + end;
    expect(parseCsv(text).rows).toEqual([
      ['a@example.com', '15'],
      ['b@example.com', '30'],
    ]);
  });

  it('keeps delimiters, doubled quotes and line breaks inside quoted fields', () => {
    const text = 'email,metadata\r\n"a@example.com","{""team"":""a,b""}"\r\nb@example.com,"two\r\nlines"\r\n';
    expect(parseCsv(text).rows).toEqual([
      ['a@example.com', '{"team":"a,b"}'],
      ['b@example.com', 'two\r\nlines'],
    ]);
  });

  it('detects semicolons and tabs from the header line, ignoring quoted ones', () => {
    expect(detectDelimiter('email;language\na@x.example;de')).toBe(';');
    expect(detectDelimiter('email\tlanguage\n')).toBe('\t');
    expect(detectDelimiter('"a,b,c";d;e\n')).toBe(';');
    expect(detectDelimiter('email\n')).toBe(',');
    expect(parseCsv('email;language\na@example.com;de').rows).toEqual([['a@example.com', 'de']]);
    expect(parseCsv('email\tlanguage\na@example.com\tde').rows).toEqual([['a@example.com', 'de']]);
  });

  it('drops a byte order mark, skips blank lines, and pads short rows', () => {
    const parsed = parseCsv('\uFEFFemail,language\n\na@example.com\n\n\n');
    expect(parsed.header).toEqual(['email', 'language']);
    expect(parsed.rows).toEqual([['a@example.com', '']]);
  });

  it('says when a quote is never closed', () => {
    expect(parseCsv('email\n"a@example.com\n').unclosedQuote).toBe(true);
  });

  it('keeps empty fields between delimiters and at the end of a line', () => {
    expect(parseRecords('a,,b,\n', ',').records).toEqual([['a', '', 'b', '']]);
  });

  it('reads an empty text as nothing', () => {
    expect(parseCsv('')).toEqual({ delimiter: ',', header: [], rows: [], unclosedQuote: false });
  });
});
