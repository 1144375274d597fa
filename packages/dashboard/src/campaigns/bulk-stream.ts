/**
 * A real bulk run, read as it happens: the API answers NDJSON, one line per row as its batch commits, then the
 * summary (docs/api.md "Bulk creation"). Reading the response body as a stream is what lets the progress bar move.
 */
import type { DashboardApi } from '../api.js';
import type { BulkRowResult, BulkSummary } from './campaign-types.js';

export interface BulkRunInput {
  name: string;
  send: boolean;
  requests: Array<Record<string, unknown>>;
}

export interface BulkProgress {
  done: number;
  failed: BulkRowResult[];
}

export async function runBulk(
  api: DashboardApi,
  appId: string,
  input: BulkRunInput,
  onProgress: (progress: BulkProgress) => void,
): Promise<BulkSummary> {
  const response = await api.v1Response('POST', '/magic-links/bulk', {
    app: appId,
    accept: 'application/x-ndjson',
    query: { campaign: input.name, send: input.send ? 'true' : undefined },
    body: input.requests,
  });
  if (!response.body) throw new Error('The server sent no progress. Look for the campaign in the list.');
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const progress: BulkProgress = { done: 0, failed: [] };
  let summary: BulkSummary | undefined;
  let buffered = '';
  const readLine = (line: string) => {
    if (line.trim() === '') return;
    const value = JSON.parse(line) as BulkRowResult | { summary: BulkSummary };
    if ('summary' in value) summary = value.summary;
    else {
      progress.done += 1;
      if (value.error) progress.failed.push(value);
    }
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += value;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) readLine(line);
    onProgress({ done: progress.done, failed: [...progress.failed] });
  }
  readLine(buffered);
  onProgress({ done: progress.done, failed: [...progress.failed] });
  if (!summary) {
    throw new Error(
      `The run stopped after ${progress.done} ${progress.done === 1 ? 'row' : 'rows'} without its summary. Open the campaign to see what was created.`,
    );
  }
  return summary;
}
