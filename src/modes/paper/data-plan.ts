// Where a paper run's bars come from, as the runtime loop sees it: a file replay
// (replay-plan.ts) or a live bar feed (live-plan.ts). The loop asks the plan for the next
// cycle, tells it which cycles delivered their bars, and moves the resume cursor to what
// the plan says those cycles reached; it never branches on the kind.

import type { Clock } from '../../core/clock.ts';
import type { OrdinisConfig } from '../../config/schema.ts';
import type { Bar } from '../../domain/market.ts';
import type { CycleTrigger } from '../../kernel/stage-contract.ts';
import type { BufferedBarSource } from '../../adapters/data/buffered-bar-source.ts';
import type { BarSource } from '../../stages/ing/bar-source.ts';
import type { BookIdentity } from './paper-book.ts';
import type { Cadence } from './cycle-scheduler.ts';
import type { Bus, EventEmitterPort } from '../../bus/contract.ts';

/** The next cycle to run: its trigger and the bar time it is for (undefined: whatever has arrived). */
export interface NextCycle {
  trigger: CycleTrigger;
  barTs: number | undefined;
}

export interface DataPlan {
  readonly kind: 'replay' | 'live';
  /** ING's source. */
  readonly source: BarSource;
  /** The cycle clock: bar time (replay) or the wall clock (live); staleness is measured on it. */
  readonly clock: Clock;
  /** The buffer market events are pushed into (live), or undefined. */
  readonly buffer: BufferedBarSource | undefined;
  /** Whether the scheduler fires one tick as soon as it starts. */
  readonly tickAtStart: boolean;
  /** When cycles run. */
  cadence(config: OrdinisConfig): Cadence;
  /** Feeds the bars up to the resume point to `feed` (FEAT and SIG only), oldest first. */
  warmUp(feed: (bars: readonly Bar[], asOf: number) => void): Promise<void>;
  /** The next cycle, or 'done' when the data is exhausted. */
  next(): NextCycle | 'done';
  /** The resume point a cycle that delivered its bars has reached (undefined: none yet). */
  reached(barTs: number | undefined): number | undefined;
  /** True when a cycle ended with its bar still in the source (ING never took it). */
  leftBehind(barTs: number | undefined): boolean;
  /**
   * Starts delivering bars (live: the feed); `warn` hears provider errors. With `market`, live
   * bars travel over the bus as `ordinis.market.bar.closed` (see live-plan.ts).
   */
  start(warn: (message: string, fields: Record<string, unknown>) => void, market?: MarketBus): Promise<void>;
  /** Stops delivering and closes the source. */
  stop(): Promise<void>;
}

/** What the data contributes to the book's identity (paper-book.ts). */
export type BookData = Pick<BookIdentity, 'data' | 'symbols'>;

/** The process's bus and the mode's emitter on it: where live bars are published and heard. */
export interface MarketBus {
  bus: Bus;
  events: EventEmitterPort;
}
