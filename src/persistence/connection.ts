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
//
// The wal-index (`<db>-shm`) is memory-mapped by SQLite. If it is truncated while we have it
// mapped (an operator or a tool "clearing" the database files, a copy over them), the next
// access to the mapping kills the process with SIGBUS: no error, no exit code, no summary.
// So the first top-level read or write of each synchronous stretch of work (until the next
// microtask) stats it (`WalIndexGuard`): shrunk, replaced or deleted, we fail with
// E_DB_UNAVAILABLE (not retryable) before SQLite touches it, and a shrunk file is first grown
// back to the size SQLite mapped (its pages then read as zeros, which SQLite takes for an
// index to rebuild from the WAL), so that closing the handle, which reads the index, cannot
// fault either. Once per stretch, not per statement: another process can only act between
// our stretches or during one, and during one no check helps. What this cannot do: a
// truncation that lands inside a stretch, after the look and before SQLite's access, still
// faults.
//
// Every E_DB_UNAVAILABLE raised on a handle is also counted there (`persistenceFaults`), for
// the paper runtime to stop after consecutive cycles that could not be persisted, whichever
// store or wrapper the error surfaced through.

import { openSync, ftruncateSync, statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { toRfc3339, type Clock } from '../core/clock.ts';
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

  private readonly faults: PersistenceFaults;
  private readonly walIndex: WalIndexGuard | undefined;

  constructor(db: Database.Database, path: string, wallClock: Clock) {
    this.db = db;
    this.path = path;
    this.wallClock = wallClock;
    this.identity = db.memory ? undefined : fileIdentity(path);
    this.faults = persistenceFaults(db);
    this.walIndex = db.memory ? undefined : walIndexGuard(db, path);
    this.tx = db.transaction((fn: () => unknown): unknown => {
      const result = fn();
      if (result !== null && typeof (result as { then?: unknown })?.then === 'function') {
        throw new OrdinisError('E_INTERNAL', 'transaction callback returned a promise; it must be synchronous');
      }
      return result;
    });
  }

  nowIso(): string {
    return toRfc3339(this.wallClock.now());
  }

  read<T>(what: string, fn: () => T): T {
    try {
      if (this.walIndex && this.db.open && !this.db.inTransaction) this.walIndex.check();
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
      throw this.faults.note(new OrdinisError(
        'E_DB_UNAVAILABLE',
        `database file ${this.path} was ${now ? 'replaced' : 'deleted'} after it was opened; writes would be lost`,
        { details: { path: this.path } },
      ));
    }
    this.walIndex?.check({ writing: true });
  }

  private wrap(e: unknown, what: string): OrdinisError {
    if (e instanceof OrdinisError) return e;
    if (!this.db.open) {
      return new OrdinisError('E_DB_UNAVAILABLE', `${what}: database ${this.path} is closed`, {
        cause: e,
        details: { path: this.path },
      });
    }
    const err = toDbError(e, what, { path: this.path });
    if (err.code === 'E_DB_UNAVAILABLE') this.faults.note(err);
    return err;
  }
}

/**
 * The E_DB_UNAVAILABLE errors raised on one SQLite handle (all its SqliteConnections), each
 * counted once, where it was raised: a caller compares `count` before and after a unit of
 * work to learn whether any write or read of it failed, however the error was wrapped later.
 */
export class PersistenceFaults {
  count = 0;
  last: OrdinisError | undefined;
  note(err: OrdinisError): OrdinisError {
    this.count++;
    this.last = err;
    return err;
  }
}

const faultsByHandle = new WeakMap<Database.Database, PersistenceFaults>();

export function persistenceFaults(db: Database.Database): PersistenceFaults {
  let f = faultsByHandle.get(db);
  if (!f) faultsByHandle.set(db, (f = new PersistenceFaults()));
  return f;
}

/** SQLite's wal-index geometry (wal.c): 32 KiB regions, 4062 frames in the first, 4096 in each next. */
const SHM_REGION_BYTES = 32 * 1024;
const WAL_HEADER_BYTES = 32;
const WAL_FRAME_HEADER_BYTES = 24;

/** Watches one handle's `-shm` file (see the head of this file). Shared by the handle's connections. */
export class WalIndexGuard {
  private readonly shmPath: string;
  private readonly walPath: string;
  private seen: (FileIdentity & { size: number }) | undefined;
  /** A replaced or deleted index: writes stay refused (they would go to an index no other process sees). */
  private lost: OrdinisError | undefined;
  /** Descriptors opened to grow a truncated index back. Never closed: closing any descriptor of a file drops every POSIX lock this process holds on it, SQLite's included. */
  private readonly repairFds: number[] = [];
  /** Looked at in this synchronous stretch: later reads and writes in it skip the stat. */
  private fresh = false;
  private readonly expire = (): void => {
    this.fresh = false;
  };

  constructor(
    private readonly dbPath: string,
    private readonly pageSize: number,
    private readonly faults: PersistenceFaults,
  ) {
    this.shmPath = `${dbPath}-shm`;
    this.walPath = `${dbPath}-wal`;
  }

  /** Throws E_DB_UNAVAILABLE (not retryable) when the index was truncated, replaced or deleted since the last look. */
  check(opts: { writing?: boolean; force?: boolean } = {}): void {
    if (this.lost && opts.writing) throw this.lost;
    if (this.fresh && !opts.force) return;
    const st = statSync(this.shmPath, { throwIfNoEntry: false });
    this.fresh = true;
    queueMicrotask(this.expire);
    const prev = this.seen;
    if (!st) {
      // No index yet (not in WAL mode, or nothing read yet); once seen, it never goes while we are open.
      if (prev && !this.lost) throw (this.lost = this.fault('deleted', `wal-index ${this.shmPath} was deleted while the database was open`));
      return;
    }
    if (prev && (st.dev !== prev.dev || st.ino !== prev.ino)) {
      if (!this.lost) {
        throw (this.lost = this.fault('replaced', `wal-index ${this.shmPath} was replaced by another file while the database was open; writes would go to an index no other process sees`));
      }
      return;
    }
    if (prev && st.size < prev.size) {
      const restoredTo = this.regrow(prev.size);
      this.seen = { dev: st.dev, ino: st.ino, size: restoredTo };
      throw this.fault(
        'truncated',
        `wal-index ${this.shmPath} was truncated from ${prev.size} to ${st.size} bytes while the database was open (grown back to ${restoredTo} so SQLite cannot fault on it); stopping: something outside this process is changing the database files`,
      );
    }
    this.seen = { dev: st.dev, ino: st.ino, size: st.size };
  }

  /** Grows the index back to at least every region SQLite may have mapped; returns the new size. */
  private regrow(mappedAtLeast: number): number {
    const wal = statSync(this.walPath, { throwIfNoEntry: false })?.size ?? 0;
    const frames = Math.max(0, Math.ceil((wal - WAL_HEADER_BYTES) / (this.pageSize + WAL_FRAME_HEADER_BYTES)));
    const regionsForWal = frames <= 4062 ? 1 : 1 + Math.ceil((frames - 4062) / 4096);
    const size = Math.max(Math.ceil(mappedAtLeast / SHM_REGION_BYTES), regionsForWal) * SHM_REGION_BYTES;
    try {
      const fd = openSync(this.shmPath, 'r+');
      this.repairFds.push(fd);
      ftruncateSync(fd, size);
    } catch {
      // Nothing more to do: the error below still stops the run.
    }
    return size;
  }

  private fault(how: string, message: string): OrdinisError {
    return this.faults.note(
      new OrdinisError('E_DB_UNAVAILABLE', message, { retryable: false, details: { path: this.dbPath, walIndex: this.shmPath, walIndexFault: how } }),
    );
  }
}

const guardsByHandle = new WeakMap<Database.Database, WalIndexGuard>();

function walIndexGuard(db: Database.Database, path: string): WalIndexGuard {
  let g = guardsByHandle.get(db);
  if (!g) {
    const pageSize = Number(db.pragma('page_size', { simple: true })) || 4096;
    guardsByHandle.set(db, (g = new WalIndexGuard(path, pageSize, persistenceFaults(db))));
    g.check();
  }
  return g;
}

/** Looks at the handle's wal-index before it is closed (closing reads it): a truncated one is grown back. */
export function checkWalIndexBeforeClose(db: Database.Database): void {
  try {
    guardsByHandle.get(db)?.check({ force: true });
  } catch {
    // Recorded as a fault; the handle can now be closed without faulting.
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
