// Real SQLite files in a fresh temp directory per test, removed afterwards.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { openDatabase, type OpenDatabaseOptions, type OrdinisDatabase } from '../../src/persistence/database.ts';
import type { RunRow } from '../../src/kernel/run-store.ts';
import type { AuditRecordInput } from '../../src/governance/audit-chain.ts';
import { OrdinisError, type ErrorCode } from '../../src/errors.ts';

export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'ordinis-persist-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface TempDatabase {
  db: OrdinisDatabase;
  dir: string;
  path: string;
  /** Closes the current handle (if open) and opens the same file again. */
  reopen(options?: Partial<OpenDatabaseOptions>): OrdinisDatabase;
}

export function openTempDatabase(t: TestContext, options: Partial<OpenDatabaseOptions> = {}): TempDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'ordinis-persist-'));
  const path = join(dir, 'data', 'ordinis.db');
  const handles: OrdinisDatabase[] = [];
  const open = (o: Partial<OpenDatabaseOptions>): OrdinisDatabase => {
    const db = openDatabase({ path, ...options, ...o });
    handles.push(db);
    return db;
  };
  t.after(() => {
    for (const h of handles) h.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const temp: TempDatabase = {
    db: open({}),
    dir,
    path,
    reopen(o = {}) {
      temp.db.close();
      temp.db = open(o);
      return temp.db;
    },
  };
  return temp;
}

export function runRow(runId: string, overrides: Partial<RunRow> = {}): RunRow {
  return {
    runId,
    mode: 'paper',
    kind: 'cycle',
    startedAt: '2025-01-02T03:04:05.000Z',
    finishedAt: null,
    status: 'running',
    errorCodes: [],
    configSnapshotRef: null,
    codeVersion: '0.1.0',
    commitHash: 'abc1234',
    parentRunId: null,
    abortReason: null,
    ...overrides,
  };
}

export function auditInput(i: number, overrides: Partial<AuditRecordInput> = {}): AuditRecordInput {
  return {
    ts: `2025-01-${String(i).padStart(2, '0')}T00:00:00.000Z`,
    kind: 'exec.submit',
    component: 'EXEC',
    action: 'submit',
    actor: 'orchestrator',
    correlationId: `run-${i}`,
    policyVersion: 'gov_v1',
    decision: 'allow',
    subjectRef: `co-${i}`,
    payload: { symbol: 'AAPL', qty: i, nested: { b: 2, a: [1, 'x'] } },
    ...overrides,
  };
}

/** Asserts `fn` throws an OrdinisError with `code` and returns it for further checks. */
export function expectCode(fn: () => unknown, code: ErrorCode): OrdinisError {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof OrdinisError)) throw new Error(`expected ${code}, got a non-Ordinis error: ${String(e)}`, { cause: e });
    const err = e;
    if (err.code !== code) throw new Error(`expected ${code}, got ${err.message}`, { cause: e });
    return err;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}
