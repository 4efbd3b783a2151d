import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExecutionBatch, ExecutionReport, OrderIntent } from '../../../src/domain/order.ts';
import type { PortfolioSnapshot } from '../../../src/domain/portfolio.ts';
import { OrdinisError } from '../../../src/errors.ts';
import { AnalyticsStage } from '../../../src/stages/ana/analytics-stage.ts';
import { DAY, T0, makeCtx } from '../exec/support.ts';

function snap(ts: number, equity: number, qty = 0): PortfolioSnapshot {
  return { ts, cash: equity, equity, positions: qty ? [{ symbol: 'X', qty, avgCost: 1, mark: 1, realizedPnl: 0 }] : [], exposure: 0, realizedPnl: 0, unrealizedPnl: 0, fees: 0, postedFills: 0 };
}

function intent(id: string): OrderIntent {
  return { clientOrderId: id, idempotencyKey: id, correlationId: 'c', signalId: id, symbol: 'X', side: 'buy', qty: 10, orderType: 'market', timeInForce: 'gtc', ts: T0 };
}

function report(id: string, status: ExecutionReport['status'], side: 'buy' | 'sell' = 'buy', price = 10, ts = T0): ExecutionReport {
  const fills = status === 'filled' ? [{ fillId: `${id}-f`, clientOrderId: id, symbol: 'X', side, qty: 10, price, commission: 1, ts }] : [];
  return { orderId: id, clientOrderId: id, symbol: 'X', side, status, qty: 10, filledQty: fills.length ? 10 : 0, fills, fees: fills.length, slippage: 0, ts };
}

function batch(p: Partial<ExecutionBatch>): ExecutionBatch {
  return { submitted: [], resolved: [], working: [], riskRejected: [], refused: [], recovered: [], ...p };
}

test('ANA values each cycle, counts orders like backtrader and keeps curve and trades', () => {
  const ana = new AnalyticsStage({ startingCash: 1000 });
  const run = (i: number, equity: number, exec: ExecutionBatch, qty = 0) =>
    ana.run(makeCtx({ stage: 'ANA', correlationId: `c${i}`, cycleTime: T0 + i * DAY, data: { PORT: snap(T0 + i * DAY, equity, qty), EXEC: exec } }));

  run(0, 1000, batch({ submitted: [{ intent: intent('a'), report: report('a', 'submitted') }], riskRejected: [{ signalId: 's', symbol: 'Y', side: 'buy', qty: 1, referencePrice: 1, reason: 'RISK.CASH.INSUFFICIENT', ts: T0 }] }));
  run(1, 990, batch({ resolved: [report('a', 'filled', 'buy', 10, T0 + DAY)], submitted: [{ intent: intent('b'), report: report('b', 'submitted') }] }), 10);
  const r = run(2, 1019, batch({ resolved: [report('b', 'filled', 'sell', 13, T0 + 2 * DAY)] }));

  assert.equal(r.equity, 1019);
  assert.ok(Math.abs(r.kpis.totalReturnPct - 1.9) < 1e-12);
  assert.equal(r.kpis.trades, 1);
  assert.equal(r.kpis.fees, 2);
  assert.ok(Math.abs(r.kpis.exposurePct - 100 / 3) < 1e-12);
  assert.ok(Math.abs(r.kpis.maxDrawdownPct - 1) < 1e-12);
  assert.deepEqual(ana.closedTrades().map((t) => [t.pnlGross, t.pnlNet]), [[30, 28]]);
  assert.deepEqual(ana.orderStats(), { orders: 3, filled: 2, rejected: 1, canceled: 0, riskRejected: 1, unfilled: 0, fills: 2 });
  assert.deepEqual(ana.equityCurve().map((p) => [p.value, p.drawdownPct]), [[1000, 0], [990, 1], [1019, 0]]);
  assert.ok(r.quality.includes('TOO_FEW_BARS') && r.quality.includes('TOO_FEW_TRADES'));
  assert.deepEqual(ana.summarize(r), { equity: 1019, totalReturnPct: r.kpis.totalReturnPct, maxDrawdownPct: r.kpis.maxDrawdownPct, trades: 1, quality: r.quality });
});

test('a retried ANA for the same cycle returns the first result and counts nothing twice', () => {
  const ana = new AnalyticsStage({ startingCash: 1000 });
  const ctx = makeCtx({ stage: 'ANA', correlationId: 'same', data: { PORT: snap(T0, 1010), EXEC: batch({ resolved: [report('a', 'filled')] }) } });
  const a = ana.run(ctx);
  const b = ana.run(ctx);
  assert.equal(b, a);
  assert.equal(ana.orderStats().fills, 1);
  assert.equal(ana.equityCurve().length, 1);
});

test('without a starting cash the first equity is the base; without PORT ANA fails', () => {
  const ana = new AnalyticsStage();
  const r = ana.run(makeCtx({ stage: 'ANA', data: { PORT: snap(T0, 5000) } }));
  assert.equal(r.kpis.totalReturnPct, 0);
  assert.throws(() => new AnalyticsStage().run(makeCtx({ stage: 'ANA' })), (e: unknown) => e instanceof OrdinisError && e.code === 'E_ANA_COMPUTE_FAILED');
});

test('forgetOrders drops the ids of released orders and keeps every count', () => {
  const ana = new AnalyticsStage({ startingCash: 1000 });
  const run = (i: number, exec: ExecutionBatch) => ana.run(makeCtx({ stage: 'ANA', correlationId: `c${i}`, cycleTime: T0 + i * DAY, data: { PORT: snap(T0 + i * DAY, 1000), EXEC: exec } }));
  run(0, batch({ submitted: [{ intent: intent('a'), report: report('a', 'submitted') }] }));
  const filled = report('a', 'filled');
  run(1, batch({ resolved: [filled] }));
  // Re-reported before it is forgotten: counted once.
  run(2, batch({ resolved: [filled] }));
  const before = ana.orderStats();
  assert.deepEqual(before, { orders: 1, filled: 1, rejected: 0, canceled: 0, riskRejected: 0, unfilled: 0, fills: 1 });
  ana.forgetOrders([filled]);
  assert.deepEqual(ana.orderStats(), before);
  run(3, batch({ submitted: [{ intent: intent('b'), report: report('b', 'submitted') }] }));
  assert.equal(ana.orderStats().orders, 2);
});
