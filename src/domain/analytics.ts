// ANA's report: trading KPIs and quality flags.

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

export type QualityFlag = 'TOO_FEW_BARS' | 'NO_TRADES' | 'TOO_FEW_TRADES' | 'ZERO_VOLATILITY' | 'NO_LOSSES';

export interface AnalyticsReport {
  ts: number;
  equity: number;
  kpis: Kpis;
  quality: QualityFlag[];
}

export interface AuditCompleteness {
  /** Side effects of this cycle that were checked. */
  checked: number;
  /** Audit refs found for them. */
  audited: number;
  policyVersion: string;
  missing: string[];
}
