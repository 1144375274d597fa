import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ErrorCode, errorCodes, isErrorCode } from './error-codes.js';

const docsUrl = new URL('../../../../docs/errors.md', import.meta.url);
const registry = Object.entries(errorCodes) as Array<[ErrorCode, { status: number; summary: string }]>;

interface DocRow {
  code: string;
  rawCode: string;
  status: number;
  meaning: string;
  whatToDo: string;
}

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((cell) => cell.trim());
}

/** The one table of docs/errors.md whose header is `code | status | meaning | what to do`. */
function documentedRows(markdown: string): DocRow[] {
  const lines = markdown.split('\n');
  const header = lines.findIndex((line) => {
    const names = cells(line).map((cell) => cell.toLowerCase());
    return line.trim().startsWith('|') && names.join('|') === 'code|status|meaning|what to do';
  });
  if (header < 0) throw new Error('docs/errors.md has no `code | status | meaning | what to do` table');
  const rows: DocRow[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.trim().startsWith('|')) break;
    const [code = '', status = '', meaning = '', whatToDo = ''] = cells(line);
    rows.push({ code: code.replace(/^`|`$/g, ''), rawCode: code, status: Number(status), meaning, whatToDo });
  }
  return rows;
}

describe('error registry and docs/errors.md', () => {
  const markdown = readFileSync(docsUrl, 'utf8');
  const rows = documentedRows(markdown);
  const documented = new Map(rows.map((row) => [row.code, row]));

  it('documents every registry code in the table', () => {
    const missing = registry.map(([code]) => code).filter((code) => !documented.has(code));
    expect(missing).toEqual([]);
  });

  it('documents no code that the registry lacks', () => {
    const unknown = rows.map((row) => row.code).filter((code) => !isErrorCode(code));
    expect(unknown).toEqual([]);
  });

  it('documents each code with the status the registry answers with', () => {
    const wrong = registry
      .filter(([code, entry]) => documented.get(code)?.status !== entry.status)
      .map(([code, entry]) => `${code}: registry ${entry.status}, docs ${documented.get(code)?.status}`);
    expect(wrong).toEqual([]);
  });

  it('lists the codes once each, in registry order, with a meaning and an action', () => {
    expect(rows.map((row) => row.code)).toEqual(registry.map(([code]) => code));
    for (const row of rows) {
      expect(row.meaning, row.code).not.toBe('');
      expect(row.whatToDo, row.code).not.toBe('');
    }
  });

  it('writes every code in backticks', () => {
    for (const row of rows) expect(row.rawCode).toBe(`\`${row.code}\``);
  });

  it('names every code in snake_case', () => {
    for (const [code] of registry) expect(code).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
  });

  it('gives every code a 4xx or 5xx status', () => {
    for (const [code, entry] of registry) {
      expect(Number.isInteger(entry.status), code).toBe(true);
      expect(entry.status, code).toBeGreaterThanOrEqual(400);
      expect(entry.status, code).toBeLessThan(600);
    }
  });

  it('explains Retry-After next to rate_limited', () => {
    expect(documented.get('rate_limited')?.whatToDo).toContain('Retry-After');
    expect(markdown).toMatch(/^#+ .*Retry-After/m);
  });

  it('shows the error body shape', () => {
    const json = /```json\n([\s\S]*?)```/.exec(markdown)?.[1];
    expect(json).toBeDefined();
    const body = JSON.parse(json!) as { error: Record<string, unknown> };
    expect(Object.keys(body.error)).toEqual(['code', 'message', 'param']);
    expect(isErrorCode(String(body.error.code))).toBe(true);
  });
});
