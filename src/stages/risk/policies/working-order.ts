// One order at a time per symbol: while an order is unresolved, new signals for the symbol
// are denied (backtrader's "if self.order: return").

import { PASS, deny, type RiskPolicy } from '../policy.ts';

export const workingOrderPolicy: RiskPolicy = {
  id: 'working-order',
  evaluate: (signal, ctx) =>
    ctx.workingSymbols.has(signal.symbol) ? deny('RISK.ORDER.WORKING', `${signal.symbol} has an unresolved order`) : PASS,
};
