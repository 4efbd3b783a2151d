// ANA's report: trading KPIs and quality flags.

/** ANA's trading KPIs at a cycle: returns, volatility, ratios, drawdown, exposure, fees, trades (null where too few data make a figure meaningless). */
export interface Kpis {
  totalReturnPct: number;
  annualizedReturnPct: number | null;
  volatilityPct: number | null;
  sharpe: number | null;
  sortino: number | null;
  maxDrawdownPct: number;
  maxDrawdownMoney: number;
  calmar: number | null;
  winRatePct: number | null;
  profitFactor: number | null;
  exposurePct: number;
  turnover: number;
  fees: number;
  trades: number;
  bars: number;
}

/** Why some KPIs should not be trusted yet (too few bars or trades, no losses, ...). */
export type QualityFlag = 'TOO_FEW_BARS' | 'NO_TRADES' | 'TOO_FEW_TRADES' | 'ZERO_VOLATILITY' | 'NO_LOSSES';

/** ANA's output for one cycle: the equity at the cycle's time and the KPIs so far. */
export interface AnalyticsReport {
  ts: number;
  equity: number;
  kpis: Kpis;
  quality: QualityFlag[];
}

/** AUDIT's output for one cycle: how many of its side effects have an audit record. */
export interface AuditCompleteness {
  /** Side effects of this cycle that were checked. */
  checked: number;
  /** Audit refs found for them. */
  audited: number;
  policyVersion: string;
  missing: string[];
}
