// Direction → order, long-only: LONG while flat buys (sized later), FLAT (or SHORT) while
// long sells the whole position; anything else changes nothing.

import { deny, type RiskPolicy } from '../policy.ts';

export const positionMappingPolicy: RiskPolicy = {
  id: 'position-mapping',
  evaluate: (signal, ctx) => {
    const held = ctx.account.positions.get(signal.symbol) ?? 0;
    const wantsLong = signal.direction === 'LONG';
    if (wantsLong ? held !== 0 : held <= 0) {
      return deny('RISK.POSITION.NO_CHANGE', `${signal.direction} with position ${held}: nothing to do`);
    }
    const price = ctx.prices.get(signal.symbol);
    if (price === undefined || !Number.isFinite(price) || price <= 0) return deny('RISK.PRICE.MISSING', `no decision price for ${signal.symbol}`);
    return wantsLong
      ? { verdict: 'order', order: { side: 'buy', qty: Number.POSITIVE_INFINITY, referencePrice: price } }
      : { verdict: 'order', order: { side: 'sell', qty: held, referencePrice: price } };
  },
};

