// Two caps a live run adds after the default chain (LIVE_MAX_ORDER_NOTIONAL and
// LIVE_MAX_ORDERS_PER_MINUTE): what a runaway strategy or a fat finger can send is bounded
// before it reaches EXEC, and each refusal is a RISK denial with its reason code, recorded
// and counted like any other (never an order persisted and then refused by the broker guard).
//
// - The notional cap denies an order worth more than the cap (qty x its reference price: the
//   decision close, or a limit/stop order's own price). An order that only reduces the
//   position passes: a cap must never keep the engine from getting out.
// - The rate cap denies an order past `maxPerMinute` allowed in the trailing minute of cycle
//   time. It counts the orders it let through, so it goes last in the chain (after the cash
//   check), where passing means allowed. Its count lives in the process: a restart starts it
//   afresh (recovery's pending-order rules keep a restart from resending anything).

import { PASS, deny, type RiskPolicy } from '../policy.ts';

const MINUTE_MS = 60_000;

export function orderNotionalCapPolicy(maxNotional: number): RiskPolicy {
  return {
    id: 'order-notional-cap',
    evaluate: (signal, ctx) => {
      const o = ctx.order;
      if (!o || !Number.isFinite(o.qty)) return PASS;
      const held = ctx.account.positions.get(signal.symbol) ?? 0;
      if (o.side === 'buy' ? held < 0 && o.qty <= -held : held > 0 && o.qty <= held) return PASS;
      const notional = o.qty * o.referencePrice;
      return notional > maxNotional ? deny('RISK.ORDER.NOTIONAL_CAP', `${o.side} ${o.qty} ${signal.symbol} at ${o.referencePrice} is ${notional.toFixed(2)}, over the cap of ${maxNotional} (LIVE_MAX_ORDER_NOTIONAL)`) : PASS;
    },
  };
}

export function orderRateCapPolicy(maxPerMinute: number): RiskPolicy {
  const allowedAt: number[] = [];
  return {
    id: 'order-rate-cap',
    evaluate: (signal, ctx) => {
      if (!ctx.order) return PASS;
      while (allowedAt.length > 0 && allowedAt[0]! <= ctx.nowMs - MINUTE_MS) allowedAt.shift();
      if (allowedAt.length >= maxPerMinute) return deny('RISK.ORDER.RATE_CAP', `${allowedAt.length} orders in the last minute, the cap (LIVE_MAX_ORDERS_PER_MINUTE=${maxPerMinute}); ${signal.symbol} not sent`);
      allowedAt.push(ctx.nowMs);
      return PASS;
    },
  };
}
