// Opening the database: one SQLite file (WAL, busy timeout, foreign keys, synchronous=NORMAL)
// migrated to this build's schema, and every store on top of one shared handle.
//
// Failure codes at open: E_DB_SCHEMA_TOO_NEW (the file was written by a newer build; we
// refuse rather than write to a schema we do not know), E_DB_SCHEMA_TOO_OLD (opened
// read-only, and a write-capable command must migrate it first), E_DB_MIGRATION_FAILED (a
// migration threw; the database stays at the last good version), E_DB_READ_ONLY (a write
// open of a file or directory this process cannot write: read-only media, an immutable or
// read-only file), E_DB_UNAVAILABLE (anything else: missing directory, not a database, locked).
//
// Read-only opens write nothing, not even SQLite's side files: see openReadOnlyHandle.

import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { systemClock, type Clock } from '../core/clock.ts';
import { OrdinisError } from '../errors.ts';
import { checkWalIndexBeforeClose, persistenceFaults, SqliteConnection, type PersistenceFaults } from './connection.ts';
import { LATEST_SCHEMA_VERSION, assertSchemaNotNewer, migrate, type MigrationReport } from './migrations.ts';
import { purgeOlderThan, type RetentionOptions, type RetentionReport } from './retention.ts';
import { toDbError } from './sqlite-errors.ts';
import { SqliteAuditStore, type AuditStoreOptions } from './sqlite-audit-store.ts';
import { SqliteDeadLetterStore } from './sqlite-dead-letter-store.ts';
import { SqliteKillSwitchStore } from './sqlite-kill-switch-store.ts';
import { SqliteLedgerStore } from './sqlite-ledger-store.ts';
import { SqliteOrderStore } from './sqlite-order-store.ts';
import { SqliteEquityCurveStore } from './sqlite-equity-curve-store.ts';
import { SqliteSweepStore } from './sqlite-sweep-store.ts';
import { SqliteRiskDecisionStore } from './sqlite-risk-decision-store.ts';
import { SqliteRunStore } from './sqlite-run-store.ts';

/** SYSTEM.md, Persistence. */
export const DEFAULT_DATABASE_PATH = './data/ordinis.db';
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** Where and how `openDatabase` opens the SQLite file. */
export interface OpenDatabaseOptions {
  /** A file path (parent directories are created) or ":memory:". */
  path: string;
  /** How long a write waits for another connection's lock before E_DB_UNAVAILABLE. Default 5000. */
  busyTimeoutMs?: number;
  /** Open without writing anything: no migrations (an outdated file is refused), every write fails E_DB_UNAVAILABLE. */
  readonly?: boolean;
  /** Wall clock for `recorded_at` columns and retention cutoffs. Default: the system clock. */
  wallClock?: Clock;
  /** The audit chain's MAC key and checkpoint interval (AUDIT_MAC_KEY, AUDIT_CHECKPOINT_EVERY). */
  audit?: AuditStoreOptions;
}

/**
 * Opens (creating and migrating) the SQLite database: its stores (`runs`, `orders`, `ledger`, `audit`, `killSwitch`, `riskDecisions`, ...) share one connection. Close it with `db.close()`.
 */
export function openDatabase(options: OpenDatabaseOptions): OrdinisDatabase {
  const memory = options.path === ':memory:';
  const path = memory ? options.path : resolve(options.path);
  const readonly = options.readonly ?? false;
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const wallClock = options.wallClock ?? systemClock;
  let db: Database.Database | undefined;
  try {
    if (!memory && !readonly) {
      // Checked first: SQLite opens a file it cannot write read-only without a word, and a
      // command would then fail only at its first write, mid-run.
      throwIfUnwritable(path, undefined);
      mkdirSync(dirname(path), { recursive: true });
    }
    db = readonly && !memory ? openReadOnlyHandle(path, busyTimeoutMs) : new Database(path, { readonly, fileMustExist: readonly, timeout: busyTimeoutMs });
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
    db.pragma('foreign_keys = ON');
    let migration: MigrationReport;
    if (readonly) {
      const version = assertSchemaNotNewer(db, LATEST_SCHEMA_VERSION, path);
      if (version < LATEST_SCHEMA_VERSION) {
        throw new OrdinisError(
          'E_DB_SCHEMA_TOO_OLD',
          `database ${path} is at schema version ${version}, older than this build's ${LATEST_SCHEMA_VERSION}; it was opened read-only, ` +
            'so it is not migrated here: run a command that writes to it once with this build (`ordinis db migrate --db FILE` does only that), then look again',
          { details: { path, dbVersion: version, codeVersion: LATEST_SCHEMA_VERSION } },
        );
      }
      migration = { fromVersion: version, toVersion: version, applied: [] };
    } else {
      // WAL: readers never block the writer; NORMAL sync is durable in WAL except for the
      // last transactions before a power loss (not a process crash).
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      migration = migrate(db, { nowIso: () => new Date(wallClock.now()).toISOString(), path });
    }
    return new OrdinisDatabase(new SqliteConnection(db, path, wallClock), migration, options.audit);
  } catch (e) {
    try {
      db?.close();
    } catch {
      // Already failing; the original error is the one to report.
    }
    if (e instanceof OrdinisError && e.code !== 'E_INTERNAL') throw e;
    if (!readonly && !memory) throwIfUnwritable(path, e);
    const mapped = toDbError(e, 'open', { path });
    throw new OrdinisError('E_DB_UNAVAILABLE', `cannot open database ${path}: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
      retryable: mapped.code === 'E_DB_UNAVAILABLE' ? mapped.retryable : true,
      details: { path, ...(mapped.details ?? {}) },
    });
  }
}

/**
 * A read-only handle that writes nothing at all. SQLite opening a WAL database read-only
 * still creates `-wal` and `-shm` beside it when they are missing (and leaves them), and on
 * read-only media, where it cannot, refuses to open it. With no `-wal`, no connection has
 * the file open (an open WAL connection always has one), so it is opened `immutable`: no
 * locks, no side files. A writer that starts during such a read could checkpoint into the
 * file under it; a read-only command is short, and the worst case is a wrong or failed
 * answer, never a write. With a `-wal`, a writer may be live: a plain read-only open shares
 * its wal-index and sees its commits. `immutable` needs URI filenames, which better-sqlite3
 * enables only when SQLITE_USE_URI=1 is set before it loads (the CLI sets it); without, the
 * plain open is used.
 */
function openReadOnlyHandle(path: string, busyTimeoutMs: number): Database.Database {
  if (existsSync(path) && !existsSync(`${path}-wal`)) {
    try {
      return new Database(`${pathToFileURL(path).href}?immutable=1`, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
    } catch {
      // URI filenames are off in this process: the plain read-only open below.
    }
  }
  return new Database(path, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
}

/** E_DB_READ_ONLY, saying what cannot be written, when something does (read-only media, an immutable or read-only file). */
function throwIfUnwritable(path: string, cause: unknown): void {
  const blocker = writeBlocker(path);
  if (!blocker) return;
  throw new OrdinisError(
    'E_DB_READ_ONLY',
    `database ${path} cannot be written: ${blocker.what} (${blocker.code}${blocker.code === 'EROFS' ? ': a read-only file system' : ''}${blocker.note ? `; ${blocker.note}` : ''}); ` +
      'the read-only commands (runs list, runs show, kill status, audit verify) still work on it; for this one, make it writable or pass another --db',
    { ...(cause !== undefined ? { cause } : {}), details: { path, blocked: blocker.path, errno: blocker.code } },
  );
}

/** What stops this process writing the database: the file, a side file or the (nearest existing) directory. */
function writeBlocker(path: string): { what: string; note?: string; path: string; code: string } | undefined {
  const denied = (p: string): string | undefined => {
    try {
      accessSync(p, constants.W_OK);
      return undefined;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code ?? 'EACCES';
    }
  };
  for (const [p, what] of [[path, 'the file'], [`${path}-wal`, 'its write-ahead log'], [`${path}-shm`, 'its wal-index']] as const) {
    const code = existsSync(p) ? denied(p) : undefined;
    if (code) return { what: `${what} ${p} is read-only`, path: p, code };
  }
  let dir = dirname(path);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  const code = denied(dir);
  return code ? { what: `the directory ${dir} is read-only`, note: 'SQLite keeps its -wal and -shm files beside the database', path: dir, code } : undefined;
}

/** The open database and every store on it. Stores share one handle and one transaction scope. */
export class OrdinisDatabase {
  readonly path: string;
  readonly readonly: boolean;
  /** What openDatabase did to the schema. */
  readonly migration: MigrationReport;
  readonly runs: SqliteRunStore;
  readonly audit: SqliteAuditStore;
  readonly killSwitch: SqliteKillSwitchStore;
  readonly orders: SqliteOrderStore;
  readonly ledger: SqliteLedgerStore;
  readonly riskDecisions: SqliteRiskDecisionStore;
  /** Backtests' equity curves, a row per point. */
  readonly equityCurves: SqliteEquityCurveStore;
  /** Sweeps' definitions and their points' results (`ordinis sweep`). */
  readonly sweeps: SqliteSweepStore;
  readonly deadLetters: SqliteDeadLetterStore;
  private readonly conn: SqliteConnection;

  constructor(conn: SqliteConnection, migration: MigrationReport, audit: AuditStoreOptions = {}) {
    this.conn = conn;
    this.path = conn.path;
    this.readonly = conn.db.readonly;
    this.migration = migration;
    this.runs = new SqliteRunStore(conn);
    this.audit = new SqliteAuditStore(conn, audit);
    this.killSwitch = new SqliteKillSwitchStore(conn);
    this.orders = new SqliteOrderStore(conn);
    this.ledger = new SqliteLedgerStore(conn);
    this.riskDecisions = new SqliteRiskDecisionStore(conn);
    this.equityCurves = new SqliteEquityCurveStore(conn);
    this.sweeps = new SqliteSweepStore(conn);
    this.deadLetters = new SqliteDeadLetterStore(conn);
  }

  /** The raw better-sqlite3 handle, for diagnostics, backups and tests. Writes through it bypass the stores' checks. */
  get handle(): Database.Database {
    return this.conn.db;
  }

  /**
   * Opens a write batch that may span awaits (a backtest's cycles are async but strictly
   * sequential on this one connection): every store write until `endBatch` commits together,
   * which turns thousands of fsyncs into one. Store transactions inside become savepoints.
   */
  beginBatch(): void {
    this.conn.write('begin batch', () => this.conn.db.exec('BEGIN IMMEDIATE'));
  }

  /** Commits (or, with `commit = false`, rolls back) the open batch; a no-op when none is open. */
  endBatch(commit = true): void {
    if (!this.conn.db.open || !this.conn.db.inTransaction) return;
    this.conn.write('end batch', () => this.conn.db.exec(commit ? 'COMMIT' : 'ROLLBACK'));
  }

  get isOpen(): boolean {
    return this.conn.db.open;
  }

  get schemaVersion(): number {
    return this.migration.toVersion;
  }

  /**
   * Runs `fn` (synchronous) in one transaction: every store write inside commits together or
   * not at all. One commit per batch instead of per write is what makes long backtests fast.
   */
  transaction<T>(fn: () => T): T {
    return this.conn.transaction(fn);
  }

  /** Deletes what is older than the retention periods; see retention.ts. */
  purgeOlderThan(options: RetentionOptions = {}): RetentionReport {
    return purgeOlderThan(this.conn, this.audit, options);
  }

  /**
   * Idempotent. Every later call on a store fails E_DB_UNAVAILABLE. With an audit MAC key,
   * first signs the audit head (the end of each run), unless a batch is still open (a failed
   * run's rollback is not ours to commit) or the file cannot be written: then the records
   * after the last checkpoint stay unsigned, which `audit verify` reports.
   */
  close(): void {
    if (!this.conn.db.open) return;
    // Sealing and closing read the wal-index: a truncated one would kill the process with SIGBUS.
    checkWalIndexBeforeClose(this.conn.db);
    // A read-only handle writes nothing, checkpoints included.
    if (!this.conn.db.inTransaction && !this.readonly) {
      try {
        this.audit.sealHead();
      } catch {
        // Closing must not fail because the last checkpoint could not be written; see above.
      }
    }
    this.conn.db.close();
  }

  /** Every E_DB_UNAVAILABLE raised on this handle so far (count and last): see connection.ts. */
  get faults(): Readonly<PersistenceFaults> {
    return persistenceFaults(this.conn.db);
  }
}
