import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
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

  const report = db.purgeOlderThan();
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

test('the audit log is purged only with its own retention, and stays verifiable', (t) => {
  const clock = new ManualClock(Date.parse('2025-03-01T00:00:00.000Z'));
  const { db } = openTempDatabase(t, { wallClock: clock });
  for (let day = 1; day <= 20; day++) db.audit.append(auditInput(day));
  assert.equal(db.purgeOlderThan({ runsDays: 30 }).audit, null);
  assert.equal(count(db, 'audit_log'), 20);

  // 2025-03-01 minus 50 days = 2025-01-10: days 1..9 go.
  const report = db.purgeOlderThan({ runsDays: 30, auditDays: 50 });
  assert.equal(report.auditCutoff, '2025-01-10T00:00:00.000Z');
  assert.equal(report.audit?.purged, 9);
  assert.deepEqual(db.audit.verify(), { ok: true, checked: 11 });
  db.audit.assertChainIntact();
});

test('retention periods must be finite and not negative', (t) => {
  const { db } = openTempDatabase(t);
  expectCode(() => db.purgeOlderThan({ runsDays: -1 }), 'E_CFG_INVALID');
  expectCode(() => db.purgeOlderThan({ auditDays: Number.NaN }), 'E_CFG_INVALID');
});
