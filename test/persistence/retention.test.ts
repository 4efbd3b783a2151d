import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { ManualClock } from '../../src/core/clock.ts';
import type { AuditRecordInput } from '../../src/governance/audit-chain.ts';
import { createLogger, type Logger } from '../../src/observability/logger.ts';
import type { OrdinisDatabase } from '../../src/persistence/database.ts';
import { auditInput, expectCode, openTempDatabase, runRow } from './temp-database.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2025-01-01T00:00:00.000Z');

/** One cycle's worth of everything retention looks at, stored at the clock's current time. */
function writeCycle(db: OrdinisDatabase, id: string, status: 'ok' | 'running' = 'ok'): void {
  db.runs.putConfigSnapshot(id, { profile: 'paper', id });
  db.runs.startRun(runRow(id, { status }));
  db.runs.putArtifact({ runId: id, kind: 'cycle_result', schemaVersion: '1.0.0', commitHash: 'c', content: { id } });
  db.riskDecisions.record(id, [{ signalId: `s-${id}`, symbol: 'AAPL', ts: 0, allowed: true, reasons: ['RISK.OK'], policyVersion: 'v' }]);
  db.deadLetters.put({ eventJson: '{}', subscription: id, errorCode: 'E_SB_HANDLER_FAILED', errorMessage: 'x', attempts: 3, ts: 'x' });
  db.orders.insertIntent({
    clientOrderId: `co-${id}`, idempotencyKey: `k-${id}`, correlationId: id, signalId: `s-${id}`, symbol: 'AAPL',
    side: 'buy', qty: 1, orderType: 'market', timeInForce: 'day', ts: 0,
  });
  db.ledger.commitFill(
    { fillId: `f-${id}`, clientOrderId: `co-${id}`, symbol: 'AAPL', side: 'buy', qty: 1, price: 10, commission: 0, ts: 0 },
    [{ ts: 0, correlationId: id, kind: 'cash', symbol: null, amount: -10, price: null, fillId: `f-${id}`, memo: 'fill' }],
    { symbol: 'AAPL', qty: 1, avgCost: 10, mark: 10, realizedPnl: 0 },
  );
}

const TABLES = ['runs', 'artifacts', 'run_config_snapshot', 'risk_decisions', 'dlq', 'audit_log', 'orders', 'fills', 'ledger_entries'];

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** A real pino logger writing into memory; all() parses the lines written so far. */
function captureLogs(t: TestContext): { logger: Logger; all(): any[] } {
  let text = '';
  const sink = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  t.after(() => sink.destroy());
  const logger = createLogger({ component: 'retention-test', level: 'info', destination: sink });
  return { logger, all: () => text.split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

function count(db: OrdinisDatabase, table: string): number {
  return db.handle.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
}

test('runs and their satellites older than the retention go; live state and the ledger stay', (t) => {
  const clock = new ManualClock(T0);
  const { db } = openTempDatabase(t, { wallClock: clock });
  writeCycle(db, 'old');
  writeCycle(db, 'old-running', 'running');
  // A backtest cycle stored recently but carrying a bar time from years ago: age is storage time.
  clock.set(T0 + 300 * DAY);
  writeCycle(db, 'recent');
  db.runs.startRun(runRow('bt-cycle', { startedAt: '2015-06-01T00:00:00.000Z' }));
  db.runs.finishRun('bt-cycle', { finishedAt: '2015-06-01T00:00:01.000Z', status: 'ok', errorCodes: [] });
  clock.set(T0 + 400 * DAY);

  // Two of three risk decisions and dead letters are due: past the default share of 50%.
  expectCode(() => db.purgeOlderThan(), 'E_DB_RETENTION_REFUSED');
  const report = db.purgeOlderThan({ allowLargePurge: true });
  assert.equal(report.runsCutoff, new Date(T0 + 35 * DAY).toISOString());
  assert.deepEqual(
    { runs: report.runs, artifacts: report.artifacts, configSnapshots: report.configSnapshots, riskDecisions: report.riskDecisions, deadLetters: report.deadLetters },
    { runs: 1, artifacts: 1, configSnapshots: 1, riskDecisions: 2, deadLetters: 2 },
  );
  assert.equal(report.audit, null);
  assert.equal(db.runs.getRun('old'), undefined);
  assert.equal(db.runs.getConfigSnapshot('old'), undefined);
  assert.deepEqual(db.runs.listArtifacts('old'), []);
  // A run left running is crash recovery's to close, whatever its age; its snapshot stays with it.
  assert.equal(db.runs.getRun('old-running')?.status, 'running');
  assert.ok(db.runs.getConfigSnapshot('old-running'));
  assert.equal(db.runs.listArtifacts('old-running').length, 1);
  assert.ok(db.runs.getRun('recent'));
  assert.ok(db.runs.getRun('bt-cycle'));
  assert.deepEqual(db.riskDecisions.listByRun('recent').length, 1);
  assert.deepEqual(db.deadLetters.list().map((d) => d.subscription), ['recent']);
  // Orders, fills, the ledger and positions are never purged.
  assert.equal(count(db, 'orders'), 3);
  assert.equal(count(db, 'fills'), 3);
  assert.equal(count(db, 'ledger_entries'), 3);
  assert.equal(count(db, 'positions'), 1);
});

/** Appends auditInput(day) for each day, each written (recorded_at) at T0 + day days of wall-clock time. */
function appendWrittenOnDays(db: OrdinisDatabase, clock: ManualClock, days: Iterable<number>, input: (day: number) => AuditRecordInput = auditInput): void {
  for (const day of days) {
    clock.set(T0 + day * DAY);
    db.audit.append(input(day));
  }
}

test('the audit log is purged only with its own retention, by the wall-clock time records were written, and stays verifiable', (t) => {
  const clock = new ManualClock(T0);
  const { db } = openTempDatabase(t, { wallClock: clock });
  // Every record is about a bar from 1995 (ts); they were written on days 1..20 of 2025.
  appendWrittenOnDays(db, clock, range(1, 20), (day) => auditInput(day, { ts: '1995-01-03T00:00:00.000Z' }));
  db.audit.markExported(db.audit.head(), 'archive.jsonl');
  clock.set(T0 + 59 * DAY);
  assert.equal(db.purgeOlderThan({ runsDays: 30 }).audit, null);
  assert.equal(count(db, 'audit_log'), 20);

  // Written before now - 50 days = day 9: days 1..8 go, whatever their ts says.
  const report = db.purgeOlderThan({ runsDays: 30, auditDays: 50 });
  assert.equal(report.auditCutoff, new Date(T0 + 9 * DAY).toISOString());
  assert.equal(report.audit?.purged, 8);
  assert.deepEqual(report.tables.find((x) => x.table === 'audit_log'), { table: 'audit_log', cutoff: report.auditCutoff, deleted: 8, total: 20 });
  const v = db.audit.verify();
  assert.deepEqual({ ok: v.ok, checked: v.checked }, { ok: true, checked: 12 });
  db.audit.assertChainIntact();
});

test('audit records that were never exported are never purged, however old', (t) => {
  const clock = new ManualClock(T0);
  const { db } = openTempDatabase(t, { wallClock: clock });
  appendWrittenOnDays(db, clock, range(1, 10));
  // Exported through seq 3; more records appended after that export.
  db.audit.markExported({ seq: 3, hash: db.audit.list({ afterSeq: 2, limit: 1 })[0]!.hashSelf }, 'first.jsonl');
  clock.set(T0 + 5000 * DAY);
  const lines = captureLogs(t);

  const report = db.purgeOlderThan({ runsDays: 30, auditDays: 50, allowLargePurge: true, logger: lines.logger });
  assert.equal(report.audit?.purged, 3);
  assert.equal(report.auditHeldUnexported, 7);
  assert.deepEqual(db.audit.list().map((x) => x.seq), [4, 5, 6, 7, 8, 9, 10]);
  assert.equal(db.audit.verify().ok, true);
  assert.ok(lines.all().some((l) => l.level === 'info' && l.retention?.heldUnexported === 7), 'the kept records are logged');

  // Nothing more goes until it is exported.
  assert.equal(db.purgeOlderThan({ runsDays: 30, auditDays: 50, allowLargePurge: true }).audit?.purged, 0);
  db.audit.markExported(db.audit.head(), 'second.jsonl');
  assert.equal(db.purgeOlderThan({ runsDays: 30, auditDays: 50, allowLargePurge: true }).audit?.purged, 7);
});

test('a wall clock that jumped 20 years forward purges nothing and fails, naming table, counts, cutoff and the flag', (t) => {
  const clock = new ManualClock(T0);
  const temp = openTempDatabase(t, { wallClock: clock });
  for (let i = 0; i < 10; i++) {
    clock.set(T0 + i * DAY);
    writeCycle(temp.db, `run-${i}`);
  }
  appendWrittenOnDays(temp.db, clock, range(1, 10));
  temp.db.audit.markExported(temp.db.audit.head(), 'archive.jsonl');
  const before = TABLES.map((x) => count(temp.db, x));

  const jumped = new ManualClock(T0 + 20 * 365 * DAY);
  const db = temp.reopen({ wallClock: jumped });
  const lines = captureLogs(t);
  const options = { runsDays: 365, auditDays: 2555, maxPurgePct: 50, logger: lines.logger };
  const err = expectCode(() => db.purgeOlderThan(options), 'E_DB_RETENTION_REFUSED');
  const runsCutoff = new Date(T0 + 20 * 365 * DAY - 365 * DAY).toISOString();
  assert.ok(err.message.includes(`runs: 10 of 10 rows (100%) stored before ${runsCutoff}`), err.message);
  assert.match(err.message, /audit_log: 10 of 10 rows \(100%\)/);
  assert.match(err.message, /DB_RETENTION_MAX_PURGE_PCT=50%/);
  assert.match(err.message, /--allow-large-purge/);
  assert.match(err.message, /nothing was deleted/);
  assert.equal(err.retryable, false);
  assert.deepEqual(TABLES.map((x) => count(db, x)), before, 'nothing was deleted');
  assert.equal(db.audit.anchor().seq, 0);
  assert.ok(lines.all().some((l) => l.level === 'error' && /retention refused/.test(l.msg)), 'the refusal is logged');

  // The operator checked the clock and says so: everything due goes, each table logged with its cutoff.
  const report = db.purgeOlderThan({ ...options, allowLargePurge: true });
  assert.equal(report.runs, 10);
  assert.equal(report.audit?.purged, 10);
  const logged = lines.all().filter((l) => l.level === 'info' && l.retention?.table !== undefined);
  assert.deepEqual(
    logged.map((l) => [l.retention.table, l.retention.deleted, l.retention.total, l.retention.cutoff]),
    [
      ['artifacts', 10, 10, runsCutoff],
      ['runs', 10, 10, runsCutoff],
      ['run_config_snapshot', 10, 10, runsCutoff],
      ['risk_decisions', 10, 10, runsCutoff],
      ['dlq', 10, 10, runsCutoff],
      ['audit_log', 10, 10, report.auditCutoff],
    ],
  );
});

test('the bounded share is per table: a purge at or under it goes ahead', (t) => {
  const clock = new ManualClock(T0);
  const { db } = openTempDatabase(t, { wallClock: clock });
  for (let i = 0; i < 10; i++) {
    clock.set(T0 + i * DAY);
    writeCycle(db, `run-${i}`);
  }
  // Now - 3 days: runs 0..6 (7 of 10) are due.
  clock.set(T0 + 10 * DAY);
  expectCode(() => db.purgeOlderThan({ runsDays: 3, maxPurgePct: 50 }), 'E_DB_RETENTION_REFUSED');
  assert.equal(db.purgeOlderThan({ runsDays: 3, maxPurgePct: 70 }).runs, 7);
  assert.equal(count(db, 'runs'), 3);
  expectCode(() => db.purgeOlderThan({ maxPurgePct: 101 }), 'E_CFG_INVALID');
});

test('retention periods must be finite and not negative', (t) => {
  const { db } = openTempDatabase(t);
  expectCode(() => db.purgeOlderThan({ runsDays: -1 }), 'E_CFG_INVALID');
  expectCode(() => db.purgeOlderThan({ auditDays: Number.NaN }), 'E_CFG_INVALID');
});
