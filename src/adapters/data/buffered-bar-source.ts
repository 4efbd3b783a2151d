// Bars that arrive between cycles (from a live feed or `ordinis.market.bar.closed` events),
// held until the next cycle's ING takes them. This is the "timer + buffered bars" trigger
// model: the cycle cadence is the scheduler's, and no bar that arrived in between is lost.
//
// It is a BarSource, so ING reads it as it reads a file replay: `nextUntil(source, cycleTime)`
// hands out the buffered batches with ts <= the cycle's time, oldest first, and nothing later.
// The cursor only moves forward: a bar at or before the last batch handed out (or before the
// resume floor after a restart) can no longer reach FEAT in order, so it is dropped and
// counted, never delivered out of order. A second bar for the same symbol and time replaces
// nothing; the first one wins and the duplicate is counted.

import type { Bar } from '../../domain/market.ts';
import type { BarBatch, BarSource } from '../../stages/ing/bar-source.ts';
import { OrdinisError } from '../../errors.ts';

export interface BufferedBarSourceOptions {
  /** Symbol order within a batch; bars of other symbols are refused. Default: any symbol, first-seen order. */
  symbols?: readonly string[];
  /** Bars at or before this time are dropped (the resume point after a restart). */
  floorTs?: number;
  /** Cap on buffered bars; past it the oldest are dropped and counted. Default 100 000. */
  maxBuffered?: number;
}

export interface BufferStats {
  buffered: number;
  accepted: number;
  late: number;
  duplicates: number;
  unknownSymbol: number;
  overflow: number;
}

export type PushResult = 'accepted' | 'late' | 'duplicate' | 'unknown_symbol';

export class BufferedBarSource implements BarSource {
  private readonly fixedSymbols: boolean;
  private readonly order: string[];
  private readonly rank = new Map<string, number>();
  /** ts -> symbol -> bar */
  private readonly pending = new Map<number, Map<string, Bar>>();
  private sortedTs: number[] = [];
  private floor: number;
  private readonly maxBuffered: number;
  private count = 0;
  private closed = false;
  private readonly counters = { accepted: 0, late: 0, duplicates: 0, unknownSymbol: 0, overflow: 0 };

  constructor(opts: BufferedBarSourceOptions = {}) {
    this.fixedSymbols = opts.symbols !== undefined && opts.symbols.length > 0;
    this.order = [...(opts.symbols ?? [])];
    this.order.forEach((s, i) => this.rank.set(s, i));
    this.floor = opts.floorTs ?? Number.NEGATIVE_INFINITY;
    this.maxBuffered = opts.maxBuffered ?? 100_000;
    if (!(this.maxBuffered >= 1)) throw new OrdinisError('E_CFG_INVALID', `buffered bar source: maxBuffered must be >= 1, got ${this.maxBuffered}`);
  }

  get symbols(): readonly string[] {
    return this.order;
  }

  /** Buffers one closed bar until a cycle takes it. */
  push(bar: Bar): PushResult {
    if (this.closed) return 'late';
    if (!this.rank.has(bar.symbol)) {
      if (this.fixedSymbols) {
        this.counters.unknownSymbol++;
        return 'unknown_symbol';
      }
      this.rank.set(bar.symbol, this.order.length);
      this.order.push(bar.symbol);
    }
    if (!(bar.ts > this.floor)) {
      this.counters.late++;
      return 'late';
    }
    let step = this.pending.get(bar.ts);
    if (step === undefined) {
      step = new Map();
      this.pending.set(bar.ts, step);
      insertSorted(this.sortedTs, bar.ts);
    }
    if (step.has(bar.symbol)) {
      this.counters.duplicates++;
      return 'duplicate';
    }
    step.set(bar.symbol, { ...bar });
    this.count++;
    this.counters.accepted++;
    while (this.count > this.maxBuffered) this.dropOldest();
    return 'accepted';
  }

  /** Moves the floor forward (e.g. to a resume point); buffered bars at or before it are dropped. */
  advanceFloor(ts: number): void {
    if (!(ts > this.floor)) return;
    this.floor = ts;
    while (this.sortedTs.length > 0 && this.sortedTs[0]! <= ts) {
      const t = this.sortedTs.shift()!;
      const n = this.pending.get(t)?.size ?? 0;
      this.pending.delete(t);
      this.count -= n;
      this.counters.late += n;
    }
  }

  peekTs(): number | undefined {
    return this.sortedTs[0];
  }

  /** Time of the last batch handed out (or the floor it started from); later bars only are accepted. */
  get floorTs(): number {
    return this.floor;
  }

  next(): BarBatch | undefined {
    const ts = this.sortedTs.shift();
    if (ts === undefined) return undefined;
    const step = this.pending.get(ts)!;
    this.pending.delete(ts);
    this.count -= step.size;
    this.floor = ts;
    const bars = [...step.values()].sort((a, b) => this.rank.get(a.symbol)! - this.rank.get(b.symbol)!);
    return { ts, bars };
  }

  close(): void {
    this.closed = true;
    this.pending.clear();
    this.sortedTs = [];
    this.count = 0;
  }

  stats(): BufferStats {
    return { buffered: this.count, ...this.counters };
  }

  private dropOldest(): void {
    const ts = this.sortedTs[0];
    if (ts === undefined) return;
    const step = this.pending.get(ts)!;
    const first = step.keys().next().value as string;
    step.delete(first);
    this.count--;
    this.counters.overflow++;
    if (step.size === 0) {
      this.pending.delete(ts);
      this.sortedTs.shift();
    }
  }
}

function insertSorted(a: number[], v: number): void {
  let lo = 0;
  let hi = a.length;
  // New bars are almost always the newest: check the end first.
  if (hi === 0 || a[hi - 1]! < v) {
    a.push(v);
    return;
  }
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  a.splice(lo, 0, v);
}
