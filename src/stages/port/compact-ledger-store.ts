// An in-memory LedgerStore for long runs (the backtest driver): the same contract and the same
// answers as MemoryLedgerStore (a fill and its postings apply together or not at all, a fill
// posted twice is refused, loadEntries returns every entry in posting order), but the entries
// are kept column by column (numbers in typed arrays, strings by reference) instead of one
// object each, so a run of a million bars keeps a few megabytes of ledger, not tens.
// loadEntries builds fresh objects, with the fields in LedgerEntry's declaration order.

import type { Fill } from '../../domain/order.ts';
import type { Position } from '../../domain/portfolio.ts';
import type { LedgerEntry, LedgerEntryKind, LedgerStore } from './ledger-store.ts';

/** By kind code (kindCode below). */
const KINDS: readonly LedgerEntryKind[] = ['cash', 'position', 'fee', 'pnl_realized', 'mtm'];
/** Set in `flags` when the entry's price is null (a price column cannot hold null). */
const PRICE_NULL = 8;

export class CompactLedgerStore implements LedgerStore {
  private n = 0;
  private ts = new Float64Array(1024);
  private amount = new Float64Array(1024);
  private price = new Float64Array(1024);
  /** Kind code (low bits) | PRICE_NULL. */
  private flags = new Uint8Array(1024);
  private readonly correlationId: string[] = [];
  private readonly symbol: (string | null)[] = [];
  private readonly fillId: (string | null)[] = [];
  private readonly memo: string[] = [];
  private readonly fills = new Set<string>();
  private readonly positions = new Map<string, Position>();

  commitFill(fill: Fill, entries: LedgerEntry[], position: Position): boolean {
    if (this.fills.has(fill.fillId)) return false;
    // Checked before anything is applied: all of a fill or nothing.
    for (const e of entries) kindCode(e.kind);
    this.fills.add(fill.fillId);
    for (const e of entries) this.push(e);
    this.positions.set(position.symbol, { ...position });
    return true;
  }

  hasFill(fillId: string): boolean {
    return this.fills.has(fillId);
  }

  appendEntries(entries: LedgerEntry[]): void {
    for (const e of entries) kindCode(e.kind);
    for (const e of entries) this.push(e);
  }

  /** Entries on file. */
  get size(): number {
    return this.n;
  }

  loadEntries(): LedgerEntry[] {
    const out: LedgerEntry[] = new Array(this.n);
    for (let i = 0; i < this.n; i++) {
      const f = this.flags[i]!;
      out[i] = {
        ts: this.ts[i]!,
        correlationId: this.correlationId[i]!,
        kind: KINDS[f & 7]!,
        symbol: this.symbol[i]!,
        amount: this.amount[i]!,
        price: f & PRICE_NULL ? null : this.price[i]!,
        fillId: this.fillId[i]!,
        memo: this.memo[i]!,
      };
    }
    return out;
  }

  loadPositions(): Position[] {
    return [...this.positions.values()].map((p) => ({ ...p }));
  }

  private push(e: LedgerEntry): void {
    const i = this.n;
    if (i === this.ts.length) this.grow();
    this.ts[i] = e.ts;
    this.amount[i] = e.amount;
    this.price[i] = e.price ?? 0;
    this.flags[i] = kindCode(e.kind) | (e.price === null ? PRICE_NULL : 0);
    this.correlationId.push(e.correlationId);
    this.symbol.push(e.symbol);
    this.fillId.push(e.fillId);
    this.memo.push(e.memo);
    this.n = i + 1;
  }

  private grow(): void {
    const size = this.ts.length * 2;
    const ts = new Float64Array(size);
    ts.set(this.ts);
    this.ts = ts;
    const amount = new Float64Array(size);
    amount.set(this.amount);
    this.amount = amount;
    const price = new Float64Array(size);
    price.set(this.price);
    this.price = price;
    const flags = new Uint8Array(size);
    flags.set(this.flags);
    this.flags = flags;
  }
}

function kindCode(kind: LedgerEntryKind): number {
  switch (kind) {
    case 'cash':
      return 0;
    case 'position':
      return 1;
    case 'fee':
      return 2;
    case 'pnl_realized':
      return 3;
    case 'mtm':
      return 4;
    default:
      throw new TypeError(`ledger entry kind ${String(kind)} is not one of ${KINDS.join(', ')}`);
  }
}
