// Portfolio / ledger views (PORT/LEDG).

export interface Position {
  symbol: string;
  qty: number;
  avgCost: number;
  /** Last mark (close) used to value the position. */
  mark: number;
  realizedPnl: number;
}

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
