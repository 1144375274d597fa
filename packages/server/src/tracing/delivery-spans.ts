/**
 * The spans of the outbox: one per attempt to send a message, a child of the request that queued it (its trace
 * context is stored on the row, storage/outbox-rows.ts), and for a webhook the POST's own span. Attributes hold ids
 * and outcomes only: never a recipient's address or number, a payload, a link, a code or a secret.
 */
import {
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { OutboxRow } from '../storage/rows.js';
import { tracer } from './tracer.js';

const SPAN_NAMES: Record<string, string> = {
  email: 'deliver email',
  phone: 'deliver sms',
  webhook: 'send webhook',
};

/**
 * Runs `send` inside the span of one attempt at `row`. The span continues the stored trace even on a retry days
 * later: the whole life of a message, every attempt included, reads as one trace from the request that queued it
 * (docs/decisions.md). A row queued without tracing starts a trace of its own.
 */
export function withSendSpan<T>(row: OutboxRow, send: () => Promise<T>): Promise<T> {
  const parent = row.trace_parent
    ? propagation.extract(ROOT_CONTEXT, {
        traceparent: row.trace_parent,
        ...(row.trace_state ? { tracestate: row.trace_state } : {}),
      })
    : ROOT_CONTEXT;
  const attributes = {
    'latchkey.message_id': row.id,
    'latchkey.app_id': row.app_id,
    'latchkey.channel': row.channel,
    'latchkey.attempt': row.attempts,
    ...(row.link_id === null ? {} : { 'latchkey.link_id': row.link_id }),
    // A webhook row's recipient is the endpoint's id and its payload the event's; other rows' are an address and a
    // sealed message, which stay out.
    ...(row.channel === 'webhook'
      ? { 'latchkey.webhook_endpoint_id': row.recipient, 'latchkey.event_id': row.payload }
      : {}),
  };
  const name = SPAN_NAMES[row.channel] ?? `deliver ${row.channel}`;
  return tracer().startActiveSpan(name, { kind: SpanKind.CONSUMER, attributes }, parent, async (span) => {
    try {
      return await send();
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.setAttribute('error.type', error instanceof Error ? error.name : 'unknown');
      throw error;
    } finally {
      span.end();
    }
  });
}

export type SendOutcome = 'sent' | 'retry' | 'failed';

/** Notes on the current attempt's span how it ended: sent, to be retried, or given up. */
export function noteSendOutcome(outcome: SendOutcome): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  span.setAttribute('latchkey.outcome', outcome);
  if (outcome !== 'sent') span.setStatus({ code: SpanStatusCode.ERROR });
}

export interface OutgoingRequest {
  /** `traceparent` (and `tracestate`) of the request's span, for the receiver's own trace; empty when not tracing. */
  headers: Record<string, string>;
  /** Ends the span with the answer's status, or with why there was none. */
  end(answer: { status: number } | { error: string }): void;
}

/**
 * The span of an outgoing HTTP request. It names the destination's host and port, not its URL: a webhook URL's path
 * and query often carry a secret of the receiver's.
 */
export function startOutgoingRequest(method: string, url: URL): OutgoingRequest {
  const span: Span = tracer().startSpan(method, {
    kind: SpanKind.CLIENT,
    attributes: {
      'http.request.method': method,
      'server.address': url.hostname,
      'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      'url.scheme': url.protocol.replace(/:$/, ''),
    },
  });
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), headers);
  return {
    headers: pick(headers, ['traceparent', 'tracestate']),
    end(answer) {
      if ('status' in answer) {
        span.setAttribute('http.response.status_code', answer.status);
        if (answer.status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
      } else {
        span.setAttribute('error.type', answer.error);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    },
  };
}

function pick(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => names.includes(name)));
}
