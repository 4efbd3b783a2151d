// ING: hands each cycle the bars that closed at the cycle's time, and nothing later.
//
// The stage pulls from a BarSource with `nextUntil(source, ctx.cycleTime)`: the source's
// cursor only gives out batches whose time is <= the cycle's time, so a later bar cannot
// reach FEAT, SIG or anything downstream (look-ahead is impossible by construction, not
// by a filter someone might forget). A backtest driver schedules one cycle per batch time,
// so a cycle gets exactly the batch at `cycleTime`; if a driver skips a time, the missed
// batches come with the next cycle, earlier ones first, so no bar is ever lost.
//
// Before returning, every bar is shown to the MarketListeners (the paper broker fills
// resting orders at the new bar's open), bar by bar in batch and symbol order, exactly as
// a venue trades before our cycle sees the close.
//
// Paper and live runs mark the snapshot stale when the newest bar is older than
// `maxStalenessMs` by the clock (the orchestrator blocks before SIG and RISK denies with
// RISK.DATA.STALE); ING itself does not throw for stale data. Backtests skip the check:
// their clock is the bar time.
//
// Retries: a retried attempt (attempt > 1) of the same cycle (same index and time) gets
// the same snapshot, and listeners that already saw a bar are not shown it again (after a
// listener failure they resume from that bar). If a failed cycle is not retried, its bars
// lead the next cycle's.

import { OrdinisError } from '../../errors.ts';
import type { Clock } from '../../core/clock.ts';
import type { Bar, MarketListener, MarketSnapshot } from '../../domain/market.ts';
import type { RunMode, Stage, StageContext } from '../../kernel/stage-contract.ts';
import { nextUntil, type BarSource } from './bar-source.ts';

/** `ING_MAX_STALENESS_MS` default. */
const DEFAULT_MAX_STALENESS_MS = 2000;

export interface IngestStageOptions {
  /** Where bars come from. The stage owns its cursor. */
  source: BarSource;
  /** Shown every bar, in order, before the stage returns (e.g. the paper broker). */
  listeners?: readonly MarketListener[];
  /** Staleness threshold (ms). Default 2000 (`ING_MAX_STALENESS_MS`). */
  maxStalenessMs?: number;
  /** Modes in which staleness is checked. Default: paper and live (never backtest). */
  stalenessModes?: readonly RunMode[];
  /** Clock for staleness; default the cycle context's clock. */
  clock?: Clock;
}

interface PendingCycle {
  cycleTime: number;
  cycleIndex: number;
  bars: Bar[];
  exhausted: boolean;
  /** bars[0..notified) were shown to listeners[0..] ; listenerIdx for the bar in progress. */
  notified: number;
  listenerIdx: number;
}

/**
 * The default ING engine: takes the bars due at the cycle's time from a BarSource (nothing later), checks them, hands them to the venue first, flags stale data.
 */
export class IngestStage implements Stage<'ING'> {
  readonly name = 'ING' as const;
  private readonly source: BarSource;
  private readonly listeners: readonly MarketListener[];
  private readonly maxStalenessMs: number;
  private readonly stalenessModes: readonly RunMode[];
  private readonly clock: Clock | undefined;
  private pending: PendingCycle | undefined;
  private latestTs: number | undefined;
  private firstRunAt: number | undefined;
  private delivered = 0;

  constructor(opts: IngestStageOptions) {
    this.source = opts.source;
    this.listeners = [...(opts.listeners ?? [])];
    this.maxStalenessMs = opts.maxStalenessMs ?? DEFAULT_MAX_STALENESS_MS;
    this.stalenessModes = opts.stalenessModes ?? ['paper', 'live'];
    this.clock = opts.clock;
  }

  /** Bars handed out so far (all cycles). */
  get barsDelivered(): number {
    return this.delivered;
  }

  run(ctx: StageContext): MarketSnapshot {
    const asOf = ctx.cycleTime;
    let p = this.pending;
    const incomplete = p !== undefined && p.notified < p.bars.length;
    const retry = p !== undefined && p.cycleTime === asOf && p.cycleIndex === ctx.cycleIndex && (ctx.attempt > 1 || incomplete);
    if (p === undefined || !retry) {
      // A failed cycle's bars never reached downstream: they lead the next cycle's bars
      // (listeners resume where they stopped), so nothing is lost.
      const carried = incomplete ? p : undefined;
      const bars: Bar[] = carried ? [...carried.bars] : [];
      for (let b = nextUntil(this.source, asOf); b !== undefined; b = nextUntil(this.source, asOf)) for (const bar of b.bars) bars.push(bar);
      p = {
        cycleTime: asOf,
        cycleIndex: ctx.cycleIndex,
        bars,
        exhausted: this.source.peekTs() === undefined,
        notified: carried?.notified ?? 0,
        listenerIdx: carried?.listenerIdx ?? 0,
      };
      this.pending = p;
      this.delivered += bars.length - (carried?.bars.length ?? 0);
      if (bars.length > 0) this.latestTs = bars[bars.length - 1]!.ts;
    }
    this.notify(p);

    const snap: MarketSnapshot = { asOf, bars: p.bars };
    if (p.exhausted) snap.exhausted = true;
    if (this.stalenessModes.includes(ctx.mode)) {
      const now = (this.clock ?? ctx.clock).now();
      this.firstRunAt ??= now;
      if (this.latestTs === undefined) {
        const lagMs = now - this.firstRunAt;
        if (lagMs > this.maxStalenessMs) snap.stale = { reason: `no market data received in ${lagMs} ms`, lagMs };
      } else {
        const lagMs = now - this.latestTs;
        if (lagMs > this.maxStalenessMs) {
          snap.stale = { reason: `newest bar ${new Date(this.latestTs).toISOString()} is ${lagMs} ms old (max ${this.maxStalenessMs} ms)`, lagMs };
        }
      }
    }
    return snap;
  }

  summarize(out: MarketSnapshot): Record<string, unknown> {
    // Built field by field: spreading optional parts costs an object per cycle.
    const s: Record<string, unknown> = { asOf: out.asOf, bars: out.bars.length };
    if (out.stale) {
      s.stale = out.stale.reason;
      s.lagMs = out.stale.lagMs;
    }
    if (out.exhausted) s.exhausted = true;
    return s;
  }

  private notify(p: PendingCycle): void {
    const ls = this.listeners;
    if (ls.length === 0) {
      p.notified = p.bars.length;
      return;
    }
    while (p.notified < p.bars.length) {
      const bar = p.bars[p.notified]!;
      // A venue trades on what it is shown: a bar from a live feed is checked before any
      // listener sees it (CSV rows were checked when read).
      if (p.listenerIdx === 0) assertTradableBar(bar);
      while (p.listenerIdx < ls.length) {
        ls[p.listenerIdx]!.onBar(bar);
        p.listenerIdx++;
      }
      p.listenerIdx = 0;
      p.notified++;
    }
  }
}

/** Prices finite and > 0, low <= high, volume finite and >= 0; else E_ING_NORMALIZE_FAILED naming the field. */
function assertTradableBar(bar: Bar): void {
  // This runs on every bar: one plain test first, kept apart from the wording of the errors
  // (V8 optimizes a function holding the message templates about ten times worse).
  if (!isTradable(bar)) refuseBar(bar);
}

function isPrice(x: number): boolean {
  return Number.isFinite(x) && x > 0;
}

function isTradable(bar: Bar): boolean {
  return isPrice(bar.open) && isPrice(bar.high) && isPrice(bar.low) && isPrice(bar.close) && !(bar.high < bar.low) && Number.isFinite(bar.volume) && bar.volume >= 0;
}

/** Throws for the first check an untradable bar fails, naming the field. */
function refuseBar(bar: Bar): void {
  if (!isPrice(bar.open)) untradable(bar, `open ${bar.open} is not a price > 0`);
  if (!isPrice(bar.high)) untradable(bar, `high ${bar.high} is not a price > 0`);
  if (!isPrice(bar.low)) untradable(bar, `low ${bar.low} is not a price > 0`);
  if (!isPrice(bar.close)) untradable(bar, `close ${bar.close} is not a price > 0`);
  if (bar.high < bar.low) untradable(bar, `high ${bar.high} < low ${bar.low}`);
  if (!(Number.isFinite(bar.volume) && bar.volume >= 0)) untradable(bar, `volume ${bar.volume} is not >= 0`);
}

function untradable(bar: Bar, what: string): never {
  throw new OrdinisError('E_ING_NORMALIZE_FAILED', `${bar.symbol} bar at ${bar.ts}: ${what}`, { details: { symbol: bar.symbol, ts: bar.ts } });
}
