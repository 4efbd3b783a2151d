// Optional cap on one symbol's position (shares and/or fraction of equity), long or short.
// An order that grows the position beyond the cap is cut down to it; one with no room left
// is denied. Orders that reduce the position pass.

import { PASS, deny, withQty, type RiskPolicy } from '../policy.ts';

export const symbolCapPolicy: RiskPolicy = {
  id: 'symbol-cap',
  evaluate: (signal, ctx) => {
    const o = ctx.order;
    const { maxSymbolQty, maxSymbolWeight } = ctx.config;
    if (!o || (maxSymbolQty === null && maxSymbolWeight === null)) return PASS;
    const signedHeld = ctx.account.positions.get(signal.symbol) ?? 0;
    if (o.side === 'buy' ? signedHeld < 0 : signedHeld > 0) return PASS; // reduces the position
    const held = Math.abs(signedHeld);
    let room = Number.POSITIVE_INFINITY;
    if (maxSymbolQty !== null) room = Math.min(room, maxSymbolQty - held);
    if (maxSymbolWeight !== null) room = Math.min(room, Math.floor((maxSymbolWeight * ctx.equity) / o.referencePrice) - held);
    if (!(room > 0)) return deny('RISK.EXPOSURE.SYMBOL_CAP', `${signal.symbol} is at its cap (holding ${held})`);
    if (room >= o.qty) return PASS;
    return { verdict: 'order', order: withQty(o, room), note: `qty capped ${o.qty} -> ${room} by symbol cap` };
  },
};
