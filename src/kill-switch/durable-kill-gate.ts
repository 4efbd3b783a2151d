// The kill switch checked against its durable state at each submission (EXEC's
// SubmissionGate). See src/stages/exec/submission-gate.ts for why the check takes the
// store's write lock.
//
// Cost: the stored row is re-read only when another connection has committed since the last
// look (`committedElsewhere`, SQLite's PRAGMA data_version); this process's own changes go
// through the same KillSwitch object and need no re-read. The probe runs inside the
// transaction, where it costs well under a microsecond (outside one, each statement on a WAL
// file takes and drops a read lock: ~20x that).

import type { KillSwitch } from './kill-switch.ts';
import type { SubmissionGate } from '../stages/exec/submission-gate.ts';

export interface DurableKillGateOptions {
  kill: KillSwitch;
  /** Runs `fn` (synchronous) in one transaction that takes the write lock up front (BEGIN IMMEDIATE). */
  transaction<T>(fn: () => T): T;
  /**
   * True when another connection committed to the store since the previous call. Without
   * it the stored state is re-read at every check.
   */
  committedElsewhere?: () => boolean;
  /**
   * Called when the transaction failed after `submit` had returned: whatever the broker
   * recorded in it was rolled back (an in-process venue must stop trusting its memory).
   */
  onSubmitRolledBack?: (error: unknown) => void;
}

export class DurableKillGate implements SubmissionGate {
  constructor(private readonly opts: DurableKillGateOptions) {}

  /** Adopts the stored state if another connection may have changed it. */
  refresh(): void {
    const changed = this.opts.committedElsewhere;
    // sync() adopts the stored state (its listeners cancel working orders on an activation)
    // and handles an unreadable store itself (fail-safe: ACTIVE).
    if (!changed || changed()) this.opts.kill.sync();
  }

  send<T>(submit: () => T): T | undefined {
    let submitted = false;
    try {
      const sent = this.opts.transaction(() => {
        this.refresh();
        if (this.opts.kill.isActive()) return undefined;
        // Boxed: a remote broker answers with a promise, which is sent under the lock and
        // answered after it (a SQLite transaction cannot span an await).
        const r = { answer: submit() };
        submitted = true;
        return r;
      });
      return sent?.answer;
    } catch (e) {
      if (submitted) this.opts.onSubmitRolledBack?.(e);
      throw e;
    }
  }
}
