// A trailing stop's price as pure functions (backtrader's StopTrail trailadjust): RISK checks
// cash at where it starts, the venue moves it after each bar it did not fill on.

import type { OrderSide } from './order.ts';

/** A trailing stop's distance at `price`: the amount, or the percent of the price (backtrader's trailadjust). */
function trailDistance(price: number, amount: number | undefined, percent: number | undefined): number {
  return amount !== undefined ? amount : percent !== undefined ? price * percent : 0;
}

/** Where a trailing stop starts: `base` (its stopPrice, else the decision close) ∓ the trail, below for a sell. */
export function initialTrailStop(side: OrderSide, base: number, amount: number | undefined, percent: number | undefined): number {
  const d = trailDistance(base, amount, percent);
  return side === 'buy' ? base + d : base - d;
}

/** A trailing stop after a bar it did not fill on: it follows the close, only ever tightening (backtrader's trailadjust). */
export function trailAfterBar(side: OrderSide, stop: number, close: number, amount: number | undefined, percent: number | undefined): number {
  const d = trailDistance(close, amount, percent);
  if (side === 'buy') {
    const p = close + d;
    return p < stop ? p : stop;
  }
  const p = close - d;
  return p > stop ? p : stop;
}

