// Signals produced by SIG: what a strategy wants, not yet how much.

export type Direction = 'LONG' | 'SHORT' | 'FLAT';

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
