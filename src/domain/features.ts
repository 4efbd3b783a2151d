// Feature vectors produced by FEAT and read by SIG.

/** One symbol's features at one bar: what a strategy pack's `decide` reads. */
export interface FeatureVector {
  symbol: string;
  ts: number;
  /** Timeframe label, e.g. "1d". */
  tf: string;
  featureVersion: string;
  /** Indicator values by name; `undefined` while an indicator warms up. */
  features: Record<string, number | undefined>;
  /**
   * True once every indicator the strategy needs has a value; in the common warm-up
   * (SIG_WARMUP_MODE=common), only once that is so for every symbol of the run.
   */
  warm: boolean;
}

/** FEAT's output for one cycle: a vector per symbol with a bar. */
export interface FeatureSet {
  vectors: FeatureVector[];
}
