import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ObservedQuery, QueryObserver } from '../storage/query-observer.js';
import { tracer } from './tracer.js';

/** The `db.system.name` values of OpenTelemetry's semantic conventions. */
const SYSTEMS = { sqlite: 'sqlite', postgres: 'postgresql' } as const;

/**
 * A span per SQL statement, a child of whatever span is active (the request's, a send's). It names the statement's
 * kind and first table, never its text or parameters: a token's hash, an address or a sealed payload pass through
 * them, and literals in the text could too.
 */
export function queryObserver(): QueryObserver {
  return {
    onQuery(query) {
      const summary = summaryOf(query);
      const span = tracer().startSpan(summary, {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system.name': SYSTEMS[query.dialect],
          'db.operation.name': query.operation,
          'db.query.summary': summary,
          ...(query.table === undefined ? {} : { 'db.collection.name': query.table }),
        },
      });
      return (outcome) => {
        if (outcome.rows !== undefined) {
          span.setAttribute('db.response.returned_rows', outcome.rows);
        } else {
          // The error's class only: a database's message can quote the values of a row.
          span.setAttribute('error.type', errorType(outcome.error));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        span.end();
      };
    },
  };
}

function summaryOf(query: ObservedQuery): string {
  return query.table === undefined ? query.operation : `${query.operation} ${query.table}`;
}

function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code)) return code;
  return error instanceof Error ? error.name : 'unknown';
}
