import { useEffect, useRef, useState } from 'react';
import { ApiError, type AppEvent } from '../api.js';
import { useApi } from '../api-context.js';
import { SseParser } from './sse-parser.js';

/** The most rows the tail keeps; older ones drop off the end, so a busy app cannot grow the page without end. */
export const MAX_ROWS = 200;
/** Waits before reconnecting, growing with each failure in a row. */
const RETRY_MS = [500, 1000, 2000, 4000, 5000];
/** The server sends a comment every 15 s; this long without anything means the connection died unnoticed. */
const SILENCE_MS = 40_000;

export type TailState = 'connecting' | 'connected' | 'reconnecting' | 'paused' | 'stopped';

export interface LiveTail {
  state: TailState;
  events: AppEvent[];
  /** How many times the stream came back after a break. */
  reconnects: number;
  /** Why the tail stopped or is waiting (a refusal, a limit). */
  problem: string | undefined;
}

/**
 * The app's new events as the server streams them (GET /v1/events/stream). When the stream breaks — the server
 * restarted, the network dropped, a proxy closed it — it connects again with `after=` the last id it saw (and
 * Last-Event-ID), so nothing is missed and nothing comes twice. Pausing closes the stream; resuming picks up after
 * the last event shown, so the events of the pause arrive then.
 */
export function useLiveTail(appId: string, type: string | undefined, paused: boolean): LiveTail {
  const api = useApi();
  const [state, setState] = useState<TailState>('connecting');
  const [events, setEvents] = useState<AppEvent[]>([]);
  const [reconnects, setReconnects] = useState(0);
  const [problem, setProblem] = useState<string>();
  // The cursor outlives each connection and a pause. A new app or type is a new tail: the caller keys the
  // component by them, so this state starts afresh.
  const lastId = useRef<string | undefined>(undefined);

  useEffect(() => {
    if (paused) {
      setState('paused');
      return;
    }
    setState('connecting');
    const stop = new AbortController();
    let failures = 0;
    let connectedOnce = false;

    async function connectOnce(): Promise<void> {
      const attempt = new AbortController();
      const abort = () => attempt.abort();
      stop.signal.addEventListener('abort', abort, { once: true });
      let watchdog = setTimeout(abort, SILENCE_MS);
      try {
        const after = lastId.current;
        const response = await api.openStream('/events/stream', {
          app: appId,
          query: { type, after },
          headers: after ? { 'last-event-id': after } : {},
          signal: attempt.signal,
        });
        if (connectedOnce) setReconnects((n) => n + 1);
        connectedOnce = true;
        failures = 0;
        setState('connected');
        setProblem(undefined);
        const parser = new SseParser();
        const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          clearTimeout(watchdog);
          watchdog = setTimeout(abort, SILENCE_MS);
          const fresh: AppEvent[] = [];
          for (const message of parser.push(value)) {
            if (message.id) lastId.current = message.id;
            if (message.data) fresh.push(JSON.parse(message.data) as AppEvent);
          }
          if (fresh.length > 0) setEvents((shown) => [...fresh.reverse(), ...shown].slice(0, MAX_ROWS));
        }
      } finally {
        clearTimeout(watchdog);
        stop.signal.removeEventListener('abort', abort);
      }
    }

    (async () => {
      while (!stop.signal.aborted) {
        try {
          await connectOnce();
        } catch (error) {
          if (stop.signal.aborted) return;
          if (error instanceof ApiError && error.status === 401) {
            setState('stopped');
            setProblem('Your session ended. Sign in again to follow the events.');
            return;
          }
          if (error instanceof ApiError && error.status === 400) {
            setState('stopped');
            setProblem(error.message);
            return;
          }
          // A refused or dropped connection, or too many streams open: wait, then try again.
          if (error instanceof ApiError && error.code === 'rate_limited') setProblem(error.message);
          failures += 1;
        }
        if (stop.signal.aborted) return;
        setState('reconnecting');
        await sleep(RETRY_MS[Math.min(failures, RETRY_MS.length - 1)]!, stop.signal);
      }
    })();
    return () => stop.abort();
  }, [api, appId, type, paused]);

  return { state, events, reconnects, problem };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
