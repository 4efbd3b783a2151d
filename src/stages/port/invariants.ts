// The ledger's invariants as a pure check returning the violations found (empty = sound):
// cash = Σ cash entries, position = Σ position entries, equity = cash + Σ qty × mark, no
// NaN/Infinity, no negative cash without margin, and the books agree with the broker.

import type { AccountView } from '../../domain/portfolio.ts';
import type { BookPosition } from './ledger.ts';

export interface InvariantInput {
  cash: number;
  /** Σ of the cash entries posted, accumulated independently of `cash`. */
  cashFromEntries: number;
  positions: ReadonlyMap<string, BookPosition>;
  /** Σ of the position entries per symbol. */
  positionsFromEntries: ReadonlyMap<string, number>;
  marks: ReadonlyMap<string, number>;
  equity: number;
  /** The broker's account, when reconciliation applies this cycle. */
  broker?: AccountView;
  allowNegativeCash: boolean;
  /** Relative tolerance for money comparisons. */
  tolerance: number;
}

function near(a: number, b: number, tol: number): boolean {
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
}

export function checkInvariants(i: InvariantInput): string[] {
  const v: string[] = [];
  if (!Number.isFinite(i.cash)) v.push(`cash is not finite (${i.cash})`);
  if (!Number.isFinite(i.equity)) v.push(`equity is not finite (${i.equity})`);
  if (!near(i.cash, i.cashFromEntries, i.tolerance)) v.push(`cash ${i.cash} != sum of cash entries ${i.cashFromEntries}`);
  if (!i.allowNegativeCash && i.cash < 0) v.push(`negative cash ${i.cash} without margin`);

  // Every symbol of the book, then those only the entries know (the order of a Set of both);
  // checked every cycle, so walked without building that Set.
  let plain = i.cash;
  for (const s of i.positions.keys()) plain = checkSymbol(i, s, plain, v);
  for (const s of i.positionsFromEntries.keys()) if (!i.positions.has(s)) plain = checkSymbol(i, s, plain, v);
  if (Number.isFinite(i.equity) && Number.isFinite(plain) && !near(i.equity, plain, i.tolerance)) v.push(`equity ${i.equity} != cash + sum(qty x mark) ${plain}`);

  const broker = i.broker;
  if (broker) {
    if (!near(i.cash, broker.cash, i.tolerance)) v.push(`ledger cash ${i.cash} != broker cash ${broker.cash}`);
    for (const s of i.positions.keys()) checkBrokerPosition(i, broker, s, v);
    for (const s of i.positionsFromEntries.keys()) if (!i.positions.has(s)) checkBrokerPosition(i, broker, s, v);
    for (const s of broker.positions.keys()) if (!i.positions.has(s) && !i.positionsFromEntries.has(s)) checkBrokerPosition(i, broker, s, v);
  }
  return v;
}

/** One symbol's position checks; returns `plain` plus its marked value. */
function checkSymbol(i: InvariantInput, s: string, plain: number, v: string[]): number {
  const p = i.positions.get(s);
  const qty = p?.qty ?? 0;
  const fromEntries = i.positionsFromEntries.get(s) ?? 0;
  if (!Number.isFinite(qty) || (p !== undefined && !Number.isFinite(p.avgCost))) v.push(`${s}: position not finite (qty ${qty}, avg ${p?.avgCost})`);
  if (Math.abs(qty - fromEntries) > 1e-9) v.push(`${s}: position ${qty} != sum of position entries ${fromEntries}`);
  if (qty !== 0) {
    const mark = i.marks.get(s);
    if (mark === undefined || !Number.isFinite(mark)) v.push(`${s}: no finite mark for an open position (${mark})`);
    else return plain + qty * mark;
  }
  return plain;
}

function checkBrokerPosition(i: InvariantInput, broker: AccountView, s: string, v: string[]): void {
  const ours = i.positions.get(s)?.qty ?? 0;
  const theirs = broker.positions.get(s) ?? 0;
  if (Math.abs(ours - theirs) > 1e-9) v.push(`${s}: ledger position ${ours} != broker position ${theirs}`);
}
