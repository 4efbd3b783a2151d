// One open SQLite handle as the stores share it: every read and write goes through `read` or
// `write`, which turn SQLite's errors into catalogue codes, and `write` first checks that the
// file we opened is still the file at our path.
//
// Why that check: in WAL mode SQLite keeps writing to its open descriptors after the database
// file (or its directory) was deleted or replaced, and reports success; every such write is
// lost at close. A stat per top-level write (~2 µs, one per batch inside `transaction`) buys
// an E_DB_UNAVAILABLE instead of silent loss.

import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { Clock } from '../core/clock.ts';
import { OrdinisError } from '../errors.ts';
import { toDbError } from './sqlite-errors.ts';

interface FileIdentity {
  dev: number;
  ino: number;
}

export class SqliteConnection {
  readonly db: Database.Database;
  /** The path as given to openDatabase (":memory:" for an in-memory database). */
  readonly path: string;
  /** Wall clock for `recorded_at` columns and retention cutoffs, never a backtest's clock. */
  readonly wallClock: Clock;
  private readonly identity: FileIdentity | undefined;
  /** Built once: better-sqlite3 makes four wrapper functions per db.transaction() call. */
  private readonly tx: Database.Transaction<(fn: () => unknown) => unknown>;

  constructor(db: Database.Database, path: string, wallClock: Clock) {
    this.db = db;
    this.path = path;
    this.wallClock = wallClock;
    this.identity = db.memory ? undefined : fileIdentity(path);
    this.tx = db.transaction((fn: () => unknown): unknown => {
      const result = fn();
      if (result !== null && typeof (result as { then?: unknown })?.then === 'function') {
        throw new OrdinisError('E_INTERNAL', 'transaction callback returned a promise; it must be synchronous');
      }
      return result;
    });
  }

  nowIso(): string {
    return new Date(this.wallClock.now()).toISOString();
  }

  read<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw this.wrap(e, what);
    }
  }

  write<T>(what: string, fn: () => T): T {
    try {
      // Inside a transaction the check was made when it began.
      if (!this.db.inTransaction) this.assertFileInPlace();
      return fn();
    } catch (e) {
      throw this.wrap(e, what);
    }
  }

  /**
   * Runs `fn` in one IMMEDIATE transaction (the write lock is taken up front, so a concurrent
   * writer makes us wait up to busy_timeout rather than fail on upgrade). Nested calls become
   * savepoints. `fn` must be synchronous: SQLite transactions cannot span an await.
   */
  transaction<T>(fn: () => T, what = 'transaction'): T {
    return this.write(what, () => this.tx.immediate(fn) as T);
  }

  /** Throws E_DB_UNAVAILABLE when the handle is closed or the file at our path is not the one we opened. */
  assertFileInPlace(): void {
    if (!this.db.open) {
      throw new OrdinisError('E_DB_UNAVAILABLE', `database ${this.path} is closed`, { details: { path: this.path } });
    }
    if (!this.identity) return;
    const now = fileIdentity(this.path);
    if (!now || now.dev !== this.identity.dev || now.ino !== this.identity.ino) {
      throw new OrdinisError(
        'E_DB_UNAVAILABLE',
        `database file ${this.path} was ${now ? 'replaced' : 'deleted'} after it was opened; writes would be lost`,
        { details: { path: this.path } },
      );
    }
  }

  private wrap(e: unknown, what: string): OrdinisError {
    if (!(e instanceof OrdinisError) && !this.db.open) {
      return new OrdinisError('E_DB_UNAVAILABLE', `${what}: database ${this.path} is closed`, {
        cause: e,
        details: { path: this.path },
      });
    }
    return toDbError(e, what, { path: this.path });
  }
}

function fileIdentity(path: string): FileIdentity | undefined {
  const st = statSync(path, { throwIfNoEntry: false });
  return st ? { dev: st.dev, ino: st.ino } : undefined;
}
