// The ordered policy chain: hard blocks first (kill switch, stale data, max drawdown), then
// order state (working order), the order itself (mapping, sizing), portfolio caps, and the
// submission cash check last. The earliest deny wins; a policy that throws denies
// (RISK.EXCEPTION), as does one that denies with a code that is neither built in nor
// `custom:<name>`; adjustments take the minimum and can never flip the side.

import { isRiskReasonCode, type RiskReasonCode } from '../../domain/risk.ts';
import { OrdinisError } from '../../errors.ts';
import type { Signal } from '../../domain/signal.ts';
import { cashCheckPolicy } from './policies/cash-check.ts';
import { killSwitchPolicy } from './policies/kill-switch.ts';
import { maxDrawdownPolicy } from './policies/max-drawdown.ts';
import { positionMappingPolicy } from './policies/position-mapping.ts';
import { sizingPolicy } from './policies/sizing.ts';
import { staleDataPolicy } from './policies/stale-data.ts';
import { symbolCapPolicy } from './policies/symbol-cap.ts';
import { workingOrderPolicy } from './policies/working-order.ts';
import { withQty, type ProposedOrder, type RiskPolicy, type RiskPolicyContext } from './policy.ts';

/**
 * The default RISK policies, in order: kill switch, stale data, max drawdown, working order,
 * position mapping, sizing, symbol cap, cash check. Add yours with
 * `riskPolicies: [...DEFAULT_POLICY_CHAIN, myPolicy]`.
 */
export const DEFAULT_POLICY_CHAIN: readonly RiskPolicy[] = [
  killSwitchPolicy,
  staleDataPolicy,
  maxDrawdownPolicy,
  workingOrderPolicy,
  positionMappingPolicy,
  sizingPolicy,
  symbolCapPolicy,
  cashCheckPolicy,
];

/** Checks a chain given by a user (each policy an object with an id and evaluate); throws E_CFG_INVALID naming the bad one. */
export function validatePolicyChain(policies: readonly RiskPolicy[]): readonly RiskPolicy[] {
  if (!Array.isArray(policies)) throw new OrdinisError('E_CFG_INVALID', 'risk policies: expected an array of policies');
  policies.forEach((p: Partial<RiskPolicy> | null | undefined, i) => {
    if (p === null || typeof p !== 'object' || typeof p.id !== 'string' || p.id === '' || typeof p.evaluate !== 'function') {
      throw new OrdinisError('E_CFG_INVALID', `risk policies[${i}]${typeof p?.id === 'string' ? ` ('${p.id}')` : ''}: a policy needs an id (a non-empty string) and evaluate(signal, ctx)`);
    }
  });
  return policies;
}

export interface ChainOutcome {
  allowed: boolean;
  reasons: RiskReasonCode[];
  /** The order when allowed, or the attempted order of a deny that keeps it (cash check). */
  order?: ProposedOrder;
  notes: string[];
  /** Id of the policy that decided a deny. */
  deniedBy?: string;
}

export function evaluateChain(policies: readonly RiskPolicy[], signal: Signal, base: Omit<RiskPolicyContext, 'order'>): ChainOutcome {
  let order: ProposedOrder | undefined;
  const notes: string[] = [];
  // A policy sees the base context and the order so far; rebuilt only when the order changes.
  let ctx = withOrder(base, order);
  for (const p of policies) {
    let r;
    try {
      r = p.evaluate(signal, ctx);
    } catch (e) {
      notes.push(`${p.id} failed: ${e instanceof Error ? e.message : String(e)}`);
      return { allowed: false, reasons: ['RISK.EXCEPTION'], notes, deniedBy: p.id };
    }
    if (r.verdict === 'pass') continue;
    if (r.verdict === 'deny') {
      // A user policy's code must be a built-in one or `custom:<name>` (a typo would otherwise be recorded as a reason).
      if (!isRiskReasonCode(r.reason)) {
        notes.push(`${p.id} denied with reason code '${String(r.reason)}': expected a built-in RISK.* code or custom:<name>`);
        return { allowed: false, reasons: ['RISK.EXCEPTION'], notes, deniedBy: p.id };
      }
      if (r.note !== undefined) notes.push(r.note);
      return r.keepOrder && order ? { allowed: false, reasons: [r.reason], order, notes, deniedBy: p.id } : { allowed: false, reasons: [r.reason], notes, deniedBy: p.id };
    }
    const next = r.order;
    if (order && next.side !== order.side) {
      notes.push(`${p.id} tried to flip the order side ${order.side} -> ${next.side}`);
      return { allowed: false, reasons: ['RISK.EXCEPTION'], notes, deniedBy: p.id };
    }
    if (r.note !== undefined) notes.push(r.note);
    // A policy that rebuilds the order without its terms does not turn a limit into a market order.
    const shaped = order?.terms !== undefined && next.terms === undefined ? { ...next, terms: order.terms } : next;
    order = order ? withQty(shaped, Math.min(order.qty, next.qty)) : shaped;
    ctx = withOrder(base, order);
  }
  if (!order) return { allowed: false, reasons: ['RISK.POSITION.NO_CHANGE'], notes };
  if (!(order.qty > 0) || !Number.isFinite(order.qty)) {
    notes.push(`order size ${order.qty} is not tradable`);
    return { allowed: false, reasons: ['RISK.SIZE.ZERO'], notes };
  }
  return { allowed: true, reasons: ['RISK.OK'], order, notes };
}

/**
 * The base context with `order`, field by field: `{ ...base, order }` (a spread plus a field)
 * takes V8's slow path, about a microsecond, and RISK builds one or more per signal.
 */
function withOrder(base: Omit<RiskPolicyContext, 'order'>, order: ProposedOrder | undefined): RiskPolicyContext {
  return {
    config: base.config,
    nowMs: base.nowMs,
    killActive: base.killActive,
    stale: base.stale,
    account: base.account,
    prices: base.prices,
    equity: base.equity,
    peakEquity: base.peakEquity,
    workingSymbols: base.workingSymbols,
    runningCash: base.runningCash,
    order,
  };
}
