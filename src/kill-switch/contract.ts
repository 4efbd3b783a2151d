// Kill-switch state and its storage port. The SQLite store (single-row `kill_switch`
// table) lives in persistence/; an in-memory store serves tests and backtests.

export type KillStateName = 'ACTIVE' | 'INACTIVE';

export interface KillState {
  state: KillStateName;
  reason: string | null;
  /** RFC 3339, set while ACTIVE. */
  activatedAt: string | null;
  actor: string | null;
  /** RFC 3339 of the last change. */
  updatedAt: string;
}

export interface KillSwitchStore {
  /** Returns undefined when nothing was stored yet; throws when the state cannot be read. */
  load(): KillState | undefined;
  save(state: KillState): void;
}

export class MemoryKillSwitchStore implements KillSwitchStore {
  private state: KillState | undefined;
  constructor(initial?: KillState) {
    this.state = initial;
  }
  load(): KillState | undefined {
    return this.state ? { ...this.state } : undefined;
  }
  save(state: KillState): void {
    this.state = { ...state };
  }
}
