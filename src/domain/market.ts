// Market data as the pipeline sees it after normalization.

/** One OHLCV bar. `ts` is the bar's label time in ms since the epoch (UTC). */
export interface Bar {
  symbol: string;
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** ING's output for one cycle: the bars that closed at the cycle's time, nothing later. */
export interface MarketSnapshot {
  /** The cycle's time: every bar here has ts <= asOf. */
  asOf: number;
  /** Bars of this cycle, in the configured symbol order. */
  bars: Bar[];
  /** Set when the data is too old to trade on; the orchestrator blocks before SIG. */
  stale?: { reason: string; lagMs: number };
  /** True when the data source has no more bars (backtest / replay end). */
  exhausted?: boolean;
}

/**
 * Something that must see each bar as it arrives, before the cycle's strategy runs: a
 * simulated venue (the paper broker fills resting orders at the new bar's open), exactly as
 * a real venue trades before our cycle sees the close.
 */
export interface MarketListener {
  onBar(bar: Bar): void;
}
