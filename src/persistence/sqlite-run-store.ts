// The orchestrator's RunStore on SQLite (`runs`, `artifacts`, `run_config_snapshot`), plus
// the reads the ops API and start-up recovery need.

import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { ArtifactInput, RunFinishUpdate, RunRow, RunStatus, RunStore } from '../kernel/run-store.ts';
import { canonicalJson } from '../governance/audit-chain.ts';
import { currentProcess, type ProcessIdentity } from '../core/process-identity.ts';
import { OrdinisError } from '../errors.ts';
import type { DeferredHandle, SqliteConnection } from './connection.ts';
import { redactSecrets } from './config-redaction.ts';

export interface ArtifactRecord {
  id: number;
  runId: string;
  kind: string;
  schemaVersion: string;
  commitHash: string;
  content: unknown;
  /** Wall-clock time the artifact was stored. */
  createdAt: string;
}

export interface ConfigSnapshotRecord {
  runId: string;
  /** `cfg:` + the first 16 hex digits of the SHA-256 of the canonical, redacted JSON. */
  ref: string;
  config: Record<string, unknown>;
  createdAt: string;
}

export interface ListRunsOptions {
  /** 1..1000, default 50. Newest first (by insertion). */
  limit?: number;
  status?: RunStatus;
  kind?: RunRow['kind'];
  /** A run id: that backtest's cycles. null: top-level runs only. Omitted: all runs. */
  parentRunId?: string | null;
}

interface RunDbRow {
  run_id: string;
  mode: string;
  kind: RunRow['kind'];
  started_at: string;
  finished_at: string | null;
  status: RunStatus;
  error_codes_json: string;
  config_snapshot_ref: string | null;
  code_version: string;
  commit_hash: string;
  parent_run_id: string | null;
  abort_reason: string | null;
  owner_pid: number | null;
  owner_started_at: string | null;
  owner_host: string | null;
}

interface ArtifactDbRow {
  id: number;
  run_id: string;
  kind: string;
  schema_version: string;
  commit_hash: string;
  content_json: string;
  created_at: string;
}

interface SnapshotDbRow {
  run_id: string;
  ref: string;
  config_json: string;
  created_at: string;
}

interface ArtifactFailure {
  error: unknown;
  rolledBack: boolean;
}

/** Thrown out of the finish-with-artifact transaction when SQLite already rolled it back. */
class ArtifactRolledBack extends Error {
  constructor(readonly error: unknown) {
    super('artifact insert rolled the transaction back');
  }
}

/** A config snapshot as stored: its redacted canonical JSON and its ref. */
interface SnapshotText {
  json: string;
  ref: string;
}

interface PendingStart {
  row: RunRow;
  snapshot: SnapshotText | undefined;
  handle: DeferredHandle;
}

const RUN_COLUMNS =
  'run_id, mode, kind, started_at, finished_at, status, error_codes_json, config_snapshot_ref, code_version, commit_hash, parent_run_id, abort_reason, owner_pid, owner_started_at, owner_host';

export class SqliteRunStore implements RunStore {
  private readonly conn: SqliteConnection;
  private readonly insertRun: Database.Statement;
  private readonly updateRunFinish: Database.Statement;
  private readonly insertArtifact: Database.Statement;
  private readonly insertSnapshot: Database.Statement;
  private readonly selectSnapshot: Database.Statement;
  private readonly selectRun: Database.Statement;
  private readonly selectRuns: Database.Statement;
  private readonly selectRunsOfParent: Database.Statement;
  /** Per config object: its redacted canonical JSON and ref, computed once (see putConfigSnapshot). */
  private readonly snapshotCache = new WeakMap<object, { plain: string; json: string; ref: string }>();
  private readonly selectArtifacts: Database.Statement;
  private readonly selectArtifactsOfKind: Database.Statement;
  private readonly selectArtifact: Database.Statement;
  private readonly selectRunning: Database.Statement;
  private readonly abortRunning: Database.Statement;
  /** Stamped on every row this store writes (see RunRow.owner). */
  private readonly owner: ProcessIdentity;
  private readonly finishWithArtifactTx: Database.Transaction<(writeFinish: () => void, artifact: ArtifactInput) => number | ArtifactFailure>;
  /** Run rows deferred by deferStartRun and not yet finished, by run id. */
  private readonly pendingStarts = new Map<string, PendingStart>();

  constructor(conn: SqliteConnection, owner: ProcessIdentity = currentProcess()) {
    this.conn = conn;
    this.owner = owner;
    const db = conn.db;
    // Positional parameters on the per-cycle statements: binding by name costs a property
    // lookup per parameter on every run.
    this.insertRun = db.prepare(`INSERT INTO runs (${RUN_COLUMNS}, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.updateRunFinish = db.prepare(
      `UPDATE runs SET finished_at = ?, status = ?, error_codes_json = ?,
        abort_reason = CASE WHEN ? THEN ? ELSE abort_reason END
       WHERE run_id = ?`,
    );
    this.insertArtifact = db.prepare(
      `INSERT INTO artifacts (run_id, kind, schema_version, commit_hash, content_json, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.insertSnapshot = db.prepare(
      'INSERT INTO run_config_snapshot (run_id, ref, config_json, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (run_id) DO NOTHING',
    );
    this.selectSnapshot = db.prepare('SELECT run_id, ref, config_json, created_at FROM run_config_snapshot WHERE run_id = ?');
    this.selectRun = db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_id = ?`);
    this.selectRuns = db.prepare(
      `SELECT ${RUN_COLUMNS} FROM runs
       WHERE (@status IS NULL OR status = @status)
         AND (@kind IS NULL OR kind = @kind)
         AND (@anyParent OR parent_run_id IS @parentRunId)
       ORDER BY rowid DESC LIMIT @limit`,
    );
    // One backtest's cycles: equality on parent_run_id, which the partial runs_parent index
    // (v3, parent_run_id IS NOT NULL) serves, already in rowid order.
    this.selectRunsOfParent = db.prepare(
      `SELECT ${RUN_COLUMNS} FROM runs
       WHERE parent_run_id = @parentRunId
         AND (@status IS NULL OR status = @status)
         AND (@kind IS NULL OR kind = @kind)
       ORDER BY rowid DESC LIMIT @limit`,
    );
    const artifactColumns = 'id, run_id, kind, schema_version, commit_hash, content_json, created_at';
    this.selectArtifacts = db.prepare(`SELECT ${artifactColumns} FROM artifacts WHERE run_id = ? ORDER BY id`);
    this.selectArtifactsOfKind = db.prepare(`SELECT ${artifactColumns} FROM artifacts WHERE run_id = ? AND kind = ? ORDER BY id`);
    this.selectArtifact = db.prepare(`SELECT ${artifactColumns} FROM artifacts WHERE id = ?`);
    // Both served by the partial index runs_running (v1).
    this.selectRunning = db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE status = 'running' ORDER BY rowid`);
    // Still running: the owner may have finished the run since it was listed.
    this.abortRunning = db.prepare(
      `UPDATE runs SET status = 'aborted', finished_at = ?, abort_reason = ? WHERE run_id = ? AND status = 'running'`,
    );
    // Built once: better-sqlite3 makes four wrapper functions per db.transaction() call.
    this.finishWithArtifactTx = db.transaction((writeFinish: () => void, artifact: ArtifactInput): number | ArtifactFailure => {
      writeFinish();
      try {
        return this.putArtifact(artifact);
      } catch (e) {
        if (db.inTransaction) return { error: e, rolledBack: false };
        // Rolled back already: leave the wrapper with nothing to commit, report outside.
        throw new ArtifactRolledBack(e);
      }
    });
  }

  startRun(row: RunRow): void {
    this.conn.write(`insert run ${row.runId}`, () => this.insertRunRow(row));
  }

  /**
   * The run row (and, with `config`, its config snapshot, whose ref the row then carries)
   * written with the next commit on this database instead of now: see SqliteConnection.defer.
   * A row still deferred when its run finishes is written once, finished (no insert then
   * update). Throws E_DB_UNAVAILABLE at once when nothing could be written. Returns `drop`.
   */
  deferStartRun(row: RunRow, config?: Record<string, unknown>): () => void {
    const snapshot = config ? this.snapshotOf(config) : undefined;
    const start: RunRow = snapshot ? { ...row, configSnapshotRef: snapshot.ref } : row;
    const handle = this.conn.defer(`insert run ${row.runId}`, () => this.insertStart(start, snapshot));
    this.pendingStarts.set(row.runId, { row: start, snapshot, handle });
    return () => {
      handle.drop();
      this.pendingStarts.delete(row.runId);
    };
  }

  private insertStart(row: RunRow, snapshot: SnapshotText | undefined): void {
    if (snapshot) this.insertSnapshotRow(row.runId, snapshot.json, snapshot.ref);
    this.insertRunRow(row);
  }

  /**
   * The statements that finish a run: the whole finished row when its start is still
   * deferred (withdrawn from the queue here), otherwise an update of the row on file.
   */
  private finishWriter(runId: string, update: RunFinishUpdate): () => void {
    const pending = this.pendingStarts.get(runId);
    this.pendingStarts.delete(runId);
    if (pending?.handle.drop()) {
      const finished: RunRow = { ...pending.row, finishedAt: update.finishedAt, status: update.status, errorCodes: update.errorCodes, abortReason: update.abortReason ?? null };
      return () => this.insertStart(finished, pending.snapshot);
    }
    return () => this.updateFinishRow(runId, update);
  }

  private insertRunRow(row: RunRow): void {
    const owner = row.owner === undefined ? this.owner : row.owner;
    this.insertRun.run(
      row.runId,
      row.mode,
      row.kind,
      row.startedAt,
      row.finishedAt,
      row.status,
      row.errorCodes.length === 0 ? '[]' : JSON.stringify(row.errorCodes),
      row.configSnapshotRef,
      row.codeVersion,
      row.commitHash,
      row.parentRunId,
      row.abortReason,
      owner?.pid ?? null,
      owner?.startedAt ?? null,
      owner?.host ?? null,
      this.conn.nowIso(),
    );
  }

  finishRun(runId: string, update: RunFinishUpdate): void {
    this.conn.write(`finish run ${runId}`, this.finishWriter(runId, update));
  }

  private updateFinishRow(runId: string, update: RunFinishUpdate): void {
    const r = this.updateRunFinish.run(
      update.finishedAt,
      update.status,
      update.errorCodes.length === 0 ? '[]' : JSON.stringify(update.errorCodes),
      update.abortReason === undefined ? 0 : 1,
      update.abortReason ?? null,
      runId,
    );
    if (r.changes === 0) {
      throw new OrdinisError('E_DB_CONSTRAINT', `finish run ${runId}: no such run`, { details: { runId } });
    }
  }

  putArtifact(artifact: ArtifactInput): number {
    return this.conn.write(`insert ${artifact.kind} artifact for run ${artifact.runId}`, () => {
      const r = this.insertArtifact.run(
        artifact.runId,
        artifact.kind,
        artifact.schemaVersion,
        artifact.commitHash,
        JSON.stringify(artifact.content ?? null),
        this.conn.nowIso(),
      );
      return Number(r.lastInsertRowid);
    });
  }

  /**
   * finishRun then putArtifact in one transaction: one commit instead of two on a cycle's hot
   * path, with the same outcome as the two calls in turn. When the run cannot be finished
   * nothing is written; when only the artifact fails, the finished run is still committed and
   * the artifact's error is thrown after the commit. Inside an open batch it is the two calls.
   * `alsoOnFinish` (synchronous writes on this database, such as a runtime's resume cursor)
   * commits with the finish, and fails it if it fails.
   */
  finishRunWithArtifact(runId: string, update: RunFinishUpdate, artifact: ArtifactInput, alsoOnFinish?: () => void): number {
    const what = `finish run ${runId}`;
    const finish = this.finishWriter(runId, update);
    const writeFinish = alsoOnFinish
      ? () => {
          finish();
          alsoOnFinish();
        }
      : finish;
    if (this.conn.db.inTransaction) {
      this.conn.write(what, writeFinish);
      return this.putArtifact(artifact);
    }
    const out = this.conn.write(what, (): number | ArtifactFailure => {
      try {
        return this.finishWithArtifactTx.immediate(writeFinish, artifact);
      } catch (e) {
        if (e instanceof ArtifactRolledBack) return { error: e.error, rolledBack: true };
        throw e;
      }
    });
    if (typeof out === 'number') return out;
    // The artifact failed. SQLite undid that one statement and we committed the finish; only
    // an error that rolled the whole transaction back (disk full, I/O) needs it done again.
    if (out.rolledBack) this.conn.write(what, writeFinish);
    throw out.error;
  }

  /**
   * Stores the (redacted) config under the run id and returns its ref. Writing the same
   * content again is a no-op returning the same ref; different content is E_DB_CONSTRAINT.
   */
  putConfigSnapshot(runId: string, config: Record<string, unknown>): string {
    const { json, ref } = this.snapshotOf(config);
    return this.conn.write(`store config snapshot for run ${runId}`, () => this.insertSnapshotRow(runId, json, ref));
  }

  private insertSnapshotRow(runId: string, json: string, ref: string): string {
    const r = this.insertSnapshot.run(runId, ref, json, this.conn.nowIso());
    if (r.changes === 1) return ref;
    const existing = this.selectSnapshot.get(runId) as SnapshotDbRow | undefined;
    if (existing && existing.config_json === json) return existing.ref;
    throw new OrdinisError(
      'E_DB_CONSTRAINT',
      `run ${runId} already has config snapshot ${existing?.ref ?? '?'}; snapshots are immutable (new content hashes to ${ref})`,
      { details: { runId, existingRef: existing?.ref, attemptedRef: ref } },
    );
  }

  /**
   * The redacted canonical JSON and ref of `config`. A paper runtime passes the same (frozen)
   * config object every cycle, so the work is cached per object; a cached entry is only used
   * while the object still serialises to the JSON it was computed from, so a config mutated
   * in place is never stored under a stale snapshot.
   */
  private snapshotOf(config: Record<string, unknown>): SnapshotText {
    // Through JSON first, so what we hash is exactly what a reader will get back.
    const plain = JSON.stringify(config);
    const cached = this.snapshotCache.get(config);
    if (cached && cached.plain === plain) return cached;
    const json = canonicalJson(redactSecrets(JSON.parse(plain) as Record<string, unknown>));
    const entry = { plain, json, ref: `cfg:${createHash('sha256').update(json).digest('hex').slice(0, 16)}` };
    this.snapshotCache.set(config, entry);
    return entry;
  }

  getConfigSnapshot(runId: string): ConfigSnapshotRecord | undefined {
    return this.conn.read(`read config snapshot for run ${runId}`, () => {
      const row = this.selectSnapshot.get(runId) as SnapshotDbRow | undefined;
      return row
        ? { runId: row.run_id, ref: row.ref, config: JSON.parse(row.config_json) as Record<string, unknown>, createdAt: row.created_at }
        : undefined;
    });
  }

  getRun(runId: string): RunRow | undefined {
    return this.conn.read(`read run ${runId}`, () => {
      const row = this.selectRun.get(runId) as RunDbRow | undefined;
      return row ? toRunRow(row) : undefined;
    });
  }

  listRuns(options: ListRunsOptions = {}): RunRow[] {
    const limit = Math.min(Math.max(Math.trunc(options.limit ?? 50), 1), 1000);
    return this.conn.read('list runs', () =>
      (
        (typeof options.parentRunId === 'string'
          ? this.selectRunsOfParent.all({ status: options.status ?? null, kind: options.kind ?? null, parentRunId: options.parentRunId, limit })
          : this.selectRuns.all({
              status: options.status ?? null,
              kind: options.kind ?? null,
              anyParent: options.parentRunId === undefined ? 1 : 0,
              parentRunId: null,
              limit,
            })) as RunDbRow[]
      ).map(toRunRow),
    );
  }

  listArtifacts(runId: string, kind?: string): ArtifactRecord[] {
    return this.conn.read(`list artifacts of run ${runId}`, () =>
      (
        (kind === undefined ? this.selectArtifacts.all(runId) : this.selectArtifactsOfKind.all(runId, kind)) as ArtifactDbRow[]
      ).map(toArtifactRecord),
    );
  }

  getArtifact(id: number): ArtifactRecord | undefined {
    return this.conn.read(`read artifact ${id}`, () => {
      const row = this.selectArtifact.get(id) as ArtifactDbRow | undefined;
      return row ? toArtifactRecord(row) : undefined;
    });
  }

  /** Every run whose row says 'running', oldest first: for recovery and the ops views. */
  listRunning(): RunRow[] {
    return this.conn.read('list running runs', () => (this.selectRunning.all() as RunDbRow[]).map(toRunRow));
  }

  /**
   * Crash recovery: marks these runs aborted with `reason`, in one transaction, and returns
   * the ids it changed (a run that is no longer 'running' is left as it is).
   */
  abortRuns(runIds: readonly string[], reason: string, finishedAt: string): string[] {
    if (runIds.length === 0) return [];
    return this.conn.transaction(() => runIds.filter((id) => this.abortRunning.run(finishedAt, reason, id).changes === 1), 'mark abandoned runs aborted');
  }
}

function toRunRow(row: RunDbRow): RunRow {
  return {
    runId: row.run_id,
    mode: row.mode,
    kind: row.kind,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    status: row.status,
    errorCodes: JSON.parse(row.error_codes_json) as string[],
    configSnapshotRef: row.config_snapshot_ref,
    codeVersion: row.code_version,
    commitHash: row.commit_hash,
    parentRunId: row.parent_run_id,
    abortReason: row.abort_reason,
    owner: row.owner_pid === null ? null : { pid: row.owner_pid, startedAt: row.owner_started_at, host: row.owner_host ?? '' },
  };
}

function toArtifactRecord(row: ArtifactDbRow): ArtifactRecord {
  return {
    id: row.id,
    runId: row.run_id,
    kind: row.kind,
    schemaVersion: row.schema_version,
    commitHash: row.commit_hash,
    content: JSON.parse(row.content_json) as unknown,
    createdAt: row.created_at,
  };
}
