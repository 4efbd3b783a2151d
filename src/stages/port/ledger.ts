// Average-cost accounting as pure functions. A fill becomes ledger entries (cash, position,
// fee, pnl_realized) and a new position; replaying the entries in order rebuilds cash and
// positions exactly. The arithmetic mirrors backtrader's broker so the books match it (and
// the paper broker) bit for bit:
//   closing k shares (k signed like the position): cash += k * avg + k * (price - avg),
//     realized = k * (price - avg)
//   opening o shares: cash -= o * price; avg = (avg * old + o * price) / new on increases
//   then cash -= commission
// Cash is the sum of the cash entries in posting order: each step above is one entry, and
// adding -x is exactly subtracting x, so the sum reproduces the broker's running cash.

import type { Fill } from '../../domain/order.ts';
import type { Position } from '../../domain/portfolio.ts';
import type { LedgerEntry } from './ledger-store.ts';

export interface BookPosition {
  qty: number;
  /** Average cost per share (0 when flat). */
  avgCost: number;
  /** Gross realized PnL accumulated on this symbol (fees are booked apart). */
  realizedPnl: number;
}

export const FLAT: BookPosition = { qty: 0, avgCost: 0, realizedPnl: 0 };

export interface FillPosting {
  entries: LedgerEntry[];
  position: BookPosition;
  /** Cash after the fill (the previous cash plus this fill's cash entries, in order). */
  cash: number;
  /** Gross realized PnL of this fill. */
  realized: number;
}

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

export function postFill(cash: number, prev: BookPosition, fill: Fill, correlationId: string): FillPosting {
  const signed = fill.side === 'buy' ? fill.qty : -fill.qty;
  const { closed, opened } = splitTrade(prev.qty, signed);
  const { position, realized } = nextPosition(prev, signed, fill.price);
  const base = { ts: fill.ts, correlationId, symbol: fill.symbol, price: fill.price, fillId: fill.fillId };
  const entries: LedgerEntry[] = [];
  let c = cash;
  if (closed !== 0) {
    const k = -closed;
    const proceeds = k * prev.avgCost + k * (fill.price - prev.avgCost);
    entries.push({ ...base, kind: 'cash', amount: proceeds, memo: `${fill.side} ${Math.abs(closed)} closing` });
    c += proceeds;
  }
  if (opened !== 0) {
    const cost = -(opened * fill.price);
    entries.push({ ...base, kind: 'cash', amount: cost, memo: `${fill.side} ${Math.abs(opened)} opening` });
    c += cost;
  }
  if (fill.commission !== 0) {
    entries.push({ ...base, kind: 'cash', amount: -fill.commission, memo: 'commission' });
    entries.push({ ...base, kind: 'fee', amount: fill.commission, memo: 'commission' });
    c += -fill.commission;
  }
  entries.push({ ...base, kind: 'position', amount: signed, memo: `${fill.side} ${fill.qty} @ ${fill.price}` });
  if (closed !== 0) entries.push({ ...base, kind: 'pnl_realized', amount: realized, memo: 'average cost' });
  return { entries, position, cash: c, realized };
}

export function openingCashEntry(amount: number, ts: number, correlationId: string): LedgerEntry {
  return { ts, correlationId, kind: 'cash', symbol: null, amount, price: null, fillId: null, memo: 'opening cash' };
}

export interface ReplayedBook {
  cash: number;
  positions: Map<string, BookPosition>;
  fees: number;
  /** Σ pnl_realized entries. */
  realizedPnl: number;
  fills: Set<string>;
}

/** Rebuilds the book from its entries alone (crash recovery, audits, the replay test). */
export function replayLedger(entries: Iterable<LedgerEntry>): ReplayedBook {
  let cash = 0;
  let fees = 0;
  let realizedPnl = 0;
  const positions = new Map<string, BookPosition>();
  const fills = new Set<string>();
  for (const e of entries) {
    if (e.fillId !== null) fills.add(e.fillId);
    switch (e.kind) {
      case 'cash':
        cash += e.amount;
        break;
      case 'fee':
        fees += e.amount;
        break;
      case 'pnl_realized':
        realizedPnl += e.amount;
        break;
      case 'position': {
        const sym = e.symbol ?? '';
        const prev = positions.get(sym) ?? FLAT;
        // Realized PnL comes from the pnl_realized entries; the position entry moves qty and cost.
        const next = nextPosition(prev, e.amount, e.price ?? 0).position;
        positions.set(sym, { qty: next.qty, avgCost: next.avgCost, realizedPnl: prev.realizedPnl });
        break;
      }
      case 'mtm':
        break;
    }
    if (e.kind === 'pnl_realized' && e.symbol !== null) {
      const p = positions.get(e.symbol) ?? FLAT;
      positions.set(e.symbol, { ...p, realizedPnl: p.realizedPnl + e.amount });
    }
  }
  return { cash, positions, fees, realizedPnl, fills };
}

/**
 * Portfolio value with backtrader's operation order (BackBroker._get_value): for a long,
 * (qty*close - unrealized) + unrealized is added, where unrealized = qty*(close - avg).
 * Mathematically cash + Σ qty × close; the order keeps the last bits identical.
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

export function toPosition(symbol: string, b: BookPosition, mark: number): Position {
  return { symbol, qty: b.qty, avgCost: b.avgCost, mark, realizedPnl: b.realizedPnl };
}
