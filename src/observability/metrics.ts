// Prometheus metrics of one engine instance (L2-08 §10 plus kill switch, audit, bus and
// alerts), by Prometheus's conventions: one prefix (`ordinis_`), base units (`_seconds`),
// `_total` on counters. The trading figures (equity, positions, orders) are trading-metrics.ts. Each engine gets its own Registry, never prom-client's global default, so two
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

/** A cycle (seconds): sub-ms in a backtest, up to the 5 s budget live. */
export const CYCLE_DURATION_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** A stage (seconds): budgets run from 250 ms to 1.5 s. */
export const STAGE_DURATION_BUCKETS_SECONDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Bus dispatch (seconds): the target is p95 < 5 ms. */
export const DISPATCH_DURATION_BUCKETS_SECONDS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1];

/** Every metric of ours starts with this (Prometheus: one prefix per application). */
export const METRIC_PREFIX = 'ordinis_';

/** Callers time in ms (performance.now()); Prometheus wants the base unit. */
const seconds = (ms: number): number => ms / 1000;

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
  cyclesTotal: Counter<'status'>;
  cycleDurationSeconds: Histogram;
  stageDurationSeconds: Histogram<'stage'>;
  stageFailuresTotal: Counter<'stage' | 'error_code'>;
  stageRetriesTotal: Counter<'stage'>;
  cyclesSkippedTotal: Counter<'reason'>;
  consecutiveFailedCycles: Gauge;
  killSwitchActive: Gauge;
  killSwitchActivationsTotal: Counter<'reason'>;
  auditFailuresTotal: Counter;
  alertsTotal: Counter<'alert'>;
  busPublishedTotal: Counter<'topic'>;
  busDeliveredTotal: Counter;
  busFailedTotal: Counter;
  busDeadLetteredTotal: Counter;
  busBackpressureTotal: Counter<'topic'>;
  busDispatchDurationSeconds: Histogram;
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
    cyclesTotal: new Counter({ name: 'ordinis_cycles_total', help: 'Cycles finished, by status', labelNames: ['status'], registers }),
    cycleDurationSeconds: new Histogram({ name: 'ordinis_cycle_duration_seconds', help: 'Cycle wall time', buckets: CYCLE_DURATION_BUCKETS_SECONDS, registers }),
    stageDurationSeconds: new Histogram({ name: 'ordinis_stage_duration_seconds', help: 'Stage wall time including retries', labelNames: ['stage'], buckets: STAGE_DURATION_BUCKETS_SECONDS, registers }),
    stageFailuresTotal: new Counter({ name: 'ordinis_stage_failures_total', help: 'Stage failures, by stage and error code', labelNames: ['stage', 'error_code'], registers }),
    stageRetriesTotal: new Counter({ name: 'ordinis_stage_retries_total', help: 'Stage retries, by stage', labelNames: ['stage'], registers }),
    cyclesSkippedTotal: new Counter({ name: 'ordinis_cycles_skipped_total', help: 'Cycle triggers not run, by reason', labelNames: ['reason'], registers }),
    consecutiveFailedCycles: new Gauge({ name: 'ordinis_consecutive_failed_cycles', help: 'Failed cycles in a row (0 after a cycle that did not fail)', registers }),
    killSwitchActive: new Gauge({ name: 'ordinis_kill_switch_active', help: 'Kill switch: 1 ACTIVE, 0 INACTIVE', registers }),
    killSwitchActivationsTotal: new Counter({ name: 'ordinis_kill_switch_activations_total', help: 'Kill-switch activations, by reason', labelNames: ['reason'], registers }),
    auditFailuresTotal: new Counter({ name: 'ordinis_audit_failures_total', help: 'Audit records that could not be written or verified', registers }),
    alertsTotal: new Counter({ name: 'ordinis_alerts_total', help: 'Alerts raised, by alert', labelNames: ['alert'], registers }),
    busPublishedTotal: new Counter({ name: 'ordinis_bus_published_total', help: 'Events accepted by the bus, by topic', labelNames: ['topic'], registers }),
    busDeliveredTotal: new Counter({ name: 'ordinis_bus_delivered_total', help: 'Handler invocations that succeeded', registers }),
    busFailedTotal: new Counter({ name: 'ordinis_bus_failed_total', help: 'Handler invocations that failed', registers }),
    busDeadLetteredTotal: new Counter({ name: 'ordinis_bus_dead_lettered_total', help: 'Deliveries dead-lettered after their retries', registers }),
    busBackpressureTotal: new Counter({ name: 'ordinis_bus_backpressure_total', help: 'Publishes refused because a queue was full, by topic', labelNames: ['topic'], registers }),
    busDispatchDurationSeconds: new Histogram({ name: 'ordinis_bus_dispatch_duration_seconds', help: 'Publish to first handler start', buckets: DISPATCH_DURATION_BUCKETS_SECONDS, registers }),
  };
  if (options.processMetrics) collectDefaultMetrics({ register: registry });

  // Finite label sets: bound now, and zero-initialised so rate() sees every series from the start.
  const cycleByStatus = Object.fromEntries(
    CYCLE_STATUSES.map((s) => {
      const child = raw.cyclesTotal.labels({ status: s });
      child.inc(0);
      return [s, child];
    }),
  ) as Record<CycleStatusLabel, { inc(): void }>;
  const stageLatency = perStage((stage) => {
    raw.stageDurationSeconds.zero({ stage });
    return raw.stageDurationSeconds.labels({ stage });
  });
  const dispatchLatency = (ms: number) => raw.busDispatchDurationSeconds.observe(seconds(ms));
  const stageRetry = perStage((stage) => {
    const child = raw.stageRetriesTotal.labels({ stage });
    child.inc(0);
    return child;
  });
  const stageFail = perStage((stage) => childCache((code) => raw.stageFailuresTotal.labels({ stage, error_code: code })));
  const skipped = childCache((reason) => raw.cyclesSkippedTotal.labels({ reason }));
  const killActivations = childCache((reason) => raw.killSwitchActivationsTotal.labels({ reason }));
  const alerts = childCache((alert) => raw.alertsTotal.labels({ alert }));
  const published = childCache((topic) => raw.busPublishedTotal.labels({ topic }));
  const backpressure = childCache((topic) => raw.busBackpressureTotal.labels({ topic }));

  const bus: BusMetrics = {
    published: (topic) => published(topic).inc(),
    delivered: () => raw.busDeliveredTotal.inc(),
    failed: () => raw.busFailedTotal.inc(),
    deadLettered: () => raw.busDeadLetteredTotal.inc(),
    backpressure: (topic) => backpressure(topic).inc(),
    dispatchLatency: (ms) => dispatchLatency(ms),
    onBusMetric: (m) => {
      switch (m.kind) {
        case 'published':
          published(m.topic).inc();
          break;
        case 'delivered':
          raw.busDeliveredTotal.inc();
          break;
        case 'failed':
          raw.busFailedTotal.inc();
          break;
        case 'dead_lettered':
          raw.busDeadLetteredTotal.inc();
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
      raw.cycleDurationSeconds.observe(seconds(latencyMs));
    },
    stageLatency: (stage, ms) => stageLatency[stage].observe(seconds(ms)),
    stageFailed: (stage, errorCode) => stageFail[stage](errorCode).inc(),
    stageRetried: (stage) => stageRetry[stage].inc(),
    cycleSkipped: (reason) => skipped(reason).inc(),
    setConsecutiveFailedCycles: (n) => raw.consecutiveFailedCycles.set(n),
    setKillState: (active) => raw.killSwitchActive.set(active ? 1 : 0),
    killActivated: (reason) => killActivations(reason).inc(),
    auditFailed: () => raw.auditFailuresTotal.inc(),
    alertRaised: (alert) => alerts(alert).inc(),
  };
}
