// One trading process per database file: a second one would trade the same book twice. The
// owner (pid + kernel start time + host, as run rows name theirs) is kept in runtime_state
// under OWNER_KEY, checked and taken in one IMMEDIATE transaction so two processes starting
// at the same moment are serialised on SQLite's write lock and only one of them wins.

import { toRfc3339, type Clock } from '../../core/clock.ts';
import { currentProcess, ownerState, systemProcessTable } from '../../core/process-identity.ts';
import type { OrdinisDatabase } from '../../persistence/database.ts';
import type { SqliteRuntimeStateStore } from '../../persistence/sqlite-runtime-state-store.ts';

/** runtime_state key of the lease. */
export const OWNER_KEY = 'paper.owner';

export interface Owner {
  pid: number;
  host: string;
  /** The owner's kernel start time (see core/process-identity.ts); absent in leases written before it was kept. */
  startedAt?: string | null;
  sessionId: string;
  since: string;
}

/** Taken, or refused with why (a precondition recovery reports, so nothing else is written). */
export type LeaseOutcome = { owned: true } | { owned: false; blocker: string };

export function takeOwnerLease(db: OrdinisDatabase, state: SqliteRuntimeStateStore, sessionId: string, wall: Clock): LeaseOutcome {
  return db.transaction((): LeaseOutcome => {
    const owner = state.get<Owner>(OWNER_KEY)?.value;
    // pid + start time, not the pid alone: a reused pid is another program, and the lease is free.
    if (owner && owner.pid !== process.pid && ownerState({ pid: owner.pid, host: owner.host, startedAt: owner.startedAt ?? null }, systemProcessTable) !== 'gone') {
      return {
        owned: false,
        blocker:
          `database ${db.path} is in use by another paper runtime (pid ${owner.pid} on ${owner.host}, session ${owner.sessionId}, since ${owner.since}); ` +
          `if that process is gone, delete runtime_state key '${OWNER_KEY}'`,
      };
    }
    const self = currentProcess();
    state.set(OWNER_KEY, { pid: self.pid, host: self.host, startedAt: self.startedAt, sessionId, since: toRfc3339(wall.now()) } satisfies Owner);
    return { owned: true };
  });
}

/** Gives the lease back if this session still holds it. */
export function releaseOwnerLease(state: SqliteRuntimeStateStore, sessionId: string): void {
  try {
    const owner = state.get<Owner>(OWNER_KEY)?.value;
    if (owner && owner.sessionId === sessionId) state.delete(OWNER_KEY);
  } catch {
    // Best effort: a stale lease names a dead pid and is taken over at the next start.
  }
}
