// Direction → order against the position held. A direction the position already has changes
// nothing; a position on the other side (or any position, for FLAT) is closed whole (sell a
// long, buy a short back); from flat, LONG buys and SHORT sells short, sized later. A
// reversal (LONG while short, SHORT while long) is two orders: RISK decides this one, the
// close, then decides the opening order against the account as the close leaves it.
// A strategy's explicit order is taken as it is: its side, type and prices; its size in
// shares, as a fraction of equity at its own price, by risk (a fraction of equity over the
// stop distance), or left to the sizing policy.

import type { OrderRequest, OrderTerms } from '../../../domain/order.ts';
import type { Direction } from '../../../domain/signal.ts';
import { initialTrailStop } from '../../../domain/trailing-stop.ts';
import { deny, type PolicyResult, type RiskPolicy } from '../policy.ts';

/** The sign of the position a direction asks for: +1 long, -1 short, 0 flat. */
export function targetSign(direction: Direction): number {
  return direction === 'LONG' ? 1 : direction === 'SHORT' ? -1 : 0;
}

/** Whether a direction against a position is a reversal: a close, then an opening order. */
export function isReversal(direction: Direction, held: number): boolean {
  const target = targetSign(direction);
  return held !== 0 && target !== 0 && Math.sign(held) !== target;
}

/** The price an explicit order is checked at: its limit, its stop (a stop-limit's trigger, where a trailing stop starts), or the close (backtrader's order.created.price). */
export function requestPrice(o: OrderRequest, close: number): number {
  switch (o.type ?? 'market') {
    case 'limit':
      return o.limitPrice!;
    case 'stop':
    case 'stop_limit':
      return o.stopPrice!;
    case 'stop_trail':
    case 'stop_trail_limit':
      return initialTrailStop(o.side, o.stopPrice ?? close, o.trailAmount, o.trailPercent);
    case 'market':
      return close;
  }
}

function explicitOrder(o: OrderRequest, close: number, equity: number): PolicyResult {
  const referencePrice = requestPrice(o, close);
  let qty = o.qty ?? Number.POSITIVE_INFINITY;
  if (o.equityFraction !== undefined) {
    qty = Math.floor((o.equityFraction * equity) / referencePrice);
    if (!(qty > 0)) return deny('RISK.SIZE.ZERO', `${o.equityFraction} of equity ${equity} at ${referencePrice} is ${qty} shares`);
  } else if (o.riskFraction !== undefined) {
    qty = Math.floor((o.riskFraction * equity) / o.stopDistance!);
    if (!(qty > 0)) return deny('RISK.SIZE.ZERO', `risking ${o.riskFraction} of equity ${equity} over ${o.stopDistance} a share is ${qty} shares`);
  }
  const terms: OrderTerms = { orderType: o.type ?? 'market' };
  if (o.limitPrice !== undefined) terms.limitPrice = o.limitPrice;
  if (o.stopPrice !== undefined) terms.stopPrice = o.stopPrice;
  if (o.trailAmount !== undefined) terms.trailAmount = o.trailAmount;
  if (o.trailPercent !== undefined) terms.trailPercent = o.trailPercent;
  if (o.timeInForce !== undefined) terms.timeInForce = o.timeInForce;
  if (o.ocoWith !== undefined) terms.ocoWith = o.ocoWith;
  // (A bracket's children are decided by RISK after this entry: see risk-stage.ts.)
  return { verdict: 'order', order: { side: o.side, qty, referencePrice, terms } };
}

export const positionMappingPolicy: RiskPolicy = {
  id: 'position-mapping',
  evaluate: (signal, ctx) => {
    const price = ctx.prices.get(signal.symbol);
    const priced = price !== undefined && Number.isFinite(price) && price > 0;
    if (signal.order !== undefined) {
      return priced ? explicitOrder(signal.order, price, ctx.equity) : deny('RISK.PRICE.MISSING', `no decision price for ${signal.symbol}`);
    }
    const held = ctx.account.positions.get(signal.symbol) ?? 0;
    const target = targetSign(signal.direction);
    if (Math.sign(held) === target) {
      return deny('RISK.POSITION.NO_CHANGE', `${signal.direction} with position ${held}: nothing to do`);
    }
    if (!priced) return deny('RISK.PRICE.MISSING', `no decision price for ${signal.symbol}`);
    if (held !== 0) return { verdict: 'order', order: { side: held > 0 ? 'sell' : 'buy', qty: Math.abs(held), referencePrice: price } };
    return { verdict: 'order', order: { side: target > 0 ? 'buy' : 'sell', qty: Number.POSITIVE_INFINITY, referencePrice: price } };
  },
};
