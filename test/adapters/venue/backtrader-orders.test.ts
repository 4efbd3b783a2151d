// The paper venue against backtrader 1.9.78's BackBroker on real data: a seeded mix of market,
// limit, stop and stop-limit orders, buys and sells (long and short), good-till-cancelled and
// day, with cancels (test/fixtures/backtrader/orders/, made by the script the README there
// describes). The same orders are submitted on the same bars; every order's outcome (status,
// date, price, size, commission) and the cash and value after every bar must be equal, to
// the last bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PaperBroker } from '../../../src/adapters/venue/paper-broker.ts';
import { readBarsFile } from '../../../src/adapters/data/csv-bars.ts';
import { portfolioValue } from '../../../src/stages/port/ledger.ts';
import type { OrderIntent, OrderType } from '../../../src/domain/order.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'backtrader', 'orders');
const DATA = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'backtrader');

type Scheduled =
  | { bar: number; cancel: string }
  | { bar: number; id: string; type: OrderType; side: 'buy' | 'sell'; size: number; tif: 'gtc' | 'day'; price?: number; limit?: number; trailamount?: number; trailpercent?: number; parent?: string; oco?: string };
interface OrderEvent { id: string; status: 'Completed' | 'Expired' | 'Canceled' | 'Margin'; date: string | null; size?: number; price?: number; commission?: number }
interface OrderMixFixture {
  data_file: string;
  cash: number;
  commission_pct: number;
  slip_perc: number;
  schedule: Scheduled[];
  events: OrderEvent[];
  curve: [string, number, number][];
  final_cash: number;
  final_value: number;
  final_position: number;
}

/** The bt order's terms as an intent: `price` is the limit of a limit order, the trigger of a stop or stop-limit, where a trailing stop starts from. */
function intentOf(s: Extract<Scheduled, { id: string }>, ts: number): OrderIntent {
  const i: OrderIntent = { clientOrderId: s.id, idempotencyKey: `k-${s.id}`, correlationId: 'bt', signalId: s.id, symbol: 'X', side: s.side, qty: s.size, orderType: s.type, timeInForce: s.tif, ts };
  if (s.type === 'limit') i.limitPrice = s.price;
  if ((s.type === 'stop' || s.type === 'stop_limit' || s.type === 'stop_trail' || s.type === 'stop_trail_limit') && s.price !== undefined) i.stopPrice = s.price;
  if (s.type === 'stop_limit' || s.type === 'stop_trail_limit') i.limitPrice = s.limit;
  if (s.trailamount !== undefined) i.trailAmount = s.trailamount;
  if (s.trailpercent !== undefined) i.trailPercent = s.trailpercent;
  if (s.parent !== undefined) i.parentId = s.parent;
  if (s.oco !== undefined) i.ocoWith = s.oco;
  return i;
}

function replay(file: string): void {
  const fx = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as OrderMixFixture;
  const bars = readBarsFile(join(DATA, fx.data_file), { symbol: 'X' }).bars;
  const broker = new PaperBroker({
    startingCash: fx.cash,
    commission: fx.commission_pct ? { kind: 'percent', percent: fx.commission_pct } : undefined,
    slippageBps: fx.slip_perc * 10000,
  });
  const byBar = new Map<number, Scheduled[]>();
  for (const s of fx.schedule) byBar.set(s.bar, [...(byBar.get(s.bar) ?? []), s]);
  const value = (close: number): number => {
    const { cash, positions } = broker.fetchAccount();
    const qty = positions.get('X') ?? 0;
    return portfolioValue(cash, [{ qty, avgCost: broker.averagePrice('X'), mark: close }]);
  };

  bars.forEach((bar, i) => {
    broker.onBar(bar);
    const point = fx.curve[i];
    if (point !== undefined) {
      assert.equal(new Date(bar.ts).toISOString().slice(0, 10), point[0], `bar ${i} date`);
      assert.equal(broker.fetchAccount().cash, point[1], `cash after bar ${i} (${point[0]})`);
      assert.equal(value(bar.close), point[2], `value after bar ${i} (${point[0]})`);
    }
    for (const s of byBar.get(i) ?? []) {
      if ('cancel' in s) broker.cancel(s.cancel);
      else assert.equal(broker.submit(intentOf(s, bar.ts)).status, 'submitted', `${s.id} accepted`);
    }
  });

  let reversals = 0;
  const outcomes = { Completed: 'filled', Expired: 'canceled', Canceled: 'canceled', Margin: 'rejected' } as const;
  for (const e of fx.events) {
    const r = broker.fetchOrder(e.id)!;
    assert.equal(r.status, outcomes[e.status], `${e.id} status`);
    if (e.status === 'Expired') assert.match(r.rejectReason!, /^expired/, `${e.id} expired`);
    // Canceled by us, or by its bracket or OCO group (a member filled or ended unfilled).
    if (e.status === 'Canceled') assert.ok(r.rejectReason === undefined || /^(bracket|oco) /.test(r.rejectReason), `${e.id} canceled, not expired (${r.rejectReason})`);
    if (e.status !== 'Completed') continue;
    // A reversal is one execution in backtrader and two fills here (closing, then opening).
    for (const f of r.fills) {
      assert.equal(new Date(f.ts).toISOString().slice(0, 10), e.date, `${e.id} fill date`);
      assert.equal(f.price, e.price, `${e.id} fill price`);
    }
    assert.equal(r.side === 'buy' ? r.filledQty : -r.filledQty, e.size, `${e.id} fill size`);
    assert.equal(r.fees, e.commission, `${e.id} commission`);
    if (r.fills.length > 1) reversals++;
  }
  assert.ok(reversals > 0, 'the mix reverses a position in one order at least once');
  const done = new Set(fx.events.map((e) => e.id));
  const open = broker.fetchOpenOrders().map((r) => r.clientOrderId);
  for (const s of fx.schedule) if ('id' in s && !done.has(s.id)) assert.ok(open.includes(s.id), `${s.id} still working at the end, as in backtrader`);
  assert.equal(open.length, fx.schedule.filter((s) => 'id' in s && !done.has(s.id)).length, 'working orders at the end');
  const last = bars[bars.length - 1]!;
  assert.equal(broker.fetchAccount().positions.get('X') ?? 0, fx.final_position, 'final position');
  assert.equal(broker.fetchAccount().cash, fx.final_cash, 'final cash');
  assert.equal(value(last.close), fx.final_value, 'final value');
}

test('ORCL 1995-2014, 841 orders of every type, long and short, 0.1% commission: every fill, cash and value as backtrader', () => {
  replay('orcl-order-mix.json');
});

test('ORCL 1995-2014, brackets (a market or limit parent with a stop-loss and a take-profit, one cancels the other) among single orders, 0.1% commission: every fill, cash and value as backtrader', () => {
  replay('orcl-bracket-mix.json');
});

test('NVDA 1999-2014, one-cancels-others groups of two or three stop and limit orders (chained links join the first one\'s group) among brackets and single orders, 0.1% commission: every fill, cash and value as backtrader', () => {
  replay('nvda-oco-mix.json');
});

test('YHOO 1996-2014, trailing stops (by amount and by percent, some from a given price) among market and limit orders, commission and slippage: every fill, cash and value as backtrader', () => {
  replay('yhoo-trailing-mix.json');
});

test('YHOO 1996-2014, trailing stop-limits (by amount and by percent, the limit on either side of where the stop trails from) among market and limit orders, commission and slippage: every fill, cash and value as backtrader', () => {
  replay('yhoo-trail-limit-mix.json');
});

test('2006 daily, every order type with 0.1% slippage (slip_open): every fill, cash and value as backtrader', () => {
  replay('2006-order-mix-slippage.json');
});
