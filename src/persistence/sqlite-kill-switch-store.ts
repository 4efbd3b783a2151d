// The kill switch's state in its single-row `kill_switch` table (id = 1). It survives a
// restart; a failed read throws, and the runtime decides (prod assumes ACTIVE).

import type Database from 'better-sqlite3';
import type { KillState, KillStateName, KillSwitchStore } from '../kill-switch/contract.ts';
import type { SqliteConnection } from './connection.ts';

interface KillDbRow {
  state: KillStateName;
  reason: string | null;
  activated_at: string | null;
  actor: string | null;
  updated_at: string;
}

export class SqliteKillSwitchStore implements KillSwitchStore {
  private readonly conn: SqliteConnection;
  private readonly selectState: Database.Statement;
  private readonly upsertState: Database.Statement;

  constructor(conn: SqliteConnection) {
    this.conn = conn;
    this.selectState = conn.db.prepare('SELECT state, reason, activated_at, actor, updated_at FROM kill_switch WHERE id = 1');
    this.upsertState = conn.db.prepare(
      `INSERT INTO kill_switch (id, state, reason, activated_at, actor, updated_at)
       VALUES (1, @state, @reason, @activatedAt, @actor, @updatedAt)
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, reason = excluded.reason,
         activated_at = excluded.activated_at, actor = excluded.actor, updated_at = excluded.updated_at`,
    );
  }

  load(): KillState | undefined {
    return this.conn.read('read kill switch state', () => {
      const row = this.selectState.get() as KillDbRow | undefined;
      return row
        ? { state: row.state, reason: row.reason, activatedAt: row.activated_at, actor: row.actor, updatedAt: row.updated_at }
        : undefined;
    });
  }

  save(state: KillState): void {
    this.conn.write(`save kill switch state ${state.state}`, () => {
      this.upsertState.run({
        state: state.state,
        reason: state.reason,
        activatedAt: state.activatedAt,
        actor: state.actor,
        updatedAt: state.updatedAt,
      });
    });
  }
}
