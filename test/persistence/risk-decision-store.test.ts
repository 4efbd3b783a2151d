import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import type { RiskDecision } from '../../src/domain/risk.ts';
import { reasonsJson } from '../../src/persistence/sqlite-risk-decision-store.ts';
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

test('reasons_json is JSON.stringify of the reasons, whatever the list (one code is remembered, not re-encoded)', () => {
  const lists: string[][] = [[], ['RISK.OK'], ['RISK.OK'], ['RISK.CASH.INSUFFICIENT'], ['RISK.KILL.ACTIVE', 'RISK.DATA.STALE'], ['a "quoted" \\ code'], ['\u2028 \ud800']];
  for (const reasons of lists) assert.equal(reasonsJson(reasons), JSON.stringify(reasons));
  // Beyond the cache's bound the text is still right, just not kept.
  for (let k = 0; k < 100; k++) assert.equal(reasonsJson([`CODE.${k}`]), JSON.stringify([`CODE.${k}`]));
});

test('recorded_at is the wall clock as toISOString writes it, at every write (remembered per millisecond)', (t) => {
  const clock = new ManualClock(Date.parse('2025-03-04T05:06:07.089Z'));
  const { db } = openTempDatabase(t, { wallClock: clock });
  const at = (signalId: string): unknown => db.handle.prepare('SELECT recorded_at FROM risk_decisions WHERE signal_id = ?').pluck().get(signalId);
  db.riskDecisions.record('run-1', [{ ...denied, signalId: 'a' }]);
  db.riskDecisions.record('run-2', [{ ...denied, signalId: 'b' }]);
  clock.set(clock.now() + 1);
  db.riskDecisions.record('run-3', [{ ...denied, signalId: 'c' }]);
  assert.equal(at('a'), '2025-03-04T05:06:07.089Z');
  assert.equal(at('b'), '2025-03-04T05:06:07.089Z');
  assert.equal(at('c'), new Date(clock.now()).toISOString());
});

test('a decision costs one index entry: the upsert key, no recorded_at index (v5); retention scans instead', (t) => {
  const { db } = openTempDatabase(t);
  const indexes = db.handle.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'risk_decisions' ORDER BY name").pluck().all();
  assert.deepEqual(indexes, ['sqlite_autoindex_risk_decisions_1']);
  const plan = (db.handle.prepare('EXPLAIN QUERY PLAN SELECT decision_json FROM risk_decisions WHERE correlation_id = ? ORDER BY id').all('x') as { detail: string }[])
    .map((r) => r.detail)
    .join('; ');
  assert.match(plan, /sqlite_autoindex_risk_decisions_1/, 'listByRun still goes by the unique index');
});
