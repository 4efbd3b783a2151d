// RISK → EXEC → PORT → ANA → AUDIT driven by hand over a few bars with a PaperBroker:
// the fill timing semantics (decision on bar t's close → fill at bar t+1's open).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExecutionBatch } from '../../../src/domain/order.ts';
import type { RiskDecision } from '../../../src/domain/risk.ts';
import { DAY, Pipeline, T0, bar, makeCtx, signal } from '../exec/support.ts';

const X = (d: number, open: number, close: number) => bar('X', T0 + d * DAY, open, close);

test('a decision on bar t fills at the open of bar t+1; books, KPIs and audit follow', () => {
  const p = new Pipeline({ startingCash: 1000, risk: { sizing: { kind: 'fixed', qty: 10 } } });

  const c0 = p.step(T0, [X(0, 10, 10)], [signal('X', 'LONG', T0)]);
  assert.equal(c0.RISK![0].allowed, true);
  assert.equal(c0.EXEC!.submitted.length, 1);
  assert.equal(c0.EXEC!.submitted[0].report.status, 'submitted');
  assert.deepEqual([c0.PORT!.cash, c0.PORT!.equity, c0.PORT!.postedFills], [1000, 1000, 0]);
  assert.equal(c0.AUDIT!.checked, 1);

  // Bar 1 reaches the broker first: the order fills at its open (11), before RISK runs.
  const c1 = p.step(T0 + DAY, [X(1, 11, 12)], [signal('X', 'LONG', T0 + DAY)]);
  assert.deepEqual(c1.RISK![0].reasons, ['RISK.POSITION.NO_CHANGE'], 'RISK sees the position filled at the open');
  const fill = c1.EXEC!.resolved[0].fills[0];
  assert.deepEqual([fill.price, fill.ts, fill.qty, fill.side], [11, T0 + DAY, 10, 'buy']);
  assert.equal(c1.PORT!.postedFills, 1);
  assert.equal(c1.PORT!.cash, 1000 - 110);
  assert.equal(c1.PORT!.equity, 1000 - 110 + 120);

  const c2 = p.step(T0 + 2 * DAY, [X(2, 13, 14)], [signal('X', 'FLAT', T0 + 2 * DAY)]);
  assert.deepEqual(c2.RISK![0].order, { side: 'sell', qty: 10, referencePrice: 14 });
  assert.equal(c2.PORT!.equity, 890 + 140);

  const c3 = p.step(T0 + 3 * DAY, [X(3, 15, 13)]);
  assert.equal(c3.EXEC!.resolved[0].fills[0].price, 15);
  assert.equal(c3.PORT!.cash, 1000 + 10 * (15 - 11));
  assert.equal(c3.PORT!.equity, 1040);
  assert.equal(c3.ANA!.kpis.trades, 1);
  assert.equal(c3.ANA!.kpis.totalReturnPct, 100 * (1040 / 1000 - 1));
  assert.equal(c3.ANA!.kpis.maxDrawdownPct, 0);
  assert.deepEqual(p.ana.closedTrades().map((t) => [t.openTs, t.closeTs, t.entryPrice, t.pnlNet]), [[T0 + DAY, T0 + 3 * DAY, 11, 40]]);
  assert.deepEqual(p.ana.orderStats(), { orders: 2, filled: 2, rejected: 0, canceled: 0, riskRejected: 0, unfilled: 0, fills: 2 });
  assert.deepEqual(p.ana.equityCurve().map((e) => e.value), [1000, 1010, 1030, 1040]);
  assert.equal(p.gov.submitAudits().length, 2);
  assert.equal(p.breaches.length, 0);
});

test("fill timing 'close': the order fills at the decision bar's close and PORT posts it in the same cycle", () => {
  const p = new Pipeline({ startingCash: 1000, broker: { fillTiming: 'close' }, risk: { sizing: { kind: 'fixed', qty: 10 } } });
  const c0 = p.step(T0, [X(0, 10, 12)], [signal('X', 'LONG', T0)]);
  assert.equal(c0.EXEC!.submitted[0].report.status, 'filled');
  assert.equal(c0.EXEC!.resolved[0].fills[0].price, 12);
  assert.equal(c0.PORT!.cash, 1000 - 120);
  assert.equal(c0.PORT!.equity, 1000);
  const c1 = p.step(T0 + DAY, [X(1, 20, 15)], [signal('X', 'FLAT', T0 + DAY)]);
  assert.equal(c1.PORT!.cash, 1000 + 30);
  assert.equal(p.ana.closedTrades()[0].pnlGross, 30);
});

test('two-stage cash checks: at submission (bar t close) and at the fill (bar t+1 open)', () => {
  // Submission check: 10 x 101 > 1000 at the decision close → rejected by RISK, never sent.
  const p = new Pipeline({ startingCash: 1000, risk: { sizing: { kind: 'fixed', qty: 10 } } });
  const c0 = p.step(T0, [X(0, 100, 101)], [signal('X', 'LONG', T0)]);
  assert.deepEqual(c0.RISK![0].reasons, ['RISK.CASH.INSUFFICIENT']);
  assert.equal(c0.EXEC!.submitted.length, 0);
  assert.equal((c0.EXEC as ExecutionBatch).riskRejected.length, 1);
  // Fill check: affordable at the close (99), not at the next open (101) → the broker rejects it.
  const c1 = p.step(T0 + DAY, [X(1, 100, 99)], [signal('X', 'LONG', T0 + DAY)]);
  assert.equal(c1.RISK![0].allowed, true);
  const c2 = p.step(T0 + 2 * DAY, [X(2, 101, 100)]);
  assert.equal(c2.EXEC!.resolved[0].status, 'rejected');
  assert.match(c2.EXEC!.resolved[0].rejectReason!, /insufficient cash at fill/);
  assert.equal(c2.PORT!.cash, 1000);
  assert.deepEqual(p.ana.orderStats(), { orders: 2, filled: 0, rejected: 2, canceled: 0, riskRejected: 1, unfilled: 0, fills: 0 });
});

test('an order submitted on the last bar never fills (unfilled at the end)', () => {
  const p = new Pipeline({ startingCash: 1000 });
  p.step(T0, [X(0, 10, 10)]);
  p.step(T0 + DAY, [X(1, 10, 10)], [signal('X', 'LONG', T0 + DAY)]);
  assert.deepEqual(p.ana.orderStats(), { orders: 1, filled: 0, rejected: 0, canceled: 0, riskRejected: 0, unfilled: 1, fills: 0 });
});

test('a ledger/broker mismatch trips the kill switch; afterwards nothing is submitted', () => {
  const p = new Pipeline({ startingCash: 1000 });
  p.step(T0, [X(0, 10, 10)]);
  // Someone trades the account behind the engine's back.
  p.broker.submit({ clientOrderId: 'rogue', idempotencyKey: 'rogue', correlationId: 'x', signalId: 'x', symbol: 'X', side: 'buy', qty: 1, orderType: 'market', timeInForce: 'gtc', ts: T0 });
  assert.throws(() => p.step(T0 + DAY, [X(1, 10, 10)]), /E_LEDG_INVARIANT_BREACH/);
  assert.equal(p.killed, true);
  assert.equal(p.breaches.length, 1);
  const submitsBefore = p.gov.submitAudits().length;
  const risk = p.risk.run(makeCtx({ cycleTime: T0 + 2 * DAY, killed: () => p.killed, data: { ING: { asOf: T0 + 2 * DAY, bars: [X(2, 10, 10)] }, SIG: [signal('X', 'FLAT', T0 + 2 * DAY)] } })) as RiskDecision[];
  assert.deepEqual(risk[0].reasons, ['RISK.KILL.ACTIVE']);
  const exec = p.exec.run(makeCtx({ stage: 'EXEC', cycleTime: T0 + 2 * DAY, killed: () => p.killed, data: { RISK: [{ ...risk[0], allowed: true, reasons: ['RISK.OK'], order: { side: 'buy', qty: 1, referencePrice: 10 } }] } })) as ExecutionBatch;
  assert.equal(exec.submitted.length, 0, 'EXEC refuses too (enforcement point #3)');
  assert.equal(p.gov.submitAudits().length, submitsBefore);
});
