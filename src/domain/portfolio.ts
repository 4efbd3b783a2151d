// Portfolio / ledger views (PORT/LEDG).

import type { OrderIntent } from './order.ts';

/** A position in one symbol as PORT's ledger holds it (average cost, mark, realized PnL). */
export interface Position {
  symbol: string;
  qty: number;
  avgCost: number;
  /** Last mark (close) used to value the position. */
  mark: number;
  realizedPnl: number;
}

/** PORT's output for one cycle: cash, equity, positions and PnL, valued at the cycle's closes. */
export interface PortfolioSnapshot {
  ts: number;
  cash: number;
  equity: number;
  positions: Position[];
  /** Gross exposure / equity. */
  exposure: number;
  realizedPnl: number;
  unrealizedPnl: number;
  fees: number;
  /** Fills posted this cycle. */
  postedFills: number;
}

/** The trading account as the broker (or the book) reports it: what RISK sizes against. */
export interface AccountView {
  cash: number;
  positions: ReadonlyMap<string, number>;
}

/** One position as the venue holds it: signed quantity (negative: short), average price, when it was opened. */
export interface PositionDetail {
  qty: number;
  /** Average price (backtrader's Position.price); NaN when the venue does not say. */
  avgPrice: number;
  /** Time (ms) of the fill that opened it (left zero or went through zero); undefined when the venue does not say. */
  entryTs: number | undefined;
}

/**
 * The book as a venue reports it between bars: what a strategy's `decide` is shown (read-only)
 * besides its features. Positions by symbol (non-zero only), cash, and the orders still working.
 */
export interface BookView {
  cash: number;
  positions: ReadonlyMap<string, PositionDetail>;
  /** Working orders, in submission order. */
  openOrders: readonly OrderIntent[];
}
