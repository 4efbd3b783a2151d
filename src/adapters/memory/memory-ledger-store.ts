// The in-memory LedgerStore (tests, backtests without a database). A fill's entries and the
// position are applied together or not at all; a fill posted twice is refused.

import type { Fill } from '../../domain/order.ts';
import type { Position } from '../../domain/portfolio.ts';
import type { LedgerEntry, LedgerStore } from '../../stages/port/ledger-store.ts';

export class MemoryLedgerStore implements LedgerStore {
  private readonly entries: LedgerEntry[] = [];
  private readonly fills = new Set<string>();
  private readonly positions = new Map<string, Position>();

  commitFill(fill: Fill, entries: LedgerEntry[], position: Position): boolean {
    if (this.fills.has(fill.fillId)) return false;
    this.fills.add(fill.fillId);
    for (const e of entries) this.entries.push({ ...e });
    this.positions.set(position.symbol, { ...position });
    return true;
  }

  hasFill(fillId: string): boolean {
    return this.fills.has(fillId);
  }

  appendEntries(entries: LedgerEntry[]): void {
    for (const e of entries) this.entries.push({ ...e });
  }

  loadEntries(): LedgerEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  loadPositions(): Position[] {
    return [...this.positions.values()].map((p) => ({ ...p }));
  }
}
