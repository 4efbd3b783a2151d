// The resume point: the last bar time whose cycle finished. It is written in the same
// transaction that marks the cycle's run row finished (CursorRunStore), so a cycle
// interrupted by a crash is run again after the restart. Running it again cannot trade
// twice: an order it had already sent is at the venue (recovery recorded it, and RISK does
// not send a second order for a symbol with a working order), and an intent the venue never
// received was closed as such.

import type { ArtifactInput, RunFinishUpdate, RunRow, RunStore } from '../../kernel/run-store.ts';
import type { OrdinisDatabase } from '../../persistence/database.ts';
import type { SqliteRuntimeStateStore } from '../../persistence/sqlite-runtime-state-store.ts';

/** runtime_state key of the cursor. */
export const CURSOR_KEY = 'paper.cursor';

export interface Cursor {
  lastBarTs: number;
  runId: string;
  sessionId: string;
}

export function readCursor(state: SqliteRuntimeStateStore): Cursor | undefined {
  return state.get<Cursor>(CURSOR_KEY)?.value;
}

/** The cursor as this session moves it: only forward. */
export class ResumeCursor {
  private last: number | undefined;
  constructor(
    private readonly state: SqliteRuntimeStateStore,
    private readonly sessionId: string,
    /** Where this session resumed (undefined: a fresh start). */
    readonly resumedAt: number | undefined,
  ) {
    this.last = resumedAt;
  }
  /** The last bar time whose cycle finished. */
  get lastBarTs(): number | undefined {
    return this.last;
  }
  /** Moves the cursor to `ts` if that is forward; call inside the run row's finishing transaction. */
  advance(ts: number, runId: string): void {
    if (this.last !== undefined && ts <= this.last) return;
    this.state.set(CURSOR_KEY, { lastBarTs: ts, runId, sessionId: this.sessionId } satisfies Cursor);
    this.last = ts;
  }
}

/** The run store that also moves the resume cursor, in the transaction that finishes a run row. */
export class CursorRunStore implements RunStore {
  constructor(
    private readonly db: OrdinisDatabase,
    private readonly onFinish: (runId: string) => void,
  ) {}
  startRun(row: RunRow): void {
    this.db.runs.startRun(row);
  }
  /** The row goes out with the cycle's first commit (at the latest its finish): one commit per quiet cycle. */
  deferStartRun(row: RunRow, config?: Record<string, unknown>): () => void {
    return this.db.runs.deferStartRun(row, config);
  }
  finishRun(runId: string, update: RunFinishUpdate): void {
    this.db.transaction(() => {
      this.db.runs.finishRun(runId, update);
      this.onFinish(runId);
    });
  }
  /** Finish, cursor and CycleResult in one commit. */
  finishRunWithArtifact(runId: string, update: RunFinishUpdate, artifact: ArtifactInput): number {
    return this.db.runs.finishRunWithArtifact(runId, update, artifact, () => this.onFinish(runId));
  }
  putArtifact(artifact: ArtifactInput): number {
    return this.db.runs.putArtifact(artifact);
  }
  putConfigSnapshot(runId: string, config: Record<string, unknown>): string {
    return this.db.runs.putConfigSnapshot(runId, config);
  }
}
