// What the layers of a cycle share: the cycle's state (one per cycle, seen by the cycle
// layers and, through `cycle`, by the stage layers) and a stage step (one per stage of a
// cycle, seen by the stage and attempt layers). Plain mutable records: each layer reads and
// sets the fields its concern owns, documented here, and nothing else.

import { INVALID_SPAN_CONTEXT, type Context } from '@opentelemetry/api';
import type { ErrorCode, ErrorInfo, OrdinisError } from '../errors.ts';
import type { CycleTrigger, RunMode, Stage, StageOutputs } from './stage-contract.ts';
import type { CycleResult, CycleStatus, StageResult } from './cycle-result.ts';
import type { GateSignal, StageSpec } from './stage-spec.ts';
import type { BudgetOutcome } from './budget.ts';
import type { DepthField } from './compose.ts';

/** Which cycles get a run row and a CycleResult: every one, those that did not end ok, or none. */
export type CycleRecords = 'all' | 'exceptions' | 'none';
export const CYCLE_RECORDS: readonly CycleRecords[] = ['all', 'exceptions', 'none'];

export interface CycleState {
  readonly correlationId: string;
  /** A backtest's cycles point at the backtest run. */
  readonly parentRunId: string | null;
  readonly mode: RunMode;
  readonly trigger: CycleTrigger;
  /** The cycle's time (bar time in a backtest), epoch ms. */
  readonly cycleTime: number;
  readonly index: number;
  /** What the record layer keeps of this cycle; an ok cycle nothing records gets no output summaries. */
  readonly records: CycleRecords;
  /** Wall clock (the engine's clock) at the start, epoch ms. */
  readonly startedAt: number;
  /** performance.now() at the start, and when the cycle budget is spent. */
  readonly t0: number;
  readonly deadline: number;
  /** Set by the trace layer (all zeros when untraced). */
  traceId: string;
  spanId: string;
  /** The cycle span's context, parent of the stage spans; undefined when the cycle is not traced. */
  spanContext: Context | undefined;
  /** Outputs of the stages that ran ok. */
  readonly data: Partial<StageOutputs>;
  readonly results: StageResult[];
  readonly errors: ErrorInfo[];
  /** Signals raised by stages' outputs for later stages' gates. */
  signals: { stale?: GateSignal };
  /** Set by the first gate or hook that blocks the cycle. */
  blockReason: string | null;
  blockCode: ErrorCode | null;
  failed: boolean;
  degraded: boolean;
  /** Cycle budget spent before every stage could run. */
  timedOut: boolean;
  /** A fail-closed stage (AUDIT) failed: the kill switch goes on at the end of the cycle. */
  killAtEnd: boolean;
  /** Set once the trading path stops (a stage failed, the run row could not be written): the note the skipped stages get. */
  haltNote: string | null;
  /** performance.now() when the last stage ended ok, until the next stage starts (a clock read saved). */
  stageEnd: number | undefined;
  /** The outcome, set by the cycle's core when every stage had its turn. */
  result: CycleResult | undefined;
  /** The composer's guard count for the cycle onion (compose.ts). */
  layerDepth: number;
}

/** One stage of one cycle, through the stage layers (gates, budget, hooks, ...) and its attempts. */
export interface StageStep {
  readonly cycle: CycleState;
  readonly spec: StageSpec;
  readonly stage: Stage;
  /** performance.now() when the stage's turn began. */
  now: number;
  /** The stage's result: set by a layer that stops it (skipped, blocked) or by its attempts. */
  result: StageResult | undefined;
  /** Its output, when it ran ok. */
  output: unknown;
  /** Why it failed, when it did. */
  error: OrdinisError | undefined;
  /** The attempt running now (1-based), its remaining budget and its outcome (attempt layers). */
  attempt: number;
  remainingMs: number;
  outcome: BudgetOutcome<unknown> | undefined;
  /** The composer's guard counts for the stage onion and the attempt onion (compose.ts). */
  stageDepth: number;
  attemptDepth: number;
}

/** What a cycle starts from; everything else in its state begins empty. */
export type CycleStart = Pick<CycleState, 'correlationId' | 'parentRunId' | 'mode' | 'trigger' | 'cycleTime' | 'index' | 'records' | 'startedAt' | 't0' | 'deadline'>;

/** A cycle's state at its start: untraced, no outputs, results or errors, nothing blocked. */
export function newCycleState(start: CycleStart): CycleState {
  // Field by field rather than a spread: one object shape for every cycle, made once per bar.
  return {
    correlationId: start.correlationId,
    parentRunId: start.parentRunId,
    mode: start.mode,
    trigger: start.trigger,
    cycleTime: start.cycleTime,
    index: start.index,
    records: start.records,
    startedAt: start.startedAt,
    t0: start.t0,
    deadline: start.deadline,
    traceId: INVALID_SPAN_CONTEXT.traceId,
    spanId: INVALID_SPAN_CONTEXT.spanId,
    spanContext: undefined,
    data: {},
    results: [],
    errors: [],
    signals: {},
    blockReason: null,
    blockCode: null,
    failed: false,
    degraded: false,
    timedOut: false,
    killAtEnd: false,
    haltNote: null,
    stageEnd: undefined,
    result: undefined,
    layerDepth: -1,
  };
}

/** Where each onion's guard (compose.ts) counts. */
export const CYCLE_DEPTH: DepthField<CycleState> = { get: (c) => c.layerDepth, set: (c, d) => void (c.layerDepth = d) };
export const STAGE_DEPTH: DepthField<StageStep> = { get: (s) => s.stageDepth, set: (s, d) => void (s.stageDepth = d) };
export const ATTEMPT_DEPTH: DepthField<StageStep> = { get: (s) => s.attemptDepth, set: (s, d) => void (s.attemptDepth = d) };

/** The emit metadata of a cycle's events. */
export function eventMeta(c: CycleState): { correlationId: string; traceId: string; spanId: string } {
  return { correlationId: c.correlationId, traceId: c.traceId, spanId: c.spanId };
}

/** The result of a stage that did not run (skipped or blocked, and why). */
export function notRun(spec: StageSpec, status: StageResult['status'], note: string): StageResult {
  return { stage: spec.name, status, attempts: 0, durationMs: 0, errorCode: null, note, retryDelaysMs: [], output: null };
}

/** The status a cycle ends with, from what its stages did. */
export function cycleStatus(c: CycleState): CycleStatus {
  return c.failed ? 'failed' : c.blockReason !== null ? 'blocked' : c.degraded || c.timedOut ? 'degraded' : 'ok';
}
