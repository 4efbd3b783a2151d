// One open SQLite handle as the stores share it: every read and write goes through `read` or
// `write`, which turn SQLite's errors into catalogue codes, and `write` first checks that the
// file we opened is still the file at our path.
//
// Why that check: in WAL mode SQLite keeps writing to its open descriptors after the database
// file (or its directory) was deleted or replaced, and reports success; every such write is
// lost at close. A stat per top-level write (~2 µs, one per batch inside `transaction`) buys
// an E_DB_UNAVAILABLE instead of silent loss.
//
// Deferred writes (`defer`): a write queued to go out at the head of the next write's
// transaction. A cycle's run row is one: on a durable file every commit costs a round of
// page writes, and a quiet paper cycle that wrote its row at the start and its result at
// the end paid two (three with the config snapshot). Deferred, the row goes out with the
// cycle's first real write (a risk decision, an order intent) or at the latest with its
// result, so anything durable the cycle did is always preceded by its row.

import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { Clock } from '../core/clock.ts';
import { lastRfc3339 } from '../core/rfc3339.ts';
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
  /** Writes queued by `defer`, in order; each leaves the queue when a commit carried it. */
  private deferred: DeferredWrite[] = [];
  /** recorded_at / created_at text, formatted once per wall-clock millisecond (several writes share one). */
  private readonly wallIso = lastRfc3339();

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
    return this.wallIso(this.wallClock.now());
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
      if (this.db.inTransaction) {
        // Inside a transaction the file check was made when it began; whatever is deferred
        // joins it (and commits or rolls back with it).
        if (this.deferred.length > 0) this.flushDeferredInline();
        return fn();
      }
      this.assertFileInPlace();
      if (this.deferred.length > 0) return this.withDeferred(fn);
      return fn();
    } catch (e) {
      throw this.wrap(e, what);
    }
  }

  /**
   * Queues `fn` (synchronous statements) to run first in the next write's transaction, so it
   * is durable exactly when that write is. Throws E_DB_UNAVAILABLE now when nothing could be
   * written (closed, opened read-only, file gone), so a caller that must fail closed still
   * does before doing anything. `drop()` withdraws it and answers true if no write has
   * carried it yet; false once one has.
   */
  defer(what: string, fn: () => void): DeferredHandle {
    // Inside a transaction (a backtest's batch) the checks were made when it began, as in write().
    if (!this.db.inTransaction) this.assertWritable();
    const entry: DeferredWrite = { what, fn };
    this.deferred.push(entry);
    return {
      drop: () => {
        const i = this.deferred.indexOf(entry);
        if (i < 0) return false;
        this.deferred.splice(i, 1);
        return true;
      },
    };
  }

  /** Throws E_DB_UNAVAILABLE when a write could not succeed now: closed, read-only, or file gone. */
  assertWritable(): void {
    this.assertFileInPlace();
    if (this.db.readonly) {
      throw new OrdinisError('E_DB_UNAVAILABLE', `database ${this.path} is open read-only`, { details: { path: this.path } });
    }
  }

  /**
   * Outside a transaction with writes deferred: one transaction, deferred first. They leave
   * the queue as it starts (a nested write must not run them again) and are owed again,
   * ahead of anything queued since, if it rolls back.
   */
  private withDeferred<T>(fn: () => T): T {
    const carried = this.deferred;
    this.deferred = [];
    try {
      return this.tx.immediate(() => {
        for (const d of carried) this.runDeferred(d);
        return fn();
      }) as T;
    } catch (e) {
      this.deferred = carried.concat(this.deferred);
      throw e;
    }
  }

  /** Inside an open transaction: deferred writes join it, and commit or roll back with it. */
  private flushDeferredInline(): void {
    const carried = this.deferred;
    this.deferred = [];
    for (const d of carried) this.runDeferred(d);
  }

  /** A deferred write's failure is reported as its own, not as the write that carried it. */
  private runDeferred(d: DeferredWrite): void {
    try {
      d.fn();
    } catch (e) {
      throw this.wrap(e, d.what);
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

export interface DeferredHandle {
  /** Withdraws the write; true if no commit had carried it yet. */
  drop(): boolean;
}

interface DeferredWrite {
  what: string;
  fn: () => void;
}

function fileIdentity(path: string): FileIdentity | undefined {
  const st = statSync(path, { throwIfNoEntry: false });
  return st ? { dev: st.dev, ino: st.ino } : undefined;
}
