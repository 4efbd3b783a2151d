// Governance policies: deterministic, pure rules grouped under a version. The same context
// and the same version always give the same decision, so a decision can be replayed from
// its audit record.

import { GOV_ACTION, type GovContext, type GovVerdict } from './contract.ts';

export interface PolicyRuleResult {
  verdict: Exclude<GovVerdict, 'allow'>;
  reason: string;
  patch?: Record<string, unknown>;
}

export interface PolicyRule {
  id: string;
  evaluate(ctx: GovContext, params: GovPolicyParams): PolicyRuleResult | null;
}

export interface GovPolicyParams {
  /** Symbols no order may touch. */
  restrictedSymbols: readonly string[];
  /** Largest order notional allowed (qty × reference price); Infinity = no cap. */
  maxOrderNotional: number;
  /** Actors that may not lift a kill switch (machines stop trading; people restart it). */
  nonHumanActors: readonly string[];
}

export const DEFAULT_GOV_PARAMS: GovPolicyParams = {
  restrictedSymbols: [],
  maxOrderNotional: Number.POSITIVE_INFINITY,
  nonHumanActors: ['system', 'orch', 'ledger', 'broker'],
};

const requireActor: PolicyRule = {
  id: 'require-actor',
  evaluate: (ctx) => (ctx.actor.trim() ? null : { verdict: 'deny', reason: 'GOV.ACTOR.MISSING: every action needs a named actor' }),
};

const orderSanity: PolicyRule = {
  id: 'order-sanity',
  evaluate: (ctx) => {
    if (ctx.action !== GOV_ACTION.orderSubmit) return null;
    const { symbol, qty, side } = ctx.payload;
    if (typeof symbol !== 'string' || !symbol) return { verdict: 'deny', reason: 'GOV.ORDER.SYMBOL_MISSING' };
    if (typeof qty !== 'number' || !Number.isInteger(qty) || qty <= 0) return { verdict: 'deny', reason: `GOV.ORDER.QTY_INVALID: ${String(qty)}` };
    if (side !== 'buy' && side !== 'sell') return { verdict: 'deny', reason: `GOV.ORDER.SIDE_INVALID: ${String(side)}` };
    return null;
  },
};

const restrictedSymbols: PolicyRule = {
  id: 'restricted-symbols',
  evaluate: (ctx, p) => {
    if (ctx.action !== GOV_ACTION.orderSubmit) return null;
    const symbol = ctx.payload.symbol;
    return typeof symbol === 'string' && p.restrictedSymbols.includes(symbol)
      ? { verdict: 'deny', reason: `GOV.SYMBOL.RESTRICTED: ${symbol}` }
      : null;
  },
};

const notionalCap: PolicyRule = {
  id: 'order-notional-cap',
  evaluate: (ctx, p) => {
    if (ctx.action !== GOV_ACTION.orderSubmit || !Number.isFinite(p.maxOrderNotional)) return null;
    const qty = Number(ctx.payload.qty);
    const price = Number(ctx.payload.referencePrice);
    if (!(price > 0)) return null;
    if (qty * price <= p.maxOrderNotional) return null;
    // Narrow rather than deny: cut the order to the largest whole size under the cap.
    const capped = Math.floor(p.maxOrderNotional / price);
    return capped > 0
      ? { verdict: 'modify', reason: `GOV.ORDER.NOTIONAL_CAP: qty ${qty} -> ${capped}`, patch: { qty: capped } }
      : { verdict: 'deny', reason: 'GOV.ORDER.NOTIONAL_CAP: not even one share fits the cap' };
  },
};

const humanKillReset: PolicyRule = {
  id: 'human-kill-reset',
  evaluate: (ctx, p) =>
    ctx.action === GOV_ACTION.killDeactivate && p.nonHumanActors.includes(ctx.actor)
      ? { verdict: 'deny', reason: `GOV.KILL.HUMAN_RESET_REQUIRED: '${ctx.actor}' may not lift the kill switch` }
      : null,
};

/** Versioned policy sets. A new version is a new entry; old ones stay for replays. */
export const POLICY_SETS: Readonly<Record<string, readonly PolicyRule[]>> = {
  gov_v1: [requireActor, orderSanity, restrictedSymbols, notionalCap, humanKillReset],
};
