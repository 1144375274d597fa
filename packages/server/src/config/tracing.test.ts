import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import { tracingConfig } from './tracing.js';

const on = (exporter: 'otlp' | 'console', serviceName = 'latchkey') => ({
  config: { enabled: true, exporter, serviceName },
  problems: [],
});
const off = { config: { enabled: false }, problems: [] };

describe('tracing from the OTEL_* variables', () => {
  it('is off when nothing asks for it', () => {
    expect(tracingConfig({})).toEqual(off);
    expect(tracingConfig({ OTEL_SERVICE_NAME: 'auth' })).toEqual(off);
    expect(tracingConfig({ OTEL_TRACES_EXPORTER: '' })).toEqual(off);
  });

  it('is on with an exporter named, or an OTLP endpoint given', () => {
    expect(tracingConfig({ OTEL_TRACES_EXPORTER: 'otlp' })).toEqual(on('otlp'));
    expect(tracingConfig({ OTEL_TRACES_EXPORTER: ' Console ' })).toEqual(on('console'));
    expect(tracingConfig({ OTEL_TRACES_EXPORTER: 'console,otlp' })).toEqual(on('otlp'));
    expect(tracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual(on('otlp'));
    expect(tracingConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toEqual(
      on('otlp'),
    );
  });

  it('names the service latchkey unless OTEL_SERVICE_NAME says otherwise', () => {
    expect(tracingConfig({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SERVICE_NAME: 'auth-eu' })).toEqual(
      on('otlp', 'auth-eu'),
    );
    expect(tracingConfig({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SERVICE_NAME: '  ' })).toEqual(on('otlp'));
  });

  it('is off with the exporter none, or the SDK disabled, whatever else is set', () => {
    expect(
      tracingConfig({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }),
    ).toEqual(off);
    expect(tracingConfig({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' })).toEqual(off);
    expect(
      tracingConfig({ OTEL_SDK_DISABLED: 'TRUE', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }),
    ).toEqual(off);
    expect(tracingConfig({ OTEL_SDK_DISABLED: 'false', OTEL_TRACES_EXPORTER: 'otlp' })).toEqual(on('otlp'));
  });

  it('refuses exporters it does not have, gRPC, and a malformed switch, naming the variable', () => {
    expect(tracingConfig({ OTEL_TRACES_EXPORTER: 'zipkin' }).problems).toEqual([
      'OTEL_TRACES_EXPORTER must be otlp, console or none; got "zipkin".',
    ]);
    expect(
      tracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })
        .problems[0],
    ).toMatch(/^OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported/);
    expect(tracingConfig({ OTEL_SDK_DISABLED: 'yes' }).problems).toEqual([
      'OTEL_SDK_DISABLED must be true or false; got "yes".',
    ]);
  });

  it('is part of the config, and stops the start like any other wrong setting', () => {
    expect(loadConfig({}).tracing).toEqual({ enabled: false });
    expect(loadConfig({ OTEL_TRACES_EXPORTER: 'otlp' }).tracing).toEqual(on('otlp').config);
    expect(() => loadConfig({ OTEL_TRACES_EXPORTER: 'jaeger' })).toThrow(ConfigError);
  });
});
