// Sizes buys (fixed quantity or a weight of portfolio value, whole shares). Sells keep the
// whole position chosen by the mapping.

import { PASS, deny, withQty, type RiskPolicy } from '../policy.ts';
import { sizeOrder } from '../sizing.ts';

export const sizingPolicy: RiskPolicy = {
  id: 'sizing',
  evaluate: (_signal, ctx) => {
    const o = ctx.order;
    if (!o || o.side !== 'buy') return PASS;
    const qty = sizeOrder(ctx.config.sizing, ctx.equity, o.referencePrice);
    if (!(qty > 0)) return deny('RISK.SIZE.ZERO', `sized to ${qty} shares`);
    return { verdict: 'order', order: withQty(o, qty) };
  },
};
