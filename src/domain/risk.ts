// RISK's verdict on each signal, with reason codes; denials are data, not exceptions.

import type { OrderSide } from './order.ts';

export type RiskReasonCode =
  | 'RISK.KILL.ACTIVE'
  | 'RISK.DATA.STALE'
  | 'RISK.DRAWDOWN.MAX_DRAWDOWN_BREACH'
  | 'RISK.EXPOSURE.SYMBOL_CAP'
  | 'RISK.CASH.INSUFFICIENT'
  | 'RISK.ORDER.WORKING'
  | 'RISK.POSITION.NO_CHANGE'
  | 'RISK.SIZE.ZERO'
  | 'RISK.PRICE.MISSING'
  | 'RISK.EXCEPTION'
  | 'RISK.OK';

export interface RiskDecision {
  signalId: string;
  symbol: string;
  ts: number;
  allowed: boolean;
  reasons: RiskReasonCode[];
  policyVersion: string;
  /** The order the decision turns the signal into, when allowed. */
  order?: { side: OrderSide; qty: number; referencePrice: number };
  /** Human-readable note on adjustments (e.g. "qty capped 120 -> 80 by symbol cap"). */
  adjustments?: string[];
}
