// The orchestrator's persistence port: run rows, artifacts and config snapshots. The SQLite
// implementation lives in persistence/; a memory one serves tests.

import type { ProcessIdentity } from '../core/process-identity.ts';

export type RunStatus = 'running' | 'ok' | 'degraded' | 'failed' | 'blocked' | 'aborted';

export interface RunRow {
  runId: string;
  mode: string;
  kind: 'cycle' | 'backtest';
  startedAt: string;
  finishedAt: string | null;
  status: RunStatus;
  errorCodes: string[];
  configSnapshotRef: string | null;
  codeVersion: string;
  commitHash: string;
  /** A backtest's cycles point at the backtest run. */
  parentRunId: string | null;
  abortReason: string | null;
  /**
   * The process that wrote the row (pid, start time, host), so start-up recovery aborts a
   * run left 'running' only when its owner is gone. Omitted on write: the store's own
   * process. Read back: null for a row written before schema v6 (no owner recorded).
   */
  owner?: ProcessIdentity | null;
}

export interface ArtifactInput {
  runId: string;
  kind: string;
  schemaVersion: string;
  commitHash: string;
  content: unknown;
}

/** How a run ends: what finishRun writes to its row. */
export interface RunFinishUpdate {
  finishedAt: string;
  status: RunStatus;
  errorCodes: string[];
  abortReason?: string | null;
}

/** The port where runs, their config snapshots and artifacts (CycleResults, backtest results) are recorded; `openDatabase(...).runs` is the SQLite one. */
export interface RunStore {
  /** Throws E_DB_UNAVAILABLE when the row cannot be written. */
  startRun(row: RunRow): void;
  /** Marks the run finished with its status and error codes. */
  finishRun(runId: string, update: RunFinishUpdate): void;
  /** Stores an artifact of a run; returns its id. */
  putArtifact(artifact: ArtifactInput): number;
  /**
   * Optional: finishRun then putArtifact in one commit, with the outcome of the two calls in
   * turn (the run is finished even when the artifact fails; that error is thrown after).
   */
  finishRunWithArtifact?(runId: string, update: RunFinishUpdate, artifact: ArtifactInput): number;
  /**
   * Optional: the run row (and, with `config`, its config snapshot, whose ref the row then
   * carries) written with the store's next commit rather than now, so a cycle that writes
   * nothing else commits once, at its finish, and anything durable it did write is preceded
   * by its row in the same commit. Throws E_DB_UNAVAILABLE at once when nothing could be
   * written. Returns `drop`, which withdraws the row if no commit has carried it yet.
   */
  deferStartRun?(row: RunRow, config?: Record<string, unknown>): () => void;
  /** Immutable per run id: a second write with other content fails. */
  putConfigSnapshot(runId: string, config: Record<string, unknown>): string;
}
