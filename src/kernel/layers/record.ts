// The run record: a run row and the CycleResult artifact per cycle, in the run store.
// 'all': the row is written (or deferred to the store's next commit) before any stage runs,
// so a cycle that cannot be recorded does not trade when ORCH_FAIL_CLOSED_ON_DB is on, and is
// finished with its CycleResult at the end. 'exceptions': only a cycle that did not end ok is
// recorded, row and result together at its end (a database failure is then noticed after the
// cycle, not before). 'none': this layer is not composed at all (a backtest sweep keeps counts).
// Times are formatted to RFC 3339 here, once, and only for what is written.

import { OrdinisError, errorInfo, toOrdinisError } from '../../errors.ts';
import { toRfc3339 } from '../../core/clock.ts';
import { whenDone, type Layer } from '../compose.ts';
import { cycleResultDocument, type CycleResult } from '../cycle-result.ts';
import type { CycleState } from '../cycle-state.ts';
import type { RunMode } from '../stage-contract.ts';
import type { RunRow, RunStore } from '../run-store.ts';

export interface RecordOptions {
  store: RunStore;
  mode: RunMode;
  codeVersion: string;
  commitHash: string;
  /** Stored once, with the first top-level run row (secrets already redacted). */
  configSnapshot: Record<string, unknown> | undefined;
  /** Refuse the cycle before any side effect when its run row cannot be written. */
  failClosedOnDb: boolean;
  warn: (message: string, fields?: Record<string, unknown>) => void;
}

export function recordEveryCycleLayer(o: RecordOptions): Layer<CycleState> {
  return (c, next) => {
    let drop: (() => void) | undefined;
    let startError: OrdinisError | undefined;
    try {
      drop = writeRunRow(o, c);
    } catch (e) {
      startError = e instanceof OrdinisError && e.code === 'E_DB_UNAVAILABLE' ? e : new OrdinisError('E_DB_UNAVAILABLE', 'run row not written', { cause: e });
      c.errors.push(errorInfo(startError));
      if (o.failClosedOnDb) {
        c.failed = true;
        c.haltNote = 'run metadata not written (fail closed)';
        c.blockReason = `run metadata could not be written: ${startError.message}`;
      } else {
        c.degraded = true;
        o.warn('run metadata not written; continuing because ORCH_FAIL_CLOSED_ON_DB=false', { correlationId: c.correlationId });
      }
    }
    return whenDone(next(c), () => {
      if (c.result && !startError) finishRun(o, c.result);
      // A row still deferred here had its finish fail: never let a later commit write it as running.
      drop?.();
    });
  };
}

export function recordExceptionsLayer(o: RecordOptions): Layer<CycleState> {
  return (c, next) =>
    whenDone(next(c), () => {
      const r = c.result;
      if (!r || r.status === 'ok') return;
      let drop: (() => void) | undefined;
      try {
        drop = writeRunRow(o, c);
      } catch (e) {
        notPersisted(o, r, e);
        return;
      }
      finishRun(o, r);
      drop?.();
    });
}

/** Writes (or defers, where the store can) the cycle's run row; returns the deferred row's `drop`. */
function writeRunRow(o: RecordOptions, c: CycleState): (() => void) | undefined {
  const config = o.configSnapshot && c.parentRunId === null ? o.configSnapshot : undefined;
  const row: RunRow = {
    runId: c.correlationId,
    mode: o.mode,
    kind: 'cycle',
    startedAt: toRfc3339(c.startedAt),
    finishedAt: null,
    status: 'running',
    errorCodes: [],
    configSnapshotRef: null,
    codeVersion: o.codeVersion,
    commitHash: o.commitHash,
    parentRunId: c.parentRunId,
    abortReason: null,
  };
  if (o.store.deferStartRun) return o.store.deferStartRun(row, config);
  if (config) row.configSnapshotRef = o.store.putConfigSnapshot(c.correlationId, config);
  o.store.startRun(row);
  return undefined;
}

function finishRun(o: RecordOptions, result: CycleResult): void {
  const { store } = o;
  try {
    const update = { finishedAt: toRfc3339(result.finishedAt), status: result.status, errorCodes: result.errors.map((e) => e.code) };
    const artifact = { runId: result.correlationId, kind: 'cycle_result', schemaVersion: result.schemaVersion, commitHash: o.commitHash, content: cycleResultDocument(result) };
    if (store.finishRunWithArtifact) store.finishRunWithArtifact(result.correlationId, update, artifact);
    else {
      store.finishRun(result.correlationId, update);
      store.putArtifact(artifact);
    }
  } catch (e) {
    notPersisted(o, result, e);
  }
}

/** The cycle already happened; losing its record is loud but must not rewrite history. */
function notPersisted(o: RecordOptions, result: CycleResult, e: unknown): void {
  result.errors.push(errorInfo(e));
  o.warn('cycle result not persisted', { correlationId: result.correlationId, error: toOrdinisError(e).message });
}
