// Trace names and attribute keys shared by the engines and the tests. Imports only
// @opentelemetry/api: engines may import this file; the SDK lives in tracing.ts, at the edge.

import { trace, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { STAGE_ORDER, type StageName } from './stage-contract.ts';

export const TRACER_NAME = 'ordinis.orch';

/** Root span of a cycle (L2-08 §10). */
export const CYCLE_SPAN = 'orch.cycle';

/** Root span of a backtest run: its cycles (when traced) are beneath it (L2-08 §3). */
export const BACKTEST_SPAN = 'orch.backtest';

/** Child span per stage, `orch.stage.<name>`; precomputed so the hot path builds no strings. */
export const STAGE_SPANS: Readonly<Record<StageName, string>> = Object.freeze(
  Object.fromEntries(STAGE_ORDER.map((s) => [s, `orch.stage.${s}`])) as Record<StageName, string>,
);

/** Span attribute keys (the `ordinis.` namespace). */
export const ATTR = Object.freeze({
  correlationId: 'ordinis.correlation_id',
  mode: 'ordinis.mode',
  trigger: 'ordinis.trigger',
  stage: 'ordinis.stage',
  attempt: 'ordinis.attempt',
  status: 'ordinis.status',
  errorCode: 'ordinis.error_code',
} as const);

/**
 * The tracer engines use. Given a provider (as setupTracing returns), it does not depend on
 * the global registration, so tests can run several providers side by side; without one it
 * is the global API tracer, a no-op until an entry point installs the SDK.
 */
export function getTracer(provider?: TracerProvider, version?: string): Tracer {
  return (provider ?? trace.getTracerProvider()).getTracer(TRACER_NAME, version);
}
