import { type Tracer, trace } from '@opentelemetry/api';

/**
 * The tracer every span of ours is made with, looked up at each use rather than kept: a kept one would stay tied to
 * the first provider registered, and a process may register one, shut it down and register another (tests do).
 * Without a provider it is the API's no-op tracer.
 */
export function tracer(): Tracer {
  return trace.getTracer('latchkey');
}
