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
