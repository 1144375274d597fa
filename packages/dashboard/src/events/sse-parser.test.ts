import { describe, expect, it } from 'vitest';
import { SseParser } from './sse-parser.js';

describe('SseParser', () => {
  it('reads messages split anywhere across chunks, skipping comments and retry', () => {
    const parser = new SseParser();
    const text =
      'retry: 3000\n\nid: evt_a\n\n: keep-alive\n\nid: evt_b\nevent: user.created\ndata: {"id":1}\n\n';
    const found = [];
    for (let i = 0; i < text.length; i += 7) found.push(...parser.push(text.slice(i, i + 7)));
    expect(found).toEqual([{ id: 'evt_a' }, { id: 'evt_b', event: 'user.created', data: '{"id":1}' }]);
  });

  it('joins repeated data lines and accepts CRLF line ends', () => {
    const parser = new SseParser();
    expect(parser.push('data: one\r\ndata: two\r')).toEqual([]);
    expect(parser.push('\n\r\n')).toEqual([{ data: 'one\ntwo' }]);
  });
});
