import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, csvField, detectDelimiter, neutraliseFormula, parseCsv, writeCsv } from './csv.js';

describe('parseCsv', () => {
  it('reads plain records with LF or CRLF and no trailing record for a final line break', () => {
    expect(parseCsv('a,b\n1,2\n')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(parseCsv('a,b\r\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks', () => {
    expect(parseCsv('"x, y","say ""hi""","two\r\nlines"\n"",z')).toEqual([
      ['x, y', 'say "hi"', 'two\r\nlines'],
      ['', 'z'],
    ]);
  });

  it('ignores a byte order mark and keeps empty fields', () => {
    expect(parseCsv('\uFEFFemail,ttl\na@example.com,\n,5')).toEqual([
      ['email', 'ttl'],
      ['a@example.com', ''],
      ['', '5'],
    ]);
  });

  it('reads nothing from an empty body and one empty field from an empty middle line', () => {
    expect(parseCsv('')).toEqual([]);
    expect(parseCsv('\uFEFF')).toEqual([]);
    expect(parseCsv('a\n\nb\n')).toEqual([['a'], [''], ['b']]);
  });

  it('reads CR-only line ends (old Mac exports) and a mix of line ends', () => {
    expect(parseCsv('email,ttl\ra@example.com,5\rb@example.com,6\r')).toEqual([
      ['email', 'ttl'],
      ['a@example.com', '5'],
      ['b@example.com', '6'],
    ]);
    expect(parseCsv('a\r\nb\nc\rd')).toEqual([['a'], ['b'], ['c'], ['d']]);
  });

  it('detects a semicolon or tab separator from the header, and ignores separators inside quotes', () => {
    expect(parseCsv('email;redirect_url\na@example.com;https://app.example.com/x,y\n')).toEqual([
      ['email', 'redirect_url'],
      ['a@example.com', 'https://app.example.com/x,y'],
    ]);
    expect(parseCsv('email\tttl\r\na@example.com\t5')).toEqual([
      ['email', 'ttl'],
      ['a@example.com', '5'],
    ]);
    expect(detectDelimiter('"a;b;c",d\n1;2;3;4')).toBe(',');
    expect(detectDelimiter('email\na;b')).toBe(',');
  });

  it('refuses a quote inside an unquoted field, saying how to write it', () => {
    expect(() => parseCsv('name\nO"Brien')).toThrow(/double quotes/);
  });

  it('refuses an unclosed quote and text after a closing quote, naming the line', () => {
    expect(() => parseCsv('a\n"open')).toThrow(CsvSyntaxError);
    try {
      parseCsv('a\n"x\ny"z');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CsvSyntaxError);
      expect((error as CsvSyntaxError).line).toBe(3);
    }
  });
});

describe('writeCsv', () => {
  it('quotes only fields that need it', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('a;b')).toBe('"a;b"');
    expect(csvField('a\tb')).toBe('"a\tb"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('x\ny')).toBe('"x\ny"');
    expect(writeCsv([['a', 'b'], ['']])).toBe('a,b\r\n""\r\n');
  });

  it('round-trips arbitrary records through the parser', () => {
    const cell = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', ',', ';', '\t', '"', '\r', '\n', ' ', '\uFEFF', '=', 'é') }),
      fc.string({ unit: 'grapheme' }),
    );
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 1, maxLength: 6 }), { maxLength: 8 }), (records) => {
        expect(parseCsv(writeCsv(records))).toEqual(records);
        expect(parseCsv(`\uFEFF${writeCsv(records)}`)).toEqual(records);
      }),
      { numRuns: 500 },
    );
  });
});

describe('neutraliseFormula', () => {
  it('prefixes cells a spreadsheet would run as a formula', () => {
    for (const value of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1']) {
      expect(neutraliseFormula(value)).toBe(`'${value}`);
    }
    expect(neutraliseFormula('a=1')).toBe('a=1');
    expect(neutraliseFormula('')).toBe('');
  });
});
