// Signals produced by SIG: what a strategy wants, not yet how much.

import type { OrderRequest } from './order.ts';

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
  /**
   * An explicit order the strategy asked for: RISK decides it as it is (no mapping against the
   * position); `direction` then follows its side (buy LONG, sell SHORT) for the policies that read it.
   */
  order?: OrderRequest;
  /** An explicit order's OCO group: the signal id of the group's first order (absent on that one). */
  ocoLeader?: string;
  /** A working order (client order id) the strategy asked to cancel; `direction` is FLAT. */
  cancel?: string;
}
