// Optional cap on one symbol's position (shares and/or fraction of equity). A buy above the
// cap is cut down to it; a buy with no room left is denied.

import { PASS, deny, withQty, type RiskPolicy } from '../policy.ts';

export const symbolCapPolicy: RiskPolicy = {
  id: 'symbol-cap',
  evaluate: (signal, ctx) => {
    const o = ctx.order;
    const { maxSymbolQty, maxSymbolWeight } = ctx.config;
    if (!o || o.side !== 'buy' || (maxSymbolQty === null && maxSymbolWeight === null)) return PASS;
    const held = ctx.account.positions.get(signal.symbol) ?? 0;
    let room = Number.POSITIVE_INFINITY;
    if (maxSymbolQty !== null) room = Math.min(room, maxSymbolQty - held);
    if (maxSymbolWeight !== null) room = Math.min(room, Math.floor((maxSymbolWeight * ctx.equity) / o.referencePrice) - held);
    if (!(room > 0)) return deny('RISK.EXPOSURE.SYMBOL_CAP', `${signal.symbol} is at its cap (holding ${held})`);
    if (room >= o.qty) return PASS;
    return { verdict: 'order', order: withQty(o, room), note: `qty capped ${o.qty} -> ${room} by symbol cap` };
  },
};
