// The engine's EngineObserver implemented with metrics, alerts and logs: the orchestrator
// reports what happened; this turns it into counters, histograms, alert state and log lines.

import type { EngineObserver } from '../kernel/engine.ts';
import type { CycleResult, StageResult } from '../kernel/cycle-result.ts';
import type { ErrorCode } from '../errors.ts';
import type { StageName } from '../kernel/stage-contract.ts';
import type { OrchMetrics } from './metrics.ts';
import type { AlertMonitor } from './alerts.ts';
import type { Logger } from './logger.ts';

export interface EngineObserverDeps {
  metrics: OrchMetrics;
  alerts?: AlertMonitor;
  logger?: Logger;
  /** Log every cycle at info (paper/live) or only problems (backtests run 100k cycles). */
  logEveryCycle?: boolean;
}

export function createEngineObserver(deps: EngineObserverDeps): EngineObserver {
  const { metrics, alerts, logger } = deps;
  return {
    stageFinished(_correlationId: string, r: StageResult): void {
      metrics.stageLatency(r.stage, r.durationMs);
      if ((r.status === 'failed' || r.status === 'timed_out') && r.errorCode) metrics.stageFailed(r.stage, r.errorCode);
    },
    stageRetried(stage: StageName, errorCode: ErrorCode, delayMs: number): void {
      metrics.stageRetried(stage);
      logger?.warn({ stage, error_code: errorCode, delay_ms: delayMs }, `retrying ${stage}`);
    },
    cycleFinished(r: CycleResult): void {
      metrics.cycleFinished(r.status, r.durationMs);
      const audit = auditResult(r.stageResults);
      if (audit && (audit.status === 'failed' || audit.status === 'timed_out' || audit.status === 'blocked')) {
        metrics.auditFailed();
        alerts?.auditFailed({ correlationId: r.correlationId, ...(audit.errorCode ? { errorCode: audit.errorCode } : {}) });
      }
      alerts?.cycleFinished({ status: r.status, correlationId: r.correlationId, errorCodes: r.errors.map((e) => e.code) });
      if (!logger) return;
      const fields = { correlation_id: r.correlationId, trace_id: r.traceId, status: r.status, duration_ms: r.durationMs };
      if (r.status === 'failed') logger.error({ ...fields, errors: r.errors }, 'cycle failed');
      else if (r.status !== 'ok') logger.warn({ ...fields, block_reason: r.blockReason, errors: r.errors }, `cycle ${r.status}`);
      else if (deps.logEveryCycle) logger.info(fields, 'cycle ok');
    },
    cycleSkipped(reason: string): void {
      metrics.cycleSkipped(reason);
      logger?.warn({ reason }, 'cycle skipped');
    },
    warn(message: string, fields?: Record<string, unknown>): void {
      logger?.warn(fields ?? {}, message);
    },
  };
}

/** AUDIT's result in the cycle, if it has one: a loop, not `find` with a closure, as this runs every cycle. */
function auditResult(results: readonly StageResult[]): StageResult | undefined {
  for (const s of results) if (s.stage === 'AUDIT') return s;
  return undefined;
}

/** What observeKillSwitch needs of a kill switch (kept structural so observability does not import it). */
export interface ObservableKillSwitch {
  isActive(): boolean;
  onChange(listener: (s: { state: string; reason: string | null; actor: string | null }, change: 'activated' | 'deactivated') => void): () => void;
}

/**
 * Keeps `ordinis_kill_switch_active` true to the switch, counts activations by reason, and raises the
 * kill-switch alert (logged at error level) on every activation.
 */
export function observeKillSwitch(kill: ObservableKillSwitch, metrics: OrchMetrics, alerts?: AlertMonitor): () => void {
  metrics.setKillState(kill.isActive());
  return kill.onChange((s, change) => {
    metrics.setKillState(s.state === 'ACTIVE');
    if (change !== 'activated') return;
    const reason = s.reason ?? 'unspecified';
    metrics.killActivated(reasonLabel(reason));
    alerts?.killActivated({ reason, ...(s.actor ? { actor: s.actor } : {}) });
  });
}

/** Metric labels must stay a small set: keep the reason's kind, not its free text. */
function reasonLabel(reason: string): string {
  const r = reason.toLowerCase();
  if (r.includes('audit')) return 'audit_failure';
  if (r.includes('ledger') || r.includes('invariant')) return 'ledger_invariant';
  if (r.includes('circuit')) return 'broker_circuit';
  if (r.includes('unreadable')) return 'state_unreadable';
  return 'operator';
}
