/**
 * A bulk run read as a stream: lines split anywhere between chunks, progress after each chunk, the summary at the
 * end; the request asks for NDJSON with the campaign's name and `send`; a stream cut before its summary is an error.
 */
import { describe, expect, it } from 'vitest';
import { ApiError, DashboardApi } from '../api.js';
import { type BulkProgress, runBulk } from './bulk-stream.js';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

function apiAnswering(response: Response) {
  const sent: Array<{ url: string; headers: Record<string, string>; body: unknown }> = [];
  const api = new DashboardApi({
    fetch: async (input, init) => {
      sent.push({
        url: String(input),
        headers: init?.headers as Record<string, string>,
        body: JSON.parse(String(init?.body)),
      });
      return response;
    },
  });
  return { api, sent };
}

const lines = [
  '{"row":1,"magic_link":{"id":"ml_1","identifier":"a@example.com"}}',
  '{"row":2,"error":{"code":"validation_failed","message":"bad","param":"email"}}',
  '{"row":3,"magic_link":{"id":"ml_3","identifier":"c@example.com"}}',
  '{"summary":{"created":2,"failed":1,"campaign_id":"cmp_1"}}',
];

describe('runBulk', () => {
  it('counts rows as their lines arrive, however the chunks split them, and ends with the summary', async () => {
    const text = `${lines.join('\n')}\n`;
    const chunks = [text.slice(0, 10), text.slice(10, 90), text.slice(90, 170), text.slice(170)];
    const { api, sent } = apiAnswering(new Response(streamOf(chunks), { status: 200 }));
    const seen: BulkProgress[] = [];
    const summary = await runBulk(
      api,
      'app_1',
      { name: 'Spring', send: true, requests: [{ email: 'a@example.com' }] },
      (progress) => seen.push(progress),
    );
    expect(summary).toEqual({ created: 2, failed: 1, campaign_id: 'cmp_1' });
    expect(seen.at(-1)?.done).toBe(3);
    expect(seen.at(-1)?.failed.map((row) => row.row)).toEqual([2]);
    // Progress only ever moves forward.
    expect(seen.map((p) => p.done)).toEqual([...seen.map((p) => p.done)].sort((a, b) => a - b));
    expect(sent[0]?.url).toBe('/dashboard/api/v1/magic-links/bulk?campaign=Spring&send=true');
    expect(sent[0]?.headers).toMatchObject({ accept: 'application/x-ndjson', 'latchkey-app': 'app_1' });
    expect(sent[0]?.body).toEqual([{ email: 'a@example.com' }]);
  });

  it('reads a last line without its line break', async () => {
    const { api } = apiAnswering(new Response(streamOf([lines.join('\n')]), { status: 200 }));
    expect(await runBulk(api, 'app_1', { name: 'x', send: false, requests: [] }, () => {})).toMatchObject({
      created: 2,
    });
  });

  it('says where it stopped when the stream ends before its summary', async () => {
    const { api } = apiAnswering(new Response(streamOf([`${lines[0]}\n`]), { status: 200 }));
    await expect(runBulk(api, 'app_1', { name: 'x', send: false, requests: [] }, () => {})).rejects.toThrow(
      /stopped after 1 row without its summary/,
    );
  });

  it('throws the server’s error when the run is refused', async () => {
    const body = { error: { code: 'validation_failed', message: 'Name it.', param: 'campaign' } };
    const { api } = apiAnswering(new Response(JSON.stringify(body), { status: 400 }));
    const error = await runBulk(api, 'app_1', { name: '', send: false, requests: [] }, () => {}).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'validation_failed', param: 'campaign' });
  });
});
