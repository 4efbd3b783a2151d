// ING's port: where its bars come from. A BarSource hands out time-aligned batches through a
// cursor that only moves forward: `peekTs()` reveals the time of the next batch (never its
// prices) and `next()` hands out that batch. ING takes batches only while their time is
// <= the cycle's time (`nextUntil`), so no later bar can reach a cycle.
//
// The port lives beside the stage; the implementations are adapters in `src/adapters/data/`
// (file replay, array, synthetic, buffered live bars).

import type { Bar } from '../../domain/market.ts';

/** The bars sharing one timestamp, in the source's symbol order (absent symbols omitted). */
export interface BarBatch {
  ts: number;
  bars: Bar[];
}

/**
 * The data port: time-aligned bar batches through a cursor that only moves forward. Implement it to feed bars from elsewhere; `ArrayBarSource` and `FileReplaySource` are the defaults.
 */
export interface BarSource {
  /** Configured symbols; the order of bars within a batch. */
  readonly symbols: readonly string[];
  /** Time of the next batch not yet handed out, or undefined when the source is exhausted. */
  peekTs(): number | undefined;
  /** Hands out the next batch and advances the cursor; undefined when exhausted. */
  next(): BarBatch | undefined;
  /** Releases resources (file handles). Idempotent. */
  close(): void;
}

/**
 * Hands out the next batch if its time is <= `asOf`, else undefined and the cursor stays
 * put: the only way ING reads a source, so nothing later than `asOf` can come out.
 */
export function nextUntil(source: BarSource, asOf: number): BarBatch | undefined {
  const ts = source.peekTs();
  return ts !== undefined && ts <= asOf ? source.next() : undefined;
}

/** Every batch whose time is <= `asOf`, in time order, and nothing later. */
export function takeUntil(source: BarSource, asOf: number): BarBatch[] {
  const out: BarBatch[] = [];
  for (let b = nextUntil(source, asOf); b !== undefined; b = nextUntil(source, asOf)) out.push(b);
  return out;
}
