// A hook's patch at EXEC's boundary, applied to RISK's decisions: it may only narrow (lower a
// quantity, or drop an order at 0), never widen; the narrowing check throws otherwise. Declared
// as EXEC's boundary patch in its StageSpec, so the engine never rewrites a stage's output itself.

import type { RiskDecision } from '../domain/risk.ts';
import { assertNarrowing, type HookPatch } from '../governance/hooks/hook-manager.ts';

export function applyQtyPatch(decisions: readonly RiskDecision[], patch: HookPatch): RiskDecision[] {
  const current = new Map<string, number>();
  for (const d of decisions) if (d.allowed && d.order) current.set(d.symbol, d.order.qty);
  assertNarrowing(patch, current);
  return decisions.map((d) => {
    const q = patch.qty?.[d.symbol];
    if (q === undefined || !d.allowed || !d.order) return d;
    if (q === 0) return { ...d, allowed: false, order: d.order, adjustments: [...(d.adjustments ?? []), 'dropped by hook patch'] };
    return { ...d, order: { ...d.order, qty: q }, adjustments: [...(d.adjustments ?? []), `qty ${d.order.qty} -> ${q} by hook patch`] };
  });
}
