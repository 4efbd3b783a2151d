// Tracing set-up, for entry points only (CLI, server, tests). Engines import
// @opentelemetry/api (or spans.ts) and never this file, so with OBS_TRACES_EXPORTER=none no
// SDK is loaded and every span is the API's no-op.
//
//   otlp    -> BatchSpanProcessor(Deferred(OTLP/HTTP))     spans leave the process in batches,
//                                                          serialised between cycles
//   console -> SimpleSpanProcessor(StderrJsonSpanExporter) one JSON line per span on stderr
//   memory  -> SimpleSpanProcessor(InMemorySpanExporter)   tests read the finished spans
//   none    -> nothing installed
//
// Safe to call repeatedly: each call returns its own provider (use it through getTracer(
// provider) to stay independent of the global), and a later global registration replaces an
// earlier one made here.

import { StderrJsonSpanExporter } from './stderr-span-exporter.ts';
import { createRequire } from 'node:module';
import { context, trace, type Tracer } from '@opentelemetry/api';
import type {
  BasicTracerProvider,
  InMemorySpanExporter,
  Sampler,
  SpanExporter,
  SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { OrdinisError } from '../errors.ts';
import type { OrdinisConfig } from '../config/schema.ts';
import { AsyncLocalStorageContextManager } from './context-manager.ts';
import { DeferredSpanExporter } from './deferred-span-exporter.ts';
import { getTracer } from '../kernel/span-names.ts';

export const SERVICE_NAME = 'ordinis-orch';

export type TracesExporterKind = 'otlp' | 'console' | 'none' | 'memory';

export interface TracingOptions {
  exporter: TracesExporterKind;
  /** OTLP/HTTP traces URL (otlp only); the exporter's own default when omitted. */
  endpoint?: string;
  serviceName: string;
  serviceVersion?: string;
  /** Fraction of root traces sampled, 0..1 (default 1); child spans follow their parent. */
  sampleRatio?: number;
  /** Also register as the global tracer provider (default true). */
  registerGlobal?: boolean;
  /** Extra resource attributes (e.g. deployment profile). */
  resourceAttributes?: Record<string, string>;
  /**
   * Batch spans to this exporter instead of the one `exporter` names (a custom transport, or
   * a counting exporter in the benchmarks: the production batching path without a network).
   * Ignored for `none`.
   */
  batchExporter?: SpanExporter;
}

export interface TracingHandle {
  /** undefined for `none`. */
  readonly provider: BasicTracerProvider | undefined;
  /** Set for `memory`: read spans with getFinishedSpans() (before shutdown, which clears them). */
  readonly memoryExporter?: InMemorySpanExporter;
  /** A tracer bound to this handle's provider (the API no-op for `none`). */
  readonly tracer: Tracer;
  forceFlush(): Promise<void>;
  /** Flushes and stops the provider and undoes its global registration. Idempotent. */
  shutdown(): Promise<void>;
}

/** The provider this module registered globally, if any. */
let globalProvider: BasicTracerProvider | undefined;
let contextManagerInstalled = false;

function installContextManager(): void {
  if (contextManagerInstalled) return;
  // false means another context manager is already installed; it is kept.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager());
  contextManagerInstalled = true;
}

function sampler(ratio: number): Sampler {
  if (!(ratio >= 0 && ratio <= 1)) throw new OrdinisError('E_CFG_INVALID', `trace sample ratio: got ${ratio}; expected a number in [0, 1]`);
  const { ParentBasedSampler, AlwaysOnSampler, TraceIdRatioBasedSampler } = sdk();
  return new ParentBasedSampler({ root: ratio === 1 ? new AlwaysOnSampler() : new TraceIdRatioBasedSampler(ratio) });
}

// The SDK (about 0.1 s to load), the resource helpers and the OTLP exporter's transport stack
// (about 0.15 s more) load only when tracing is switched on: with the default exporter
// `none` a command starts without them (the main job is mostly start-up).
const requireLazy = createRequire(import.meta.url);
type SdkModule = typeof import('@opentelemetry/sdk-trace-base');
type OtlpModule = typeof import('@opentelemetry/exporter-trace-otlp-http');
const sdk = (): SdkModule => requireLazy('@opentelemetry/sdk-trace-base') as SdkModule;

function processorFor(options: TracingOptions): { processor: SpanProcessor; memoryExporter?: InMemorySpanExporter } {
  const { BatchSpanProcessor, SimpleSpanProcessor, InMemorySpanExporter } = sdk();
  // Batches are exported on the next turn, not inside the span.end() that filled one (see
  // DeferredSpanExporter).
  if (options.batchExporter) return { processor: new BatchSpanProcessor(new DeferredSpanExporter(options.batchExporter)) };
  switch (options.exporter) {
    case 'otlp': {
      const { OTLPTraceExporter } = requireLazy('@opentelemetry/exporter-trace-otlp-http') as OtlpModule;
      const exporter = new OTLPTraceExporter(options.endpoint !== undefined ? { url: options.endpoint } : {});
      return { processor: new BatchSpanProcessor(new DeferredSpanExporter(exporter)) };
    }
    case 'console':
      return { processor: new SimpleSpanProcessor(new StderrJsonSpanExporter()) };
    case 'memory': {
      const memoryExporter = new InMemorySpanExporter();
      return { processor: new SimpleSpanProcessor(memoryExporter), memoryExporter };
    }
    case 'none':
      throw new Error('unreachable');
  }
}

export function setupTracing(options: TracingOptions): TracingHandle {
  if (options.exporter === 'none') {
    return { provider: undefined, tracer: getTracer(), forceFlush: async () => {}, shutdown: async () => {} };
  }
  const { processor, memoryExporter } = processorFor(options);
  const { resourceFromAttributes } = requireLazy('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } = requireLazy('@opentelemetry/semantic-conventions') as typeof import('@opentelemetry/semantic-conventions');
  const provider = new (sdk().BasicTracerProvider)({
    resource: resourceFromAttributes({
      ...options.resourceAttributes,
      [ATTR_SERVICE_NAME]: options.serviceName,
      ...(options.serviceVersion ? { [ATTR_SERVICE_VERSION]: options.serviceVersion } : {}),
    }),
    sampler: sampler(options.sampleRatio ?? 1),
    spanProcessors: [processor],
  });

  installContextManager();
  if (options.registerGlobal ?? true) {
    if (globalProvider) trace.disable();
    trace.setGlobalTracerProvider(provider);
    globalProvider = provider;
  }

  let stopping: Promise<void> | undefined;
  return {
    provider,
    ...(memoryExporter ? { memoryExporter } : {}),
    tracer: getTracer(provider),
    forceFlush: () => provider.forceFlush(),
    shutdown: () => {
      stopping ??= (async () => {
        if (globalProvider === provider) {
          trace.disable();
          globalProvider = undefined;
        }
        await provider.shutdown();
      })();
      return stopping;
    },
  };
}

/** The tracing options a loaded configuration asks for. */
export function tracingOptionsFromConfig(
  config: Pick<OrdinisConfig, 'OBS_TRACES_EXPORTER' | 'OBS_OTLP_ENDPOINT' | 'OBS_TRACE_SAMPLE_RATIO' | 'ORCH_PROFILE'>,
  serviceName: string = SERVICE_NAME,
): TracingOptions {
  return {
    exporter: config.OBS_TRACES_EXPORTER,
    endpoint: config.OBS_OTLP_ENDPOINT,
    serviceName,
    sampleRatio: config.OBS_TRACE_SAMPLE_RATIO,
    resourceAttributes: { 'deployment.environment.name': config.ORCH_PROFILE },
  };
}
