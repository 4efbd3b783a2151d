// A book's value at its marks, with backtrader's operation order (BackBroker._get_value,
// shortcash on): PORT values the ledger with it and SIG shows a strategy the same equity.

/**
 * cash + Σ qty × mark, added up as backtrader does so the last bits agree: for a long,
 * (qty*mark - unrealized) + unrealized, where unrealized = qty*(mark - avg); a short adds
 * its (negative) qty*mark.
 */
export function portfolioValue(cash: number, positions: Iterable<{ qty: number; avgCost: number; mark: number }>): number {
  let pv = 0.0;
  for (const p of positions) {
    if (p.qty === 0) continue;
    const dv = p.qty * p.mark;
    const du = p.qty * (p.mark - p.avgCost);
    if (dv > 0) {
      pv += dv - du;
      pv += du;
    } else {
      pv += dv;
    }
  }
  return cash + pv;
}
