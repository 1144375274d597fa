/**
 * OpenTelemetry tracing, set up only when the OTEL_* variables ask for it (config/tracing.ts). The SDK is loaded then
 * and only then, by dynamic import: a server that does not trace never loads it, and its spans cost nothing but the
 * calls to @opentelemetry/api's no-op tracer. What makes the spans: the request hooks (http/request-tracing.ts), the
 * statement observer (query-spans.ts) and the outbox's send spans (delivery-spans.ts).
 */
import { context, propagation, trace } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TracingConfig } from '../config/tracing.js';
import type { QueryObserver } from '../storage/query-observer.js';
import { queryObserver } from './query-spans.js';

export interface TracingOptions {
  /**
   * Where spans go instead of the configured exporter, one by one as they end (tests pass an in-memory exporter
   * here, so they run through this same setup).
   */
  exporter?: SpanExporter | undefined;
}

export interface Tracing {
  /** Gives every SQL statement a span (storage/query-observer.ts). */
  observer: QueryObserver;
  /** Sends the spans still buffered and unregisters the SDK once its last user is done. */
  shutdown(): Promise<void>;
}

interface Provider {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The SDK is global (one tracer provider, propagator and context manager per process), while a process may open more
 * than one runtime (tests do): they share it, and the last one to close shuts it down.
 */
let shared: Promise<Provider> | undefined;
let users = 0;

/** Starts tracing when the config asks for it; answers undefined (and loads nothing) when it does not. */
export async function startTracing(
  config: TracingConfig,
  options: TracingOptions = {},
): Promise<Tracing | undefined> {
  if (!config.enabled) return undefined;
  users++;
  shared ??= register(config, options);
  try {
    await shared;
  } catch (error) {
    users--;
    shared = undefined;
    throw error;
  }
  let closed = false;
  return {
    observer: queryObserver(),
    shutdown: async () => {
      if (closed) return;
      closed = true;
      await release();
    },
  };
}

/** Whether a tracer provider of ours is registered: the request hooks are installed only then. */
export function tracingActive(): boolean {
  return users > 0;
}

async function release(): Promise<void> {
  users--;
  const provider = await shared;
  if (users > 0) {
    await provider?.forceFlush();
    return;
  }
  shared = undefined;
  try {
    await provider?.shutdown();
  } finally {
    trace.disable();
    context.disable();
    propagation.disable();
  }
}

async function register(
  config: Extract<TracingConfig, { enabled: true }>,
  options: TracingOptions,
): Promise<Provider> {
  const [{ NodeTracerProvider }, base, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
  ]);
  const processor = options.exporter
    ? new base.SimpleSpanProcessor(options.exporter)
    : new base.BatchSpanProcessor(await configuredExporter(config, base));
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    spanProcessors: [processor],
  });
  // The async-hooks context manager (spans follow the request through awaits) and the W3C trace-context propagator
  // (`traceparent` in, out, and on outbox rows).
  provider.register();
  return provider;
}

async function configuredExporter(
  config: Extract<TracingConfig, { enabled: true }>,
  base: typeof import('@opentelemetry/sdk-trace-base'),
): Promise<SpanExporter> {
  if (config.exporter === 'console') return new base.ConsoleSpanExporter();
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  // Reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS and _TIMEOUT itself.
  return new OTLPTraceExporter();
}
