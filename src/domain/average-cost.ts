// A position under the average-cost rule (backtrader's Position.update), as pure functions.
// PORT books fills with it and ANA follows round trips with it: one rule, so the ledger and
// the trade list never disagree about when a position closed or what it realized.

export interface BookPosition {
  qty: number;
  /** Average cost per share (0 when flat). */
  avgCost: number;
  /** Gross realized PnL accumulated on this symbol (fees are booked apart). */
  realizedPnl: number;
}

export const FLAT: BookPosition = { qty: 0, avgCost: 0, realizedPnl: 0 };

/** Splits a signed trade into the part that closes the position and the part that opens one. */
export function splitTrade(held: number, signed: number): { closed: number; opened: number } {
  if (held === 0 || Math.sign(held) === Math.sign(signed)) return { closed: 0, opened: signed };
  if (Math.abs(signed) <= Math.abs(held)) return { closed: signed, opened: 0 };
  return { closed: -held, opened: signed + held };
}

/** The position after a signed trade at `price` (average-cost rule, backtrader's Position.update). */
export function nextPosition(prev: BookPosition, signed: number, price: number): { position: BookPosition; realized: number } {
  const { closed, opened } = splitTrade(prev.qty, signed);
  const k = -closed;
  const realized = closed !== 0 ? k * (price - prev.avgCost) : 0;
  const qty = prev.qty + signed;
  let avgCost: number;
  if (qty === 0) avgCost = 0;
  else if (prev.qty === 0) avgCost = price;
  else if (opened !== 0 && closed === 0) avgCost = (prev.avgCost * prev.qty + signed * price) / qty;
  else if (opened !== 0) avgCost = price; // reversed through zero
  else avgCost = prev.avgCost; // reduced
  return { position: { qty, avgCost, realizedPnl: prev.realizedPnl + realized }, realized };
}
