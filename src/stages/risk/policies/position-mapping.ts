// Direction → order against the position held. A direction the position already has changes
// nothing; a position on the other side (or any position, for FLAT) is closed whole (sell a
// long, buy a short back); from flat, LONG buys and SHORT sells short, sized later. A
// reversal (LONG while short, SHORT while long) is two orders: RISK decides this one, the
// close, then decides the opening order against the account as the close leaves it.

import type { Direction } from '../../../domain/signal.ts';
import { deny, type RiskPolicy } from '../policy.ts';

/** The sign of the position a direction asks for: +1 long, -1 short, 0 flat. */
export function targetSign(direction: Direction): number {
  return direction === 'LONG' ? 1 : direction === 'SHORT' ? -1 : 0;
}

/** Whether a direction against a position is a reversal: a close, then an opening order. */
export function isReversal(direction: Direction, held: number): boolean {
  const target = targetSign(direction);
  return held !== 0 && target !== 0 && Math.sign(held) !== target;
}

export const positionMappingPolicy: RiskPolicy = {
  id: 'position-mapping',
  evaluate: (signal, ctx) => {
    const held = ctx.account.positions.get(signal.symbol) ?? 0;
    const target = targetSign(signal.direction);
    if (Math.sign(held) === target) {
      return deny('RISK.POSITION.NO_CHANGE', `${signal.direction} with position ${held}: nothing to do`);
    }
    const price = ctx.prices.get(signal.symbol);
    if (price === undefined || !Number.isFinite(price) || price <= 0) return deny('RISK.PRICE.MISSING', `no decision price for ${signal.symbol}`);
    if (held !== 0) return { verdict: 'order', order: { side: held > 0 ? 'sell' : 'buy', qty: Math.abs(held), referencePrice: price } };
    return { verdict: 'order', order: { side: target > 0 ? 'buy' : 'sell', qty: Number.POSITIVE_INFINITY, referencePrice: price } };
  },
};
