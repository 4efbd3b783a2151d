// One order at a time per symbol: while an order is unresolved, new direction signals for
// the symbol are denied (backtrader's "if self.order: return"). A strategy's explicit orders
// pass: it sees its working orders and manages them itself (a stop beside a resting limit).

import { PASS, deny, type RiskPolicy } from '../policy.ts';

export const workingOrderPolicy: RiskPolicy = {
  id: 'working-order',
  evaluate: (signal, ctx) =>
    signal.order === undefined && ctx.workingSymbols.has(signal.symbol) ? deny('RISK.ORDER.WORKING', `${signal.symbol} has an unresolved order`) : PASS,
};
