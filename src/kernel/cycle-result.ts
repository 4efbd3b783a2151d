// CycleResult: what one cycle did, stage by stage. Partial completion is explicit: every
// canonical stage appears with a status, so a reader never infers what did not run.

import type { ErrorCode, ErrorInfo } from '../errors.ts';
import type { RunMode, StageName } from './stage-contract.ts';

export const CYCLE_RESULT_SCHEMA_VERSION = '1.0.0';

export type CycleStatus = 'ok' | 'degraded' | 'failed' | 'blocked';
export type StageStatus = 'ok' | 'failed' | 'skipped' | 'blocked' | 'timed_out';

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

export interface CycleResult {
  schemaVersion: string;
  correlationId: string;
  traceId: string;
  mode: RunMode;
  trigger: string;
  /** The cycle's time (bar time in a backtest), RFC 3339. */
  cycleTime: string;
  status: CycleStatus;
  stageResults: StageResult[];
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  blockReason: string | null;
  /** Cycle budget spent before every stage could run. */
  timedOut: boolean;
  errors: ErrorInfo[];
}
