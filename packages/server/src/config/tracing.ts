/**
 * Whether to trace, read from the standard OpenTelemetry variables rather than settings of our own, so a deployment
 * configures Latchkey like any other traced service. Tracing is off unless asked for: an exporter named in
 * OTEL_TRACES_EXPORTER, or an OTLP endpoint given. The exporter reads its own variables (endpoint, headers,
 * timeout), and the SDK its sampler and batch settings (OTEL_TRACES_SAMPLER, OTEL_BSP_*).
 */

export type TraceExporterName = 'otlp' | 'console';

export type TracingConfig =
  | { enabled: false }
  | { enabled: true; exporter: TraceExporterName; serviceName: string };

const EXPORTERS = new Set(['otlp', 'console', 'none']);

/** Answers the tracing settings, or the problems with them (each naming its variable). */
export function tracingConfig(env: NodeJS.ProcessEnv): { config: TracingConfig; problems: string[] } {
  const off = { config: { enabled: false } as const, problems: [] };
  const value = (name: string) => env[name]?.trim() || undefined;
  const disabled = value('OTEL_SDK_DISABLED');
  if (disabled !== undefined && !/^(true|false)$/i.test(disabled)) {
    return {
      ...off,
      problems: [`OTEL_SDK_DISABLED must be true or false; got ${JSON.stringify(disabled)}.`],
    };
  }
  if (disabled?.toLowerCase() === 'true') return off;
  const named = value('OTEL_TRACES_EXPORTER')
    ?.split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  const unknown = named?.filter((name) => !EXPORTERS.has(name)) ?? [];
  if (unknown.length > 0) {
    return {
      ...off,
      problems: [
        `OTEL_TRACES_EXPORTER must be otlp, console or none; got ${JSON.stringify(unknown.join(','))}.`,
      ],
    };
  }
  const protocol = value('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? value('OTEL_EXPORTER_OTLP_PROTOCOL');
  if (protocol === 'grpc') {
    return {
      ...off,
      problems: [
        'OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported: Latchkey sends traces over OTLP/HTTP (port 4318 of a collector). Set it to http/json, or leave it unset.',
      ],
    };
  }
  const endpoint = value('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? value('OTEL_EXPORTER_OTLP_ENDPOINT');
  // An explicit `none` wins over an endpoint: it is how the other OpenTelemetry SDKs read the pair too.
  const exporter: TraceExporterName | undefined =
    named !== undefined && named.length > 0
      ? named.includes('otlp')
        ? 'otlp'
        : named.includes('console')
          ? 'console'
          : undefined
      : endpoint !== undefined
        ? 'otlp'
        : undefined;
  if (exporter === undefined) return off;
  return {
    config: { enabled: true, exporter, serviceName: value('OTEL_SERVICE_NAME') ?? 'latchkey' },
    problems: [],
  };
}
