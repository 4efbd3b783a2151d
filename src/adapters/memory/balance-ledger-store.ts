// An in-memory LedgerStore for long runs that nobody replays afterwards (the backtest
// driver): it keeps the balances the entries add up to, not the entries, so its memory does
// not grow with the number of fills. Posting works as in MemoryLedgerStore (a fill and its
// postings apply together, a fill posted twice is refused). loadEntries returns the ledger
// closed into opening balances: one cash entry, one fee entry and, per symbol, a position
// entry at its average cost and a pnl_realized entry. Replayed, they give the same cash,
// fees and per-symbol qty, average cost and realized PnL bit for bit (each is a running sum
// or the last value of the in-order replay, carried as one entry added to zero); only the
// replay's total realized PnL is summed per symbol, and the fill ids are not carried.
//
// A fill id is remembered (for the twice-posted check) until forgetFills: the driver calls it
// for the fills of orders it has released, which can never be reported again.

import type { Fill } from '../../domain/order.ts';
import type { Position } from '../../domain/portfolio.ts';
import { LedgerBalances } from '../../stages/port/ledger.ts';
import type { LedgerEntry, LedgerStore } from '../../stages/port/ledger-store.ts';

export class BalanceLedgerStore implements LedgerStore {
  private readonly balances = new LedgerBalances();
  /** Time and correlation id of the last entry posted (the closing entries carry them); null while empty. */
  private lastTs = 0;
  private lastCorrelationId: string | null = null;
  private readonly fills = new Set<string>();
  private readonly positions = new Map<string, Position>();

  commitFill(fill: Fill, entries: LedgerEntry[], position: Position): boolean {
    if (this.fills.has(fill.fillId)) return false;
    this.fills.add(fill.fillId);
    this.appendEntries(entries);
    this.positions.set(position.symbol, { ...position });
    return true;
  }

  hasFill(fillId: string): boolean {
    return this.fills.has(fillId);
  }

  /** Fills that can never be posted again (their orders are final and released); returns how many were known. */
  forgetFills(fillIds: Iterable<string>): number {
    let n = 0;
    for (const id of fillIds) if (this.fills.delete(id)) n++;
    return n;
  }

  /** Fill ids remembered for the twice-posted check (to see that forgetting keeps memory flat). */
  get fillsHeld(): number {
    return this.fills.size;
  }

  appendEntries(entries: LedgerEntry[]): void {
    for (const e of entries) this.balances.apply(e);
    const e = entries[entries.length - 1];
    if (e === undefined) return;
    this.lastTs = e.ts;
    this.lastCorrelationId = e.correlationId;
  }

  loadEntries(): LedgerEntry[] {
    const ts = this.lastTs;
    const correlationId = this.lastCorrelationId;
    if (correlationId === null) return [];
    const b = this.balances;
    const entry = (kind: LedgerEntry['kind'], symbol: string | null, amount: number, price: number | null): LedgerEntry => ({
      ts,
      correlationId,
      kind,
      symbol,
      amount,
      price,
      fillId: null,
      memo: 'balance brought forward',
    });
    const out = [entry('cash', null, b.cash, null)];
    if (b.fees !== 0) out.push(entry('fee', null, b.fees, null));
    for (const [symbol, p] of b.positions) {
      out.push(entry('position', symbol, p.qty, p.avgCost));
      if (p.realizedPnl !== 0) out.push(entry('pnl_realized', symbol, p.realizedPnl, null));
    }
    return out;
  }

  loadPositions(): Position[] {
    return [...this.positions.values()].map((p) => ({ ...p }));
  }
}
