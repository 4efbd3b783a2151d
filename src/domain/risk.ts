// RISK's verdict on each signal, with reason codes; denials are data, not exceptions.

import type { OrderSide, OrderTerms } from './order.ts';

/** The reason codes of the built-in RISK policies and of the chain itself (RISK.EXCEPTION, RISK.OK, ...). */
export const BUILT_IN_RISK_REASON_CODES = [
  'RISK.KILL.ACTIVE',
  'RISK.DATA.STALE',
  'RISK.DRAWDOWN.MAX_DRAWDOWN_BREACH',
  'RISK.EXPOSURE.SYMBOL_CAP',
  'RISK.CASH.INSUFFICIENT',
  'RISK.ORDER.WORKING',
  'RISK.POSITION.NO_CHANGE',
  'RISK.SIZE.ZERO',
  'RISK.BRACKET.CHILD_DENIED',
  'RISK.BRACKET.PARENT_REJECTED',
  'RISK.PRICE.MISSING',
  'RISK.ORDER.NOTIONAL_CAP',
  'RISK.ORDER.RATE_CAP',
  'RISK.EXCEPTION',
  'RISK.OK',
] as const;

/** One of BUILT_IN_RISK_REASON_CODES. */
export type BuiltInRiskReasonCode = (typeof BUILT_IN_RISK_REASON_CODES)[number];

/**
 * A reason code of your own policy's: `custom:` and a name, e.g. `custom:earnings_blackout`.
 * The prefix keeps it apart from the built-in codes, which stay a closed union.
 */
export type CustomRiskReasonCode = `custom:${string}`;

/**
 * Why RISK allowed or denied a signal: a built-in code, or a custom policy's `custom:...` code.
 * Stored with every decision (`risk_decisions`) and counted in RISK's cycle summary.
 */
export type RiskReasonCode = BuiltInRiskReasonCode | CustomRiskReasonCode;

const BUILT_IN = new Set<string>(BUILT_IN_RISK_REASON_CODES);
const CUSTOM_RE = /^custom:[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Whether `s` is a reason code RISK records: a built-in one, or `custom:` and a name (letters, digits, `.`, `_`, `-`). */
export function isRiskReasonCode(s: unknown): s is RiskReasonCode {
  return typeof s === 'string' && (BUILT_IN.has(s) || CUSTOM_RE.test(s));
}

/** RISK's decision on one signal: allowed (with the order it becomes) or denied, and why. */
export interface RiskDecision {
  signalId: string;
  symbol: string;
  ts: number;
  allowed: boolean;
  reasons: RiskReasonCode[];
  policyVersion: string;
  /**
   * The order the decision turns the signal into, when allowed: a market order unless `terms`
   * says otherwise. `referencePrice` is the price the cash check used (the close; a limit or
   * stop order's own price, as backtrader's submission check).
   */
  order?: { side: OrderSide; qty: number; referencePrice: number; terms?: OrderTerms };
  /** A working order to cancel (a strategy's explicit cancel), when allowed. */
  cancel?: string;
  /** A bracket child (stop-loss, take-profit): the signal id of its entry's decision. */
  parentSignalId?: string;
  /** An OCO member: the signal id of its group's first order's decision. */
  ocoSignalId?: string;
  /** Human-readable note on adjustments (e.g. "qty capped 120 -> 80 by symbol cap"). */
  adjustments?: string[];
}
