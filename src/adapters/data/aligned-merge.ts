// k-way merge of per-symbol bar streams into time-aligned batches: the core of the file
// replay, kept apart so the replay reads as files + windows + errors.

import type { Bar } from '../../domain/market.ts';
import type { BarBatch } from '../../stages/ing/bar-source.ts';

/** A per-symbol stream of ascending bars, merged by time with its siblings. */
export interface BarCursor {
  peek(): Bar | undefined;
  next(): Bar | undefined;
  close(): void;
}

/**
 * k-way merge by timestamp; within a batch, bars follow the cursor (= symbol) order.
 * The merge owns its cursors, so their heads change only in next() and close(): the next
 * batch's time is remembered in between (a replay asks for it several times a cycle).
 */
export class AlignedMerge {
  private headTs: number | undefined;
  private headKnown = false;

  constructor(private readonly cursors: BarCursor[]) {}

  peekTs(): number | undefined {
    if (!this.headKnown) {
      this.headTs = this.minTs();
      this.headKnown = true;
    }
    return this.headTs;
  }

  next(): BarBatch | undefined {
    const ts = this.peekTs();
    if (ts === undefined) return undefined;
    this.headKnown = false;
    const bars: Bar[] = [];
    for (const c of this.cursors) {
      const b = c.peek();
      if (b !== undefined && b.ts === ts) bars.push(c.next()!);
    }
    return { ts, bars };
  }

  close(): void {
    this.headKnown = false;
    for (const c of this.cursors) c.close();
  }

  private minTs(): number | undefined {
    let min: number | undefined;
    for (const c of this.cursors) {
      const b = c.peek();
      if (b !== undefined && (min === undefined || b.ts < min)) min = b.ts;
    }
    return min;
  }
}
