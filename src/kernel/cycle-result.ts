// CycleResult: what one cycle did, stage by stage. Partial completion is explicit: every
// canonical stage appears with a status, so a reader never infers what did not run.

import type { ErrorCode, ErrorInfo } from '../errors.ts';
import { toRfc3339 } from '../core/clock.ts';
import type { RunMode, StageName } from './stage-contract.ts';

export const CYCLE_RESULT_SCHEMA_VERSION = '1.0.0';

/** How a cycle ended: ok, degraded (ANA or a fail-open AUDIT failed), failed, or blocked (kill switch, stale data, a HARD hook). */
export type CycleStatus = 'ok' | 'degraded' | 'failed' | 'blocked';
/** How one stage of a cycle ended. */
export type StageStatus = 'ok' | 'failed' | 'skipped' | 'blocked' | 'timed_out';

/** One stage's part in a cycle: status, attempts, time, error code, why it was skipped or blocked, its summary. */
export interface StageResult {
  stage: StageName;
  status: StageStatus;
  attempts: number;
  durationMs: number;
  errorCode: ErrorCode | null;
  /** Why a stage was skipped or blocked ("disabled", "cycle budget spent", ...). */
  note: string | null;
  /** Retry delays actually waited, ms. */
  retryDelaysMs: number[];
  output: Record<string, unknown> | null;
}

/** What one cycle did, stage by stage (every stage listed), with its correlation id and status. Stored as an artifact. */
export interface CycleResult {
  schemaVersion: string;
  correlationId: string;
  traceId: string;
  mode: RunMode;
  trigger: string;
  /** The cycle's time (bar time in a backtest), epoch ms. */
  cycleTime: number;
  status: CycleStatus;
  stageResults: StageResult[];
  /** Wall-clock (the engine's clock) at the cycle's start and end, epoch ms. */
  startedAt: number;
  finishedAt: number;
  durationMs: number;
  blockReason: string | null;
  /** Cycle budget spent before every stage could run. */
  timedOut: boolean;
  errors: ErrorInfo[];
}

/** A CycleResult as stored and shown: the same fields, its times RFC 3339 (what outside readers parse). */
export type CycleResultDocument = Omit<CycleResult, 'cycleTime' | 'startedAt' | 'finishedAt'> & { cycleTime: string; startedAt: string; finishedAt: string };

/** The stored form, formatted once, when (and only when) a cycle is recorded. */
export function cycleResultDocument(r: CycleResult): CycleResultDocument {
  return { ...r, cycleTime: toRfc3339(r.cycleTime), startedAt: toRfc3339(r.startedAt), finishedAt: toRfc3339(r.finishedAt) };
}
