import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { registerTradingMetrics, type TradingView } from '../../src/observability/trading-metrics.ts';
import { tradingViewOf } from '../../src/modes/paper/trading-view.ts';
import type { PaperRunSummary } from '../../src/modes/paper/paper-summary.ts';
import { eventually, samples, startServedPaper, TEST_API_TOKEN } from '../support/paper-serve.ts';

const VIEW: TradingView = {
  equity: 10_150,
  cash: 8_150,
  realizedPnl: 120,
  unrealizedPnl: 30,
  positions: [
    { symbol: 'ORCL', qty: 100, value: 2_000 },
    { symbol: 'NVDA', qty: 0, value: 0 },
  ],
  orders: { submitted: 7, filled: 5, rejected: 2, canceled: 0 },
  fills: 5,
  rejections: { RISK_MAX_POSITION: 3, cash_check: 1, venue: 1 },
  dataStalenessSeconds: 2.5,
  circuitBreaker: 'half-open',
};

test('trading metrics: each series read from the view at the scrape, by Prometheus conventions', async () => {
  const registry = new Registry();
  let view: TradingView | undefined;
  const m = registerTradingMetrics(registry, () => view);
  // No book yet: no position series is invented.
  assert.equal([...samples(await registry.metrics()).keys()].some((k) => k.startsWith('ordinis_position_')), false);

  view = VIEW;
  const s = samples(await registry.metrics());
  assert.equal(s.get('ordinis_equity'), 10_150);
  assert.equal(s.get('ordinis_cash'), 8_150);
  assert.equal(s.get('ordinis_realized_pnl'), 120);
  assert.equal(s.get('ordinis_unrealized_pnl'), 30);
  assert.equal(s.get('ordinis_position_quantity{symbol="ORCL"}'), 100);
  assert.equal(s.get('ordinis_position_value{symbol="ORCL"}'), 2_000);
  assert.equal(s.get('ordinis_position_quantity{symbol="NVDA"}'), 0, 'a closed position reads 0');
  assert.equal(s.get('ordinis_orders_total{status="submitted"}'), 7);
  assert.equal(s.get('ordinis_orders_total{status="rejected"}'), 2);
  assert.equal(s.get('ordinis_fills_total'), 5);
  assert.equal(s.get('ordinis_rejections_total{reason="RISK_MAX_POSITION"}'), 3);
  assert.equal(s.get('ordinis_rejections_total{reason="venue"}'), 1);
  assert.equal(s.get('ordinis_data_staleness_seconds'), 2.5);
  assert.equal(s.get('ordinis_circuit_breaker_state{state="half-open"}'), 1);
  assert.equal(s.get('ordinis_circuit_breaker_state{state="open"}'), 0);
  assert.equal(s.get('ordinis_reconciliation_differences'), 0);
  m.setReconciliationDifferences(2);

  // The next scrape follows the book (counters carry the book's own counts).
  view = { ...VIEW, fills: 6, orders: { ...VIEW.orders, filled: 6 }, circuitBreaker: 'open' };
  const s2 = samples(await registry.metrics());
  assert.equal(s2.get('ordinis_fills_total'), 6);
  assert.equal(s2.get('ordinis_orders_total{status="filled"}'), 6);
  assert.equal(s2.get('ordinis_circuit_breaker_state{state="open"}'), 1);
  assert.equal(s2.get('ordinis_circuit_breaker_state{state="half-open"}'), 0);
  assert.equal(s2.get('ordinis_reconciliation_differences'), 2);
  // One prefix, counters end in _total.
  for (const line of (await registry.metrics()).split('\n').filter((l) => l.startsWith('# TYPE'))) {
    const [, , name, type] = line.split(' ');
    assert.ok(name!.startsWith('ordinis_'), name);
    if (type === 'counter') assert.ok(name!.endsWith('_total'), name);
  }
});

test('tradingViewOf: positions marked at the last close (else their cost), P&L split, rejections by reason', () => {
  const v = tradingViewOf({
    book: {
      cash: 5_000,
      positions: new Map([
        ['ORCL', { qty: 100, avgCost: 10, realizedPnl: 50 }],
        ['YHOO', { qty: -20, avgCost: 30, realizedPnl: -5 }],
        ['NVDA', { qty: 10, avgCost: 7, realizedPnl: 0 }],
      ]),
      marks: new Map([
        ['ORCL', 12],
        ['YHOO', 25],
      ]),
    },
    orders: { orders: 9, filled: 6, rejected: 3, canceled: 0, riskRejected: 2, unfilled: 0, fills: 7 },
    denials: { RISK_MAX_DRAWDOWN: { count: 4, firstTs: 1 } } as never,
    newestBarTs: 1_000,
    now: 61_000,
    circuit: 'closed',
  });
  assert.deepEqual(v.positions, [
    { symbol: 'ORCL', qty: 100, value: 1_200 },
    { symbol: 'YHOO', qty: -20, value: -500 },
    { symbol: 'NVDA', qty: 10, value: 70 },
  ]);
  assert.equal(v.equity, 5_000 + 1_200 - 500 + 70);
  assert.equal(v.realizedPnl, 45);
  assert.equal(v.unrealizedPnl, 100 * 2 + -20 * -5 + 0);
  assert.deepEqual(v.rejections, { RISK_MAX_DRAWDOWN: 4, cash_check: 2, venue: 1 });
  assert.deepEqual(v.orders, { submitted: 9, filled: 6, rejected: 3, canceled: 0 });
  assert.equal(v.fills, 7);
  assert.equal(v.dataStalenessSeconds, 60);
});

test('a real paper run scraped over HTTP: the trading series move with the book and agree with it at the end', async (t) => {
  const { proc, base } = await startServedPaper(t, 60);
  const scrape = async () => samples(await (await fetch(`${base}/metrics`)).text());
  // Trading happens: fills show up on /metrics while the run goes on.
  const first = await eventually('a fill on /metrics', async () => {
    const s = await scrape();
    return (s.get('ordinis_fills_total') ?? 0) >= 1 ? s : undefined;
  });
  assert.equal(first.get('ordinis_circuit_breaker_state{state="closed"}'), 1);
  assert.ok((first.get('ordinis_orders_total{status="submitted"}') ?? 0) >= 1);
  assert.ok(first.has('ordinis_cycle_duration_seconds_count'));
  assert.ok(first.has('ordinis_stage_duration_seconds_count{stage="EXEC"}'));
  const staleness = first.get('ordinis_data_staleness_seconds');
  assert.ok(staleness !== undefined && staleness >= 0, 'a replay is as fresh as its clock');

  // Stop trading (kill switch, with the token), let the cycles go on, then the books are fixed:
  // the scrape must say what the final summary says.
  const kill = await fetch(`${base}/kill/activate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'metrics test', actor: 'test' }),
  });
  assert.equal(kill.status, 200);
  const before = await scrape();
  await eventually('cycles after the kill', async () => {
    const s = await scrape();
    const blocked = s.get('ordinis_cycles_total{status="blocked"}') ?? 0;
    return blocked >= 2 ? s : undefined;
  });
  const last = await scrape();
  assert.equal(last.get('ordinis_kill_switch_active'), 1);
  assert.equal(last.get('ordinis_fills_total'), before.get('ordinis_fills_total'), 'no trading after the kill');
  proc.child.kill('SIGTERM');
  const f = await proc.done;
  assert.equal(f.code, 0, f.stderr.slice(-2000));
  const summary = JSON.parse(f.stdout.trim()) as PaperRunSummary;
  assert.equal(last.get('ordinis_cash'), summary.ledger.cash);
  for (const [symbol, qty] of Object.entries(summary.ledger.positions)) assert.equal(last.get(`ordinis_position_quantity{symbol="${symbol}"}`), qty, symbol);
  assert.equal(last.get('ordinis_fills_total'), summary.ledger.fills);
  const value = [...last].filter(([k]) => k.startsWith('ordinis_position_value{')).reduce((a, [, v]) => a + v, 0);
  assert.ok(Math.abs(last.get('ordinis_equity')! - (last.get('ordinis_cash')! + value)) < 1e-6, 'equity = cash + positions');
});
