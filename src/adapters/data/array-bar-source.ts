// Bars held in memory as a BarSource, aligned like the file replay: tests and small replays.

import { OrdinisError } from '../../errors.ts';
import type { Bar } from '../../domain/market.ts';
import type { BarBatch, BarSource } from '../../stages/ing/bar-source.ts';
import { checkSymbolList } from './symbol-list.ts';

/** Bars held in memory, aligned like the file replay (tests, small replays). */
export class ArrayBarSource implements BarSource {
  readonly symbols: readonly string[];
  private readonly batches: BarBatch[];
  private i = 0;

  /** `symbols` fixes the order within a batch; default: order of first appearance. */
  constructor(bars: readonly Bar[], symbols?: readonly string[]) {
    const syms = symbols ? [...symbols] : [...new Set(bars.map((b) => b.symbol))];
    checkSymbolList(syms, 'array source');
    const rank = new Map(syms.map((s, k) => [s, k]));
    for (const b of bars) {
      if (!rank.has(b.symbol)) throw new OrdinisError('E_CFG_INVALID', `array source: bar for unlisted symbol '${b.symbol}'`);
    }
    const sorted = [...bars].sort((a, b) => a.ts - b.ts || rank.get(a.symbol)! - rank.get(b.symbol)!);
    const batches: BarBatch[] = [];
    for (let k = 0; k < sorted.length; k++) {
      const b = sorted[k]!;
      const prev = sorted[k - 1];
      if (prev && prev.ts === b.ts && prev.symbol === b.symbol) {
        throw new OrdinisError('E_ING_NORMALIZE_FAILED', `array source: two bars for ${b.symbol} at ${new Date(b.ts).toISOString()}`);
      }
      const last = batches[batches.length - 1];
      if (last && last.ts === b.ts) last.bars.push(b);
      else batches.push({ ts: b.ts, bars: [b] });
    }
    this.symbols = syms;
    this.batches = batches;
  }

  peekTs(): number | undefined {
    return this.batches[this.i]?.ts;
  }

  next(): BarBatch | undefined {
    const b = this.batches[this.i];
    if (b === undefined) return undefined;
    this.i++;
    return { ts: b.ts, bars: [...b.bars] };
  }

  close(): void {
    this.i = this.batches.length;
  }

  /** Rewinds the cursor to the first batch (a source replayed twice, e.g. in a test). */
  reset(): void {
    this.i = 0;
  }

  /** Every batch time in order, without moving the cursor (progress counts). */
  *timestamps(): Generator<number> {
    for (const b of this.batches) yield b.ts;
  }
}
