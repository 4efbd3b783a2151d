// The ledger's storage port. A fill, its postings and the position update commit in one
// transaction; posting the same fill twice is refused, so a replayed report cannot double.

import type { Fill } from '../../domain/order.ts';
import type { Position } from '../../domain/portfolio.ts';

export type LedgerEntryKind = 'cash' | 'position' | 'fee' | 'pnl_realized' | 'mtm';

export interface LedgerEntry {
  ts: number;
  correlationId: string;
  kind: LedgerEntryKind;
  symbol: string | null;
  /** Money for cash/fee/pnl_realized/mtm entries; shares for position entries. */
  amount: number;
  /** Price the entry was booked at (fills and marks). */
  price: number | null;
  fillId: string | null;
  memo: string;
}

/** The port where PORT posts fills and cash as ledger entries. */
export interface LedgerStore {
  /** Atomically posts a fill's entries and the resulting position. Returns false if the fill was already posted. */
  commitFill(fill: Fill, entries: LedgerEntry[], position: Position): boolean;
  /** Whether the fill is already posted. */
  hasFill(fillId: string): boolean;
  /** Appends entries that are not tied to a fill (opening cash, marks). */
  appendEntries(entries: LedgerEntry[]): void;
  /** Every entry in posting order, for replay. */
  loadEntries(): LedgerEntry[];
  /** Every position as last posted. */
  loadPositions(): Position[];
}
