// Sizes opening orders, long or short (fixed quantity or a weight of portfolio value, whole
// shares): the mapping leaves them unsized (qty +Infinity). Closing orders keep the whole
// position the mapping chose.

import { PASS, deny, withQty, type RiskPolicy } from '../policy.ts';
import { sizeOrder } from '../sizing.ts';

export const sizingPolicy: RiskPolicy = {
  id: 'sizing',
  evaluate: (_signal, ctx) => {
    const o = ctx.order;
    if (!o || o.qty !== Number.POSITIVE_INFINITY) return PASS;
    const qty = sizeOrder(ctx.config.sizing, ctx.equity, o.referencePrice);
    if (!(qty > 0)) return deny('RISK.SIZE.ZERO', `sized to ${qty} shares`);
    return { verdict: 'order', order: withQty(o, qty) };
  },
};
