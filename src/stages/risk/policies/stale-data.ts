// Hard block: no decision on stale data, neither when ING flagged the cycle's data as stale
// nor when the signal itself outlived its ttl.

import { PASS, deny, type RiskPolicy } from '../policy.ts';

export const staleDataPolicy: RiskPolicy = {
  id: 'stale-data',
  evaluate: (signal, ctx) => {
    if (ctx.stale) return deny('RISK.DATA.STALE', `market data stale: ${ctx.stale.reason} (lag ${ctx.stale.lagMs} ms)`);
    if (ctx.config.enforceSignalTtl && signal.ttlMs > 0 && ctx.nowMs - signal.ts > signal.ttlMs) {
      return deny('RISK.DATA.STALE', `signal ${signal.signalId} expired: age ${ctx.nowMs - signal.ts} ms > ttl ${signal.ttlMs} ms`);
    }
    return PASS;
  },
};
