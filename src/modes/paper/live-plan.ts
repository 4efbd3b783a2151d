// A live bar feed traded as paper: bars are buffered between cycles (a BufferedBarSource,
// ING's source), cycles run on ORCH_SCHEDULE (or the given cadence) on the wall clock, and
// each cycle takes what arrived since the last one. A restart warms FEAT and SIG up on the
// feed's history up to the resume point; the buffer drops bars at or before it.
//
// With the process's bus (the CLI's paper and live), the feed's closed bars take the spec's
// path: published as `ordinis.market.bar.closed`, and the buffer is one subscriber among any
// (`--events`, the dashboard's `/events`); a bar another publisher puts on the bus for these
// symbols is traded the same way. Without a bus the feed pushes into the buffer directly.

import { systemClock, type Clock } from '../../core/clock.ts';
import type { OrdinisConfig } from '../../config/schema.ts';
import { parseSchedule } from '../../config/schedule.ts';
import { OrdinisError, toOrdinisError } from '../../errors.ts';
import type { Bar } from '../../domain/market.ts';
import { BufferedBarSource } from '../../adapters/data/buffered-bar-source.ts';
import { MARKET_BAR_CLOSED, barFromPayload, barToPayload } from '../../adapters/data/market-bar-event.ts';
import type { LiveBarFeed } from '../../adapters/data/live-bar-feed.ts';
import { cadenceFromSchedule, type Cadence } from './cycle-scheduler.ts';
import type { BookData, DataPlan, MarketBus, NextCycle } from './data-plan.ts';

export interface LiveData {
  kind: 'live';
  feed: LiveBarFeed;
  /** When cycles run. Default: ORCH_SCHEDULE. */
  cadence?: Cadence;
  /** Default: the system clock. */
  clock?: Clock;
}

/** A feed is known by its name and symbols (its bars cannot be fingerprinted in advance). */
export function liveBookData(data: LiveData): BookData {
  return { data: { feed: data.feed.name }, symbols: [...data.feed.symbols] };
}

export class LivePlan implements DataPlan {
  readonly kind = 'live';
  readonly clock: Clock;
  readonly source: BufferedBarSource;
  readonly tickAtStart = false;
  /** The buffer's subscription to the bus's bars, while started with one. */
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly data: LiveData,
    /** The resume point (undefined: a fresh start). */
    private readonly resumeTs: number | undefined,
  ) {
    this.source = new BufferedBarSource({ symbols: data.feed.symbols, ...(resumeTs !== undefined ? { floorTs: resumeTs } : {}) });
    this.clock = data.clock ?? systemClock;
  }

  get buffer(): BufferedBarSource {
    return this.source;
  }

  cadence(config: OrdinisConfig): Cadence {
    if (this.data.cadence) return this.data.cadence;
    const p = parseSchedule(config.ORCH_SCHEDULE);
    if (!p.ok) throw new OrdinisError('E_CFG_INVALID', `ORCH_SCHEDULE: ${p.reason}`);
    return cadenceFromSchedule(p.schedule);
  }

  async warmUp(feed: (bars: readonly Bar[], asOf: number) => void): Promise<void> {
    const { feed: live } = this.data;
    if (!live.history) return;
    const until = this.resumeTs ?? this.clock.now();
    const rank = new Map(live.symbols.map((s, i) => [s, i]));
    const bars = [...(await live.history(until))].filter((b) => b.ts <= until).sort((a, b) => a.ts - b.ts || (rank.get(a.symbol) ?? 0) - (rank.get(b.symbol) ?? 0));
    for (const b of bars) feed([b], b.ts);
    const newest = bars.at(-1)?.ts;
    if (newest !== undefined) this.source.advanceFloor(newest);
  }

  next(): NextCycle {
    return { trigger: { kind: 'timer' }, barTs: undefined };
  }

  /** The buffer's floor: the newest bar time a cycle has taken. */
  reached(): number | undefined {
    const floor = this.source.floorTs;
    return Number.isFinite(floor) ? floor : undefined;
  }

  leftBehind(): boolean {
    return false;
  }

  async start(warn: (message: string, fields: Record<string, unknown>) => void, market?: MarketBus): Promise<void> {
    const { feed } = this.data;
    let onBar = (bar: Bar): void => void this.source.push(bar);
    if (market) {
      // Subscribed before the feed starts, so no bar is published before anyone hears it.
      const id = market.bus.subscribe({ topic: MARKET_BAR_CLOSED, name: 'orch.live.bars' }, (ev) => {
        let bar: Bar;
        try {
          bar = barFromPayload(ev.payload);
        } catch (e) {
          // Redelivering a malformed bar cannot fix it: drop it, loudly.
          warn('market bar event dropped', { event_id: ev.event_id, error: toOrdinisError(e).message });
          return;
        }
        this.source.push(bar);
      });
      this.unsubscribe = () => void market.bus.unsubscribe(id);
      onBar = (bar) => market.events.emit(MARKET_BAR_CLOSED, barToPayload(bar), { partitionKey: bar.symbol, tsEvent: bar.ts });
    }
    await feed.start(onBar, (err) => warn('live bar feed error', { feed: feed.name, error: toOrdinisError(err, 'E_ING_PROVIDER_DOWN').message }));
  }

  async stop(): Promise<void> {
    await Promise.resolve(this.data.feed.stop()).catch(() => undefined);
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.source.close();
  }
}
