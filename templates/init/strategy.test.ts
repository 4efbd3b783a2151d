// The strategy through the real pipeline (every stage, the simulated venue), over bars made
// in the test: run with `npm test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barsFromRows, runStrategy } from 'ordinis-orch/testing';
import strategy from './strategy.ts';

// Closes fall for 20 days, rise for 20, fall for 20; each bar opens 0.5 above its close, so
// a fill price tells an open from a close.
const closes = [
  ...Array.from({ length: 20 }, (_, i) => 100 - i),
  ...Array.from({ length: 20 }, (_, i) => 81 + 2 * i),
  ...Array.from({ length: 20 }, (_, i) => 119 - 2 * i),
];
const bars = barsFromRows(closes.map((c) => [c + 0.5, c + 1, c - 1, c]), { symbol: 'DEMO', start: '2024-01-01' });
const TROUGH = 19; // index of the lowest close

test('buys after the fast EMA crosses above the slow one, at the next bar\'s open', async () => {
  const run = await runStrategy(strategy, { bars, params: { fast: 3, slow: 8 } });
  const buy = run.fills[0];
  assert.ok(buy, 'a fill');
  assert.equal(buy.side, 'buy');
  const at = bars.findIndex((b) => b.ts === Date.parse(buy.ts));
  assert.ok(at > TROUGH + 1, 'the cross comes after the turn, and the fill a bar after the cross');
  assert.equal(buy.price, bars[at]!.open, 'filled at the open of the bar after the decision');
});

test('sells the whole position when the fast EMA crosses back below', async () => {
  const run = await runStrategy(strategy, { bars, params: { fast: 3, slow: 8 }, sizing: { kind: 'fixed', qty: 5 } });
  assert.deepEqual(run.fills.map((f) => [f.side, f.qty]), [['buy', 5], ['sell', 5]]);
  assert.equal(run.closedTrades.length, 1);
});

test('refuses a fast period that is not below the slow one', async () => {
  await assert.rejects(runStrategy(strategy, { bars, params: { fast: 8, slow: 3 } }), /fast must be less than slow/);
});
