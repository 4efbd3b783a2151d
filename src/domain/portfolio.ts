// Portfolio / ledger views (PORT/LEDG).

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
