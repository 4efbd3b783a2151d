// Small keyed JSON values the paper/live runtime keeps between runs (`runtime_state`,
// migration v2): the resume cursor, the lease of the process that owns the database.

import type Database from 'better-sqlite3';
import type { OrdinisDatabase } from './database.ts';
import { SqliteConnection } from './connection.ts';
import { systemClock, type Clock } from '../core/clock.ts';

export interface RuntimeStateEntry<T> {
  value: T;
  updatedAt: string;
}

export class SqliteRuntimeStateStore {
  private readonly conn: SqliteConnection;
  private readonly selectValue: Database.Statement;
  private readonly upsertValue: Database.Statement;
  private readonly deleteValue: Database.Statement;

  static on(db: OrdinisDatabase, wallClock: Clock = systemClock): SqliteRuntimeStateStore {
    return new SqliteRuntimeStateStore(new SqliteConnection(db.handle, db.path, wallClock));
  }

  constructor(conn: SqliteConnection) {
    this.conn = conn;
    const db = conn.db;
    this.selectValue = db.prepare('SELECT value_json, updated_at FROM runtime_state WHERE key = ?');
    this.upsertValue = db.prepare(
      `INSERT INTO runtime_state (key, value_json, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at`,
    );
    this.deleteValue = db.prepare('DELETE FROM runtime_state WHERE key = ?');
  }

  get<T>(key: string): RuntimeStateEntry<T> | undefined {
    return this.conn.read(`read runtime state ${key}`, () => {
      const row = this.selectValue.get(key) as { value_json: string; updated_at: string } | undefined;
      return row ? { value: JSON.parse(row.value_json) as T, updatedAt: row.updated_at } : undefined;
    });
  }

  set(key: string, value: unknown): void {
    this.conn.write(`write runtime state ${key}`, () => {
      this.upsertValue.run(key, JSON.stringify(value), this.conn.nowIso());
    });
  }

  delete(key: string): boolean {
    return this.conn.write(`delete runtime state ${key}`, () => this.deleteValue.run(key).changes > 0);
  }
}
