// Prometheus metrics of one engine instance (L2-08 §10 plus kill switch, audit, bus and
// alerts). Each engine gets its own Registry, never prom-client's global default, so two
// engines (or two tests) never share counters.
//
// The helpers take typed label values and use label children bound once, up front for finite
// label sets (stage, cycle status) and on first use for open ones (error code, topic, reason).
// Only prom-client's public API is used: where nobody scrapes (a backtest), the per-cycle
// metrics layer is not composed at all, rather than made cheaper here.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { STAGE_ORDER, type StageName } from '../kernel/stage-contract.ts';
import type { ErrorCode } from '../errors.ts';

export const CYCLE_STATUSES = ['ok', 'degraded', 'failed', 'blocked'] as const;
export type CycleStatusLabel = (typeof CYCLE_STATUSES)[number];

/** A cycle: sub-ms in a backtest, up to the 5 s budget live. */
export const CYCLE_LATENCY_BUCKETS_MS = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
/** A stage: budgets run from 250 ms to 1.5 s. */
export const STAGE_LATENCY_BUCKETS_MS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];
/** Bus dispatch: the target is p95 < 5 ms. */
export const DISPATCH_LATENCY_BUCKETS_MS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100];

/** What the bus reports (structurally the in-memory bus's BusMetric; only these fields are read). */
export interface BusMetricLike {
  kind: string;
  topic: string;
  dispatchLatencyMs?: number;
}

export interface BusMetrics {
  published(topic: string): void;
  delivered(): void;
  failed(): void;
  deadLettered(): void;
  backpressure(topic: string): void;
  dispatchLatency(ms: number): void;
  /** Pass as the in-memory bus's `onMetric`: maps its metric kinds onto the counters above. */
  readonly onBusMetric: (metric: BusMetricLike) => void;
}

export interface OrchMetrics {
  readonly registry: Registry;
  cycleFinished(status: CycleStatusLabel, latencyMs: number): void;
  stageLatency(stage: StageName, ms: number): void;
  stageFailed(stage: StageName, errorCode: ErrorCode): void;
  stageRetried(stage: StageName): void;
  cycleSkipped(reason: string): void;
  setConsecutiveFailedCycles(n: number): void;
  setKillState(active: boolean): void;
  killActivated(reason: string): void;
  auditFailed(): void;
  alertRaised(alert: string): void;
  readonly bus: BusMetrics;
  /** The prom-client objects, for anything the helpers do not cover. */
  readonly raw: OrchMetricObjects;
}

export interface OrchMetricObjects {
  cycleTotal: Counter<'status'>;
  cycleLatencyMs: Histogram;
  stageLatencyMs: Histogram<'stage'>;
  stageFailTotal: Counter<'stage' | 'error_code'>;
  stageRetryTotal: Counter<'stage'>;
  cycleSkippedTotal: Counter<'reason'>;
  consecutiveFailedCycles: Gauge;
  killState: Gauge;
  killActivationsTotal: Counter<'reason'>;
  auditFailuresTotal: Counter;
  alertsTotal: Counter<'alert'>;
  sbPublishedTotal: Counter<'topic'>;
  sbDeliveredTotal: Counter;
  sbFailedTotal: Counter;
  sbDlqTotal: Counter;
  sbBackpressureTotal: Counter<'topic'>;
  sbDispatchLatencyMs: Histogram;
}

export interface OrchMetricsOptions {
  /** Also collect prom-client's process metrics (CPU, memory, event loop) into this registry. */
  processMetrics?: boolean;
}

/** Label children for an open label set, bound on first use. */
function childCache<C>(bind: (value: string) => C): (value: string) => C {
  const cache = new Map<string, C>();
  return (value) => {
    let c = cache.get(value);
    if (c === undefined) {
      c = bind(value);
      cache.set(value, c);
    }
    return c;
  };
}

function perStage<C>(bind: (stage: StageName) => C): Record<StageName, C> {
  return Object.fromEntries(STAGE_ORDER.map((s) => [s, bind(s)])) as Record<StageName, C>;
}

export function createOrchMetrics(registry: Registry = new Registry(), options: OrchMetricsOptions = {}): OrchMetrics {
  const registers = [registry];
  const raw: OrchMetricObjects = {
    cycleTotal: new Counter({ name: 'orch_cycle_total', help: 'Cycles finished, by status', labelNames: ['status'], registers }),
    cycleLatencyMs: new Histogram({ name: 'orch_cycle_latency_ms', help: 'Cycle wall time (ms)', buckets: CYCLE_LATENCY_BUCKETS_MS, registers }),
    stageLatencyMs: new Histogram({ name: 'orch_stage_latency_ms', help: 'Stage wall time including retries (ms)', labelNames: ['stage'], buckets: STAGE_LATENCY_BUCKETS_MS, registers }),
    stageFailTotal: new Counter({ name: 'orch_stage_fail_total', help: 'Stage failures, by stage and error code', labelNames: ['stage', 'error_code'], registers }),
    stageRetryTotal: new Counter({ name: 'orch_stage_retry_total', help: 'Stage retries, by stage', labelNames: ['stage'], registers }),
    cycleSkippedTotal: new Counter({ name: 'orch_cycle_skipped_total', help: 'Cycle triggers not run, by reason', labelNames: ['reason'], registers }),
    consecutiveFailedCycles: new Gauge({ name: 'orch_consecutive_failed_cycles', help: 'Failed cycles in a row (0 after a cycle that did not fail)', registers }),
    killState: new Gauge({ name: 'kill_state', help: 'Kill switch: 1 ACTIVE, 0 INACTIVE', registers }),
    killActivationsTotal: new Counter({ name: 'kill_activations_total', help: 'Kill-switch activations, by reason', labelNames: ['reason'], registers }),
    auditFailuresTotal: new Counter({ name: 'audit_failures_total', help: 'Audit records that could not be written or verified', registers }),
    alertsTotal: new Counter({ name: 'alerts_total', help: 'Alerts raised, by alert', labelNames: ['alert'], registers }),
    sbPublishedTotal: new Counter({ name: 'sb_published_total', help: 'Events accepted by the bus, by topic', labelNames: ['topic'], registers }),
    sbDeliveredTotal: new Counter({ name: 'sb_delivered_total', help: 'Handler invocations that succeeded', registers }),
    sbFailedTotal: new Counter({ name: 'sb_failed_total', help: 'Handler invocations that failed', registers }),
    sbDlqTotal: new Counter({ name: 'sb_dlq_total', help: 'Deliveries dead-lettered after their retries', registers }),
    sbBackpressureTotal: new Counter({ name: 'sb_backpressure_total', help: 'Publishes refused because a queue was full, by topic', labelNames: ['topic'], registers }),
    sbDispatchLatencyMs: new Histogram({ name: 'sb_dispatch_latency_ms', help: 'Publish to first handler start (ms)', buckets: DISPATCH_LATENCY_BUCKETS_MS, registers }),
  };
  if (options.processMetrics) collectDefaultMetrics({ register: registry });

  // Finite label sets: bound now, and zero-initialised so rate() sees every series from the start.
  const cycleByStatus = Object.fromEntries(
    CYCLE_STATUSES.map((s) => {
      const child = raw.cycleTotal.labels({ status: s });
      child.inc(0);
      return [s, child];
    }),
  ) as Record<CycleStatusLabel, { inc(): void }>;
  const stageLatency = perStage((stage) => {
    raw.stageLatencyMs.zero({ stage });
    return raw.stageLatencyMs.labels({ stage });
  });
  const dispatchLatency = (ms: number) => raw.sbDispatchLatencyMs.observe(ms);
  const stageRetry = perStage((stage) => {
    const child = raw.stageRetryTotal.labels({ stage });
    child.inc(0);
    return child;
  });
  const stageFail = perStage((stage) => childCache((code) => raw.stageFailTotal.labels({ stage, error_code: code })));
  const skipped = childCache((reason) => raw.cycleSkippedTotal.labels({ reason }));
  const killActivations = childCache((reason) => raw.killActivationsTotal.labels({ reason }));
  const alerts = childCache((alert) => raw.alertsTotal.labels({ alert }));
  const published = childCache((topic) => raw.sbPublishedTotal.labels({ topic }));
  const backpressure = childCache((topic) => raw.sbBackpressureTotal.labels({ topic }));

  const bus: BusMetrics = {
    published: (topic) => published(topic).inc(),
    delivered: () => raw.sbDeliveredTotal.inc(),
    failed: () => raw.sbFailedTotal.inc(),
    deadLettered: () => raw.sbDlqTotal.inc(),
    backpressure: (topic) => backpressure(topic).inc(),
    dispatchLatency: (ms) => dispatchLatency(ms),
    onBusMetric: (m) => {
      switch (m.kind) {
        case 'published':
          published(m.topic).inc();
          break;
        case 'delivered':
          raw.sbDeliveredTotal.inc();
          break;
        case 'failed':
          raw.sbFailedTotal.inc();
          break;
        case 'dead_lettered':
          raw.sbDlqTotal.inc();
          break;
        case 'backpressure':
          backpressure(m.topic).inc();
          break;
        case 'dispatched':
          if (m.dispatchLatencyMs !== undefined) dispatchLatency(m.dispatchLatencyMs);
          break;
        default:
          break;
      }
    },
  };

  return {
    registry,
    raw,
    bus,
    cycleFinished(status, latencyMs) {
      cycleByStatus[status].inc();
      raw.cycleLatencyMs.observe(latencyMs);
    },
    stageLatency: (stage, ms) => stageLatency[stage].observe(ms),
    stageFailed: (stage, errorCode) => stageFail[stage](errorCode).inc(),
    stageRetried: (stage) => stageRetry[stage].inc(),
    cycleSkipped: (reason) => skipped(reason).inc(),
    setConsecutiveFailedCycles: (n) => raw.consecutiveFailedCycles.set(n),
    setKillState: (active) => raw.killState.set(active ? 1 : 0),
    killActivated: (reason) => killActivations(reason).inc(),
    auditFailed: () => raw.auditFailuresTotal.inc(),
    alertRaised: (alert) => alerts(alert).inc(),
  };
}
