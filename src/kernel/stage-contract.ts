// The contract between the orchestrator and the stages. A stage is a small object with a
// name and a `run`; it reads the outputs of earlier stages from its context and returns its
// own. It never calls the orchestrator or another stage: data flows one way.

import type { Clock } from '../core/clock.ts';
import type { RandomSource } from '../core/random.ts';
import type { MarketSnapshot } from '../domain/market.ts';
import type { FeatureSet } from '../domain/features.ts';
import type { Signal } from '../domain/signal.ts';
import type { RiskDecision } from '../domain/risk.ts';
import type { ExecutionBatch } from '../domain/order.ts';
import type { PortfolioSnapshot } from '../domain/portfolio.ts';
import type { AnalyticsReport, AuditCompleteness } from '../domain/analytics.ts';

/** The canonical order (L2-08 §7). Fixed: a stage can be disabled, never moved. */
export const STAGE_ORDER = ['ING', 'FEAT', 'SIG', 'RISK', 'EXEC', 'PORT', 'ANA', 'AUDIT'] as const;
/** A stage's name: ING, FEAT, SIG, RISK, EXEC, PORT, ANA, AUDIT. */
export type StageName = (typeof STAGE_ORDER)[number];

/** Which mode a pipeline runs in; only the adapters differ. */
export type RunMode = 'live' | 'paper' | 'backtest';

/** What each stage hands on: `ctx.data.SIG` in RISK is SIG's output, and so on. */
export interface StageOutputs {
  ING: MarketSnapshot;
  FEAT: FeatureSet;
  SIG: Signal[];
  RISK: RiskDecision[];
  EXEC: ExecutionBatch;
  PORT: PortfolioSnapshot;
  ANA: AnalyticsReport;
  AUDIT: AuditCompleteness;
}

/** What started a cycle. */
export interface CycleTrigger {
  kind: 'timer' | 'market' | 'manual' | 'backtest';
  /** The cycle's time (ms). Backtests pass the bar time; live/paper the clock's now. */
  at?: number;
  /** The triggering event's id, if any. */
  eventId?: string;
  payload?: Record<string, unknown>;
}

/** Read-only view of the kill switch, as stages see it (enforced by RISK and EXEC too). */
export interface KillSwitchGuard {
  /** Whether the kill switch is active. */
  isActive(): boolean;
}

/**
 * What a stage sees when it runs: the cycle's ids and time, its budget's abort signal, the clock, the seeded random source, the kill switch, and the earlier stages' outputs (`data`).
 */
export interface StageContext {
  readonly correlationId: string;
  readonly traceId: string;
  readonly mode: RunMode;
  readonly stage: StageName;
  /** 1-based attempt number (retries increase it). */
  readonly attempt: number;
  /** The cycle's time (ms): nothing a stage sees may be later than this. */
  readonly cycleTime: number;
  readonly cycleIndex: number;
  readonly trigger: CycleTrigger;
  /** Aborted when the stage's budget is spent; a stage should stop promptly. */
  readonly signal: AbortSignal;
  /**
   * Whether `signal` has fired. For checks on a hot path: reading it does not make the
   * signal (an AbortController costs microseconds to create, per attempt).
   */
  readonly aborted: boolean;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly kill: KillSwitchGuard;
  /** Outputs of the stages that already ran in this cycle. */
  readonly data: Readonly<Partial<StageOutputs>>;
}

/**
 * A stage: a name and a `run` that reads its context and returns its output (synchronously,
 * or a promise raced against its budget). Write one to replace a default engine.
 *
 * @example
 * ```ts
 * const myAna: Stage<'ANA'> = {
 *   name: 'ANA',
 *   run: (ctx) => ({ ts: ctx.cycleTime, equity: ctx.data.PORT!.equity, kpis, quality: [] }),
 * };
 * ```
 */
export interface Stage<N extends StageName = StageName> {
  readonly name: N;
  /** A sync return skips the timer race (cheap backtests); a promise is raced against the budget. */
  run(ctx: StageContext): StageOutputs[N] | Promise<StageOutputs[N]>;
  /** A short, serialisable summary of the output for the CycleResult. */
  summarize?(output: StageOutputs[N]): Record<string, unknown>;
}

/** Stages by name, each of its own slot's type: what replaces default engines. */
export type StageSet = { [N in StageName]?: Stage<N> };
