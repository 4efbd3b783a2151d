// Whether a run the database calls 'running' still has a live owner. Only start-up recovery
// changes such a row (it aborts the runs whose owner is gone); the read-only views (`runs
// list`, `runs show`, GET /runs) say what they see, so a run killed mid-way is not shown as
// making progress.

import { ownerState, type OwnerState, type ProcessTable } from '../core/process-identity.ts';
import type { RunRow } from './run-store.ts';

export interface RunView extends RunRow {
  /** A running run's owner: alive, gone, on another host (unchecked), unrecorded (before v6). null once the run ended. */
  ownerState: OwnerState | null;
  /** Running, but its owner is gone: it will never finish; the next start-up recovery marks it aborted. */
  stale: boolean;
}

export function viewRun(row: RunRow, processes: ProcessTable): RunView {
  const state = row.status === 'running' ? ownerState(row.owner ?? null, processes) : null;
  return { ...row, ownerState: state, stale: state === 'gone' };
}

/** The status as a person reads it: 'running (stale)' for a run whose owner is gone. */
export function statusLabel(run: RunView): string {
  switch (run.ownerState) {
    case 'gone':
      return 'running (stale)';
    case 'other_host':
      return 'running (other host)';
    case 'unrecorded':
      return 'running (owner unknown)';
    default:
      return run.status;
  }
}
