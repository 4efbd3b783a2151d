// The submission cash check (backtrader's check_submitted): orders decided on this bar are
// pseudo-executed in submission order against a running copy of cash at the decision bar's
// close, commission included; a sale adds qty * close - commission, a buy that would take
// the running cash below zero is rejected. The rejected order stays on the decision, since
// it counts as an order (submitted, then rejected) in backtrader's books.

import { commissionFor, type CommissionModel } from '../../../domain/commission.ts';
import { PASS, deny, type ProposedOrder, type RiskPolicy } from '../policy.ts';

/**
 * Cash after pseudo-executing `order` at its reference price. Operation order as
 * backtrader's _execute: cash -= qty * price, then -= commission (a sale: += qty * price).
 */
export function pseudoExecuteCash(cash: number, order: ProposedOrder, commission: CommissionModel): number {
  const price = order.referencePrice;
  const comm = commissionFor(commission, order.qty, price);
  let c = cash;
  if (order.side === 'buy') c -= order.qty * price;
  else c += order.qty * price;
  c -= comm;
  return c;
}

export const cashCheckPolicy: RiskPolicy = {
  id: 'cash-check',
  evaluate: (_signal, ctx) => {
    const o = ctx.order;
    if (!o) return PASS;
    const after = pseudoExecuteCash(ctx.runningCash, o, ctx.config.commission);
    return after < 0 ? deny('RISK.CASH.INSUFFICIENT', `needs ${ctx.runningCash - after} with ${ctx.runningCash} available`, true) : PASS;
  },
};
