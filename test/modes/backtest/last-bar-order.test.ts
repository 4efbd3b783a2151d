// An order decided on the last bar is unfilled, not rejected: backtrader's first cash check
// (check_submitted) runs in the broker's next bar, which never comes. Our RISK runs that check
// at the decision bar's close, so ANA counts its rejection only once a next cycle comes.
// The case (test/fixtures/backtrader/choices/last-bar-order-orcl.json, backtrader 1.9.78):
// ORCL to 2005-09-15, whose up-cross buys 2000 shares with 8 537.04 in cash. Before this
// rule the run reported 37 rejected and 0 unfilled; backtrader reports 36 and 1. One bar
// more (to 2005-09-16) and the same order is rejected, in both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBacktest } from '../../../src/modes/backtest/backtest-driver.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { assertSameAsBacktrader, backtestOf, readChoicesFixture, type ChoicesFixture } from './backtrader-choices.ts';

const fx = readChoicesFixture('last-bar-order-orcl.json') as ChoicesFixture & {
  withNextBar: { toDate: string; orders: number; ordersFilled: number; ordersRejected: number; ordersUnfilled: number; finalCash: number; lastRejection: [string, string, string, string] };
};
const config = loadConfig({ env: {}, profile: 'dev' }).config;

test('a buy decided on the last bar that the cash cannot pay: unfilled, as backtrader counts it', async () => {
  const last = fx.submitted.at(-1)!;
  assert.deepEqual(last, { symbol: 'ORCL', side: 'buy', date: '2005-09-15', size: 2000 });
  assert.ok(fx.finalCash < 2000 * 13, 'the cash check would refuse it');
  const { result: r } = await runBacktest(backtestOf(fx), { config });
  assertSameAsBacktrader(r, fx);
  assert.equal(r.ordersUnfilled, 1);
  // RISK did deny it (its decision is recorded as made); only the order count waits for a next bar.
  const denied = r.riskDenials['RISK.CASH.INSUFFICIENT']!;
  assert.equal(denied.count, fx.ordersRejected + 1);
});

test('one bar more: the same order meets its check and is rejected', async () => {
  const next = fx.withNextBar;
  assert.deepEqual(next.lastRejection, ['2005-09-16', 'ORCL', 'buy', '2005-09-15']);
  const { result: r } = await runBacktest({ ...backtestOf(fx), to: next.toDate }, { config });
  assert.deepEqual(
    { orders: r.orders, filled: r.ordersFilled, rejected: r.ordersRejected, unfilled: r.ordersUnfilled },
    { orders: next.orders, filled: next.ordersFilled, rejected: next.ordersRejected, unfilled: next.ordersUnfilled },
  );
  assert.equal(r.finalCash, next.finalCash);
});
