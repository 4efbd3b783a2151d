// Hard block on new exposure: once equity has fallen more than maxDrawdown from its peak,
// entries (LONG, SHORT) are denied. Exits are always allowed (FLAT, and the closing order of
// a reversal: LONG while short, SHORT while long): blocking them would only deepen the loss
// the rule exists to limit.

import { PASS, deny, type RiskPolicy } from '../policy.ts';

/** Peak-to-current drawdown as a fraction (0 when there is no positive peak). */
export function drawdownFraction(peak: number, equity: number): number {
  return peak > 0 ? (peak - equity) / peak : 0;
}

export const maxDrawdownPolicy: RiskPolicy = {
  id: 'max-drawdown',
  evaluate: (signal, ctx) => {
    if (signal.direction === 'FLAT') return PASS;
    const held = ctx.account.positions.get(signal.symbol) ?? 0;
    if (signal.direction === 'LONG' ? held < 0 : held > 0) return PASS; // closes the other side first
    const dd = drawdownFraction(ctx.peakEquity, ctx.equity);
    return dd > ctx.config.maxDrawdown
      ? deny('RISK.DRAWDOWN.MAX_DRAWDOWN_BREACH', `drawdown ${(dd * 100).toFixed(2)}% > max ${(ctx.config.maxDrawdown * 100).toFixed(2)}%`)
      : PASS;
  },
};
