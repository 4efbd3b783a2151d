// The port a live market-data provider implements for the paper/live runtime. No network
// provider ships here; an adapter (a broker's websocket, a vendor's REST poller) implements
// this and the runtime does the rest: bars go into a BufferedBarSource, the scheduler runs
// cycles on ORCH_SCHEDULE, and each cycle's ING takes what arrived since the last one.

import type { Bar } from '../../domain/market.ts';
import type { MaybePromise } from '../../core/maybe-async.ts';

export interface LiveBarFeed {
  /** For logs and the run record, e.g. "alpaca.bars.1m". */
  readonly name: string;
  /** The symbols it delivers, in the order bars of one time step should reach the strategy. */
  readonly symbols: readonly string[];
  /**
   * Starts delivering CLOSED bars to `onBar`, in any order, possibly late or twice (the
   * buffer drops what can no longer be used). `onError` reports a provider problem
   * (E_ING_PROVIDER_DOWN); the feed keeps trying, and staleness blocks trading meanwhile.
   */
  start(onBar: (bar: Bar) => void, onError: (error: Error) => void): MaybePromise<void>;
  /** Stops delivering; idempotent. */
  stop(): MaybePromise<void>;
  /**
   * Closed bars with `ts <= untilTs`, oldest first (at least enough for the strategy's
   * warm-up). Used at start-up to rebuild FEAT and SIG state up to the resume point.
   * Optional: without it, the strategy warms up on live bars.
   */
  history?(untilTs: number): MaybePromise<readonly Bar[]>;
}

/** A feed driven by hand: tests and demos push bars into it. */
export class ManualBarFeed implements LiveBarFeed {
  readonly name: string;
  readonly symbols: readonly string[];
  private sink: ((bar: Bar) => void) | undefined;
  private readonly past: Bar[];

  constructor(symbols: readonly string[], options: { name?: string; history?: readonly Bar[] } = {}) {
    this.symbols = [...symbols];
    this.name = options.name ?? 'manual';
    this.past = [...(options.history ?? [])];
  }

  start(onBar: (bar: Bar) => void): void {
    this.sink = onBar;
  }

  stop(): void {
    this.sink = undefined;
  }

  get running(): boolean {
    return this.sink !== undefined;
  }

  /** Delivers a bar now (dropped when the feed is stopped). */
  emit(bar: Bar): void {
    this.past.push(bar);
    this.sink?.(bar);
  }

  history(untilTs: number): readonly Bar[] {
    return this.past.filter((b) => b.ts <= untilTs).sort((a, b) => a.ts - b.ts);
  }
}
