// Signals produced by SIG: what a strategy wants, not yet how much.

/** What a strategy wants to be in a symbol: long, short or flat. */
export type Direction = 'LONG' | 'SHORT' | 'FLAT';

/** SIG's output per symbol and bar: a direction with its provenance; RISK turns it into an order, or not. */
export interface Signal {
  signalId: string;
  symbol: string;
  ts: number;
  direction: Direction;
  /** 0..1 */
  confidence: number;
  horizon: string;
  ttlMs: number;
  modelId: string;
  strategyId: string;
  featureVersion: string;
  /** Why the strategy fired, e.g. "cross_up". */
  reason: string;
}
