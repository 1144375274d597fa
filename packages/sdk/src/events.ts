import type { Transport } from './http.js';
import type { LatchkeyEvent, ListEventsParams, StreamEventsParams } from './types.js';

export const isoOf = (value: string | Date | undefined) =>
  value instanceof Date ? value.toISOString() : value;

/** How long to wait before reconnecting when the server sent no `retry:`. */
const DEFAULT_RETRY_MS = 3_000;

/** What happened in the app, newest first: the events webhooks deliver, and audit entries. */
export class Events {
  readonly #http: Transport;

  constructor(http: Transport) {
    this.#http = http;
  }

  /** Every event matching the filters, newest first, across pages. */
  list(params: ListEventsParams = {}): AsyncGenerator<LatchkeyEvent, void, undefined> {
    return this.#http.paginate<LatchkeyEvent>('/v1/events', {
      ...params,
      since: isoOf(params.since),
      until: isoOf(params.until),
    });
  }

  /** One event; its id is the `webhook-id` of its webhook deliveries. */
  get(id: string): Promise<LatchkeyEvent> {
    return this.#http.request({ method: 'GET', path: `/v1/events/${encodeURIComponent(id)}` });
  }

  /**
   * New events as they are written, oldest first, one to two seconds after each (`GET /v1/events/stream`). The
   * stream reconnects by itself when the connection drops, resuming after the last id it saw, so no event is missed
   * or seen twice. It ends when `signal` aborts or the loop over it stops (`break`); an error answer (a bad filter,
   * an unknown key, five streams already open for the key) is thrown as a LatchkeyError.
   */
  async *stream(params: StreamEventsParams = {}): AsyncGenerator<LatchkeyEvent, void, undefined> {
    const controller = new AbortController();
    const stop = () => controller.abort();
    params.signal?.addEventListener('abort', stop, { once: true });
    if (params.signal?.aborted) stop();
    let lastEventId: string | undefined;
    let retryMs = DEFAULT_RETRY_MS;
    try {
      while (!controller.signal.aborted) {
        const response = await this.#http
          .send({
            method: 'GET',
            path: '/v1/events/stream',
            query:
              lastEventId === undefined
                ? { type: params.type, after: params.after, since: isoOf(params.since) }
                : { type: params.type },
            headers: lastEventId === undefined ? undefined : { 'last-event-id': lastEventId },
            accept: 'text/event-stream',
            signal: controller.signal,
          })
          .catch((error: unknown) => {
            if (controller.signal.aborted) return undefined;
            throw error;
          });
        if (response === undefined) return;
        try {
          for await (const message of readMessages(response, controller.signal)) {
            if (message.retry !== undefined) retryMs = message.retry;
            if (message.id !== undefined) lastEventId = message.id;
            if (message.data !== undefined) yield JSON.parse(message.data) as LatchkeyEvent;
          }
        } catch (error) {
          // A connection that broke mid-stream is reconnected below; anything else is the caller's to see.
          if (!controller.signal.aborted && !(error instanceof TypeError)) throw error;
        }
        if (!controller.signal.aborted) await pause(retryMs, controller.signal);
      }
    } finally {
      params.signal?.removeEventListener('abort', stop);
      stop();
    }
  }
}

interface StreamMessage {
  id?: string;
  event?: string;
  data?: string;
  retry?: number;
}

/** The messages of a text/event-stream body, as the HTML standard parses them (comments skipped). */
async function* readMessages(response: Response, signal: AbortSignal): AsyncGenerator<StreamMessage> {
  if (!response.body) return;
  const reader = response.body.getReader();
  const cancel = () => void reader.cancel().catch(() => {});
  signal.addEventListener('abort', cancel, { once: true });
  const decoder = new TextDecoder();
  let buffer = '';
  let message: StreamMessage = {};
  let data: string[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      const lines = buffer.split(/\r\n|\r|\n/);
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') {
          if (data.length > 0) message.data = data.join('\n');
          if (Object.keys(message).length > 0) yield message;
          message = {};
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') data.push(value);
        else if (field === 'id') message.id = value;
        else if (field === 'event') message.event = value;
        else if (field === 'retry' && /^\d+$/.test(value)) message.retry = Number(value);
      }
    }
  } finally {
    signal.removeEventListener('abort', cancel);
    cancel();
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
