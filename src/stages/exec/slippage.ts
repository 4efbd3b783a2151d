// Fixed-bps slippage, as a pure function: a buy pays up, a sell receives down. Like
// backtrader's default (slip_match=True, slip_out=False), a slipped price never leaves the
// bar's range: it is capped at the high for buys and floored at the low for sells.

import type { OrderSide } from '../../domain/order.ts';

export interface PriceRange {
  high: number;
  low: number;
}

export function slippedPrice(side: OrderSide, price: number, bps: number, range?: PriceRange): number {
  if (bps === 0) return price;
  const frac = bps / 10000;
  if (side === 'buy') {
    const p = price * (1 + frac);
    return range !== undefined && p > range.high ? range.high : p;
  }
  const p = price * (1 - frac);
  return range !== undefined && p < range.low ? range.low : p;
}
