// When and at what price a working order executes on a bar, as pure functions: backtrader
// 1.9.78's BackBroker._try_exec_* rule by rule, so the paper venue fills every order type
// exactly where backtrader does. Slippage is the venue's fixed bps, applied where backtrader
// applies `slip_perc` with `slip_open=True, slip_match=True, slip_out=False`: never beyond
// the bar (a buy is capped at the high, a sell floored at the low) and, for a limit filled at
// the open, never beyond the limit.

import type { Bar } from '../../domain/market.ts';
import type { OrderSide, OrderType } from '../../domain/order.ts';
import { slippedPrice } from '../../stages/exec/slippage.ts';

/** What the rules read of a working order. */
export interface WorkingTerms {
  side: OrderSide;
  orderType: OrderType;
  limitPrice?: number;
  stopPrice?: number;
  /** A stop-limit whose stop was touched on an earlier bar: it works as a limit now. */
  triggered: boolean;
}

/** The outcome on one bar: a price to execute at (none: keep working), and whether a stop-limit's stop was touched. */
export interface BarMatch {
  /** Execution price, slippage included; undefined when the order does not execute on this bar. */
  price: number | undefined;
  /** The price before slippage (for the report's slippage figure). */
  base: number;
  triggered: boolean;
}

/** Whether and where an order executes on `bar` (backtrader's _try_exec). */
export function matchOnBar(o: WorkingTerms, bar: Bar, bps: number): BarMatch {
  switch (o.orderType) {
    case 'market':
      return at(slippedPrice(o.side, bar.open, bps, bar), bar.open, false);
    case 'limit':
      return limitMatch(o.side, bar, o.limitPrice!, bps, false);
    case 'stop':
    case 'stop_trail': // the stop as it stands (trailAfterBar moves it after the bar)
      return stopMatch(o.side, bar, o.stopPrice!, bps);
    case 'stop_limit':
    case 'stop_trail_limit': // the stop and limit as they stand (trailed after the bar until triggered)
      return o.triggered ? limitMatch(o.side, bar, o.limitPrice!, bps, true) : stopLimitMatch(o.side, bar, o.stopPrice!, o.limitPrice!, bps);
  }
}

const NONE = (triggered: boolean): BarMatch => ({ price: undefined, base: Number.NaN, triggered });

function at(price: number, base: number, triggered: boolean): BarMatch {
  return { price, base, triggered };
}

/** _try_exec_limit: at the open (slipped, never past the limit) when the open is through the limit, else at the limit when the bar reaches it. */
function limitMatch(side: OrderSide, bar: Bar, limit: number, bps: number, triggered: boolean): BarMatch {
  if (side === 'buy') {
    if (limit >= bar.open) return at(slippedPrice('buy', bar.open, bps, { high: Math.min(bar.high, limit), low: bar.low }), bar.open, triggered);
    if (limit >= bar.low) return at(limit, limit, triggered);
    return NONE(triggered);
  }
  // backtrader floors a sell's slipped open at the limit itself (its `pmin` is computed and not used).
  if (limit <= bar.open) return at(slippedPrice('sell', bar.open, bps, { high: bar.high, low: limit }), bar.open, triggered);
  if (limit <= bar.high) return at(limit, limit, triggered);
  return NONE(triggered);
}

/** _try_exec_stop: at the open on a gap through the stop, else at the stop when the bar reaches it (both slipped within the bar). */
function stopMatch(side: OrderSide, bar: Bar, stop: number, bps: number): BarMatch {
  if (side === 'buy') {
    if (bar.open >= stop) return at(slippedPrice('buy', bar.open, bps, bar), bar.open, false);
    if (bar.high >= stop) return at(slippedPrice('buy', stop, bps, bar), stop, false);
    return NONE(false);
  }
  if (bar.open <= stop) return at(slippedPrice('sell', bar.open, bps, bar), bar.open, false);
  if (bar.low <= stop) return at(slippedPrice('sell', stop, bps, bar), stop, false);
  return NONE(false);
}

/**
 * _try_exec_stoplimit before the trigger: a gap through the stop makes it a limit on this very
 * bar; a touch inside the bar triggers it and executes only in the cases the bar's shape
 * decides (backtrader's reading of whether the limit was reached after the stop).
 */
function stopLimitMatch(side: OrderSide, bar: Bar, stop: number, limit: number, bps: number): BarMatch {
  if (side === 'buy') {
    if (bar.open >= stop) return limitMatch('buy', bar, limit, bps, true);
    if (bar.high < stop) return NONE(false);
    if (limit >= stop) return at(slippedPrice('buy', stop, bps, bar), stop, true);
    if (bar.open > bar.close && limit >= bar.close) return at(limit, limit, true);
    return NONE(true);
  }
  if (bar.open <= stop) return limitMatch('sell', bar, limit, bps, true);
  if (bar.low > stop) return NONE(false);
  if (limit <= stop) return at(slippedPrice('sell', stop, bps, bar), stop, true);
  if (bar.open <= bar.close && limit <= bar.close) return at(limit, limit, true);
  return NONE(true);
}

/** A `day` order expires at the first bar of a later calendar day (UTC) than the one it was decided on (backtrader's Order.DAY). */
export function dayOrderExpired(decidedTs: number, barTs: number): boolean {
  return Math.floor(barTs / 86_400_000) > Math.floor(decidedTs / 86_400_000);
}
