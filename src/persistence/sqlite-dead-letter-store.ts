// The bus's dead-letter queue on SQLite (`dlq`): deliveries that failed every retry, kept
// for inspection and replay. The input type is structural so the bus need not import us.

import type Database from 'better-sqlite3';
import type { SqliteConnection } from './connection.ts';

export interface DeadLetterInput {
  /** The event envelope as JSON, exactly as it was delivered. */
  eventJson: string;
  /** The subscription (name or id) whose handler failed. */
  subscription: string;
  errorCode: string;
  errorMessage: string;
  attempts: number;
  /** RFC 3339: when the delivery was given up. */
  ts: string;
}

export interface DeadLetterRecord extends DeadLetterInput {
  id: number;
}

interface DeadLetterDbRow {
  id: number;
  ts: string;
  subscription: string;
  error_code: string;
  error_message: string;
  attempts: number;
  event_json: string;
}

export class SqliteDeadLetterStore {
  private readonly conn: SqliteConnection;
  private readonly insertEntry: Database.Statement;
  private readonly selectOldest: Database.Statement;
  private readonly countEntries: Database.Statement;

  constructor(conn: SqliteConnection) {
    this.conn = conn;
    const db = conn.db;
    this.insertEntry = db.prepare(
      `INSERT INTO dlq (ts, subscription, error_code, error_message, attempts, event_json, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectOldest = db.prepare(
      'SELECT id, ts, subscription, error_code, error_message, attempts, event_json FROM dlq ORDER BY id LIMIT ?',
    );
    this.countEntries = db.prepare('SELECT COUNT(*) FROM dlq').pluck();
  }

  /** Returns the entry's id. */
  put(entry: DeadLetterInput): number {
    return this.conn.write(`put dead letter for ${entry.subscription}`, () =>
      Number(
        this.insertEntry.run(entry.ts, entry.subscription, entry.errorCode, entry.errorMessage, entry.attempts, entry.eventJson, this.conn.nowIso())
          .lastInsertRowid,
      ),
    );
  }

  /** Oldest first, at most `limit` (default 1000). */
  list(options: { limit?: number } = {}): DeadLetterRecord[] {
    const limit = Math.max(Math.trunc(options.limit ?? 1000), 1);
    return this.conn.read('list dead letters', () =>
      (this.selectOldest.all(limit) as DeadLetterDbRow[]).map((r) => ({
        id: r.id,
        ts: r.ts,
        subscription: r.subscription,
        errorCode: r.error_code,
        errorMessage: r.error_message,
        attempts: r.attempts,
        eventJson: r.event_json,
      })),
    );
  }

  count(): number {
    return this.conn.read('count dead letters', () => this.countEntries.get() as number);
  }
}
