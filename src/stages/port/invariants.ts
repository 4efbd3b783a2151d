// The ledger's invariants as a pure check returning the violations found (empty = sound):
// cash = Σ cash entries, position = Σ position entries, equity = cash + Σ qty × mark, no
// NaN/Infinity, no negative cash without margin, and the books agree with the broker.

import type { AccountView } from '../../domain/portfolio.ts';
import type { BookPosition } from '../../domain/average-cost.ts';

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

  // Every symbol of the book, then those only the entries know, then (reconciling) those only
  // the broker knows: the order of a Set of all three. Checked every cycle for every symbol,
  // so each symbol's position and broker checks are done in one visit, and a later walk is
  // skipped when the symbols counted so far show it would find no symbol of its own.
  const walk: SymbolWalk = { plain: i.cash, inEntries: 0, atBroker: 0, brokerFindings: undefined };
  for (const s of i.positions.keys()) {
    const fromEntries = i.positionsFromEntries.get(s);
    if (fromEntries !== undefined) walk.inEntries++;
    checkSymbol(i, s, i.positions.get(s), fromEntries ?? 0, walk, v);
  }
  if (walk.inEntries < i.positionsFromEntries.size) {
    for (const s of i.positionsFromEntries.keys()) {
      if (!i.positions.has(s)) checkSymbol(i, s, undefined, i.positionsFromEntries.get(s) ?? 0, walk, v);
    }
  }
  const plain = walk.plain;
  if (Number.isFinite(i.equity) && Number.isFinite(plain) && !near(i.equity, plain, i.tolerance)) v.push(`equity ${i.equity} != cash + sum(qty x mark) ${plain}`);

  const broker = i.broker;
  if (broker) {
    if (!near(i.cash, broker.cash, i.tolerance)) v.push(`ledger cash ${i.cash} != broker cash ${broker.cash}`);
    if (walk.brokerFindings) for (const f of walk.brokerFindings) v.push(f);
    if (walk.atBroker < broker.positions.size) {
      for (const s of broker.positions.keys()) {
        if (i.positions.has(s) || i.positionsFromEntries.has(s)) continue;
        const f = brokerMismatch(s, 0, broker.positions.get(s) ?? 0);
        if (f !== null) v.push(f);
      }
    }
  }
  return v;
}

/** What the walk over the symbols carries from one to the next. */
interface SymbolWalk {
  /** Cash plus the marked value of the positions visited so far. */
  plain: number;
  /** Book symbols that have position entries. */
  inEntries: number;
  /** Visited symbols the broker holds a position in. */
  atBroker: number;
  /** Broker mismatches found so far: listed after the cash checks, so held back until then. */
  brokerFindings: string[] | undefined;
}

/** One symbol's checks: its position against its entries and mark, and (reconciling) the broker's. */
function checkSymbol(i: InvariantInput, s: string, p: BookPosition | undefined, fromEntries: number, walk: SymbolWalk, v: string[]): void {
  const qty = p?.qty ?? 0;
  if (!Number.isFinite(qty) || (p !== undefined && !Number.isFinite(p.avgCost))) v.push(`${s}: position not finite (qty ${qty}, avg ${p?.avgCost})`);
  if (Math.abs(qty - fromEntries) > 1e-9) v.push(`${s}: position ${qty} != sum of position entries ${fromEntries}`);
  if (qty !== 0) {
    const mark = i.marks.get(s);
    if (mark === undefined || !Number.isFinite(mark)) v.push(`${s}: no finite mark for an open position (${mark})`);
    else walk.plain += qty * mark;
  }
  if (i.broker) {
    const theirs = i.broker.positions.get(s);
    if (theirs !== undefined) walk.atBroker++;
    const f = brokerMismatch(s, qty, theirs ?? 0);
    if (f !== null) (walk.brokerFindings ??= []).push(f);
  }
}

function brokerMismatch(s: string, ours: number, theirs: number): string | null {
  return Math.abs(ours - theirs) > 1e-9 ? `${s}: ledger position ${ours} != broker position ${theirs}` : null;
}
