import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RiskDecision } from '../../src/domain/risk.ts';
import { openTempDatabase } from './temp-database.ts';

const allowed: RiskDecision = {
  signalId: 'sig-1',
  symbol: 'AAPL',
  ts: 1000,
  allowed: true,
  reasons: ['RISK.OK'],
  policyVersion: 'risk_v1',
  order: { side: 'buy', qty: 80, referencePrice: 187.2 },
  adjustments: ['qty capped 120 -> 80 by symbol cap'],
};
const denied: RiskDecision = {
  signalId: 'sig-2',
  symbol: 'MSFT',
  ts: 1000,
  allowed: false,
  reasons: ['RISK.KILL.ACTIVE'],
  policyVersion: 'risk_v1',
};

test('a cycle\'s decisions round-trip, per run, in order', (t) => {
  const temp = openTempDatabase(t);
  temp.db.riskDecisions.record('run-1', [allowed, denied]);
  temp.db.riskDecisions.record('run-2', [{ ...denied, signalId: 'sig-3' }]);
  temp.db.riskDecisions.record('run-3', []);
  const store = temp.reopen().riskDecisions;
  assert.deepEqual(store.listByRun('run-1'), [allowed, denied]);
  assert.deepEqual(store.listByRun('run-2').map((d) => d.signalId), ['sig-3']);
  assert.deepEqual(store.listByRun('run-3'), []);
  const row = temp.db.handle.prepare("SELECT allowed, reasons_json FROM risk_decisions WHERE signal_id = 'sig-2'").get();
  assert.deepEqual(row, { allowed: 0, reasons_json: '["RISK.KILL.ACTIVE"]' });
});

test('a retried RISK stage replaces its earlier verdict for the same signal', (t) => {
  const { db } = openTempDatabase(t);
  db.riskDecisions.record('run-1', [allowed, denied]);
  const retried: RiskDecision = { ...allowed, allowed: false, reasons: ['RISK.DATA.STALE'], order: undefined, adjustments: undefined };
  db.riskDecisions.record('run-1', [retried]);
  const got = db.riskDecisions.listByRun('run-1');
  assert.deepEqual(got.map((d) => [d.signalId, d.allowed]), [['sig-1', false], ['sig-2', false]]);
});

/** `n` distinct decisions of one cycle, signal ids sig-0 .. sig-(n-1). */
function manyDecisions(n: number): RiskDecision[] {
  return Array.from({ length: n }, (_, i) => ({ ...denied, signalId: `sig-${i}`, ts: 1000 + i }));
}

test('a cycle with more decisions than fit in one statement stores them all, in order', (t) => {
  const { db } = openTempDatabase(t);
  const decisions = manyDecisions(75);
  db.riskDecisions.record('run-1', decisions);
  assert.deepEqual(db.riskDecisions.listByRun('run-1'), decisions);
});

test('a cycle\'s decisions are stored all or none, however many statements they take', (t) => {
  const { db } = openTempDatabase(t);
  for (const n of [3, 75]) {
    const decisions = manyDecisions(n);
    decisions[n - 1] = { ...decisions[n - 1]!, ts: null as unknown as number };
    assert.throws(() => db.riskDecisions.record(`run-${n}`, decisions), { code: 'E_DB_CONSTRAINT' });
    assert.deepEqual(db.riskDecisions.listByRun(`run-${n}`), []);
  }
});

test('a signal decided twice in one call keeps the later verdict', (t) => {
  const { db } = openTempDatabase(t);
  const retried: RiskDecision = { ...allowed, allowed: false, reasons: ['RISK.DATA.STALE'], order: undefined, adjustments: undefined };
  db.riskDecisions.record('run-1', [allowed, denied, retried]);
  assert.deepEqual(db.riskDecisions.listByRun('run-1').map((d) => [d.signalId, d.allowed]), [['sig-1', false], ['sig-2', false]]);
});
