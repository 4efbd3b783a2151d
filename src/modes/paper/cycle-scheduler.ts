// When paper and live cycles run. Four cadences:
//
//   interval    a timer every N ms              (ORCH_SCHEDULE "30s", "1m")
//   cron        croner fires on the expression  (ORCH_SCHEDULE "*/5 * * * *", seconds allowed)
//   continuous  back to back                    (file replay "as fast as possible")
//   market      on each `ordinis.market.bar.closed` event
//
// Whatever the cadence, bars that arrive as market events between cycles are buffered (a
// BufferedBarSource, which is ING's source) and the next cycle takes them all: the spec's
// "timer + buffered bars".
//
// Never two cycles at once. A tick that finds a cycle running is skipped: the engine refuses
// it with E_ORCH_CYCLE_IN_PROGRESS and counts it (`ordinis_cycles_skipped_total{reason}` through
// its observer). A market tick skipped that way leaves its bar in the buffer, and one
// catch-up cycle runs when the busy one ends, so a burst of bars never strands the last ones.
//
// `plan` is asked, only when no cycle runs, what the next cycle is (its trigger, correlation
// id, cycle time); it may answer 'idle' (nothing this tick) or 'done' (stop: data exhausted,
// enough cycles). `stop()` stops ticking and waits for the running cycle (engine.stop()).

import { Cron } from 'croner';
import type { Bus } from '../../bus/contract.ts';
import type { Schedule } from '../../config/schedule.ts';
import { OrdinisError, toOrdinisError } from '../../errors.ts';
import type { CycleOptions, EngineObserver } from '../../kernel/engine.ts';
import type { CycleResult } from '../../kernel/cycle-result.ts';
import type { CycleTrigger } from '../../kernel/stage-contract.ts';
import type { BufferedBarSource } from '../../adapters/data/buffered-bar-source.ts';
import { barFromPayload } from '../../adapters/data/market-bar-event.ts';

export type Cadence =
  | { kind: 'interval'; ms: number }
  | { kind: 'cron'; expression: string; timezone?: string }
  | { kind: 'continuous' }
  | { kind: 'market' };

export function cadenceFromSchedule(s: Schedule): Cadence {
  return s.kind === 'interval' ? { kind: 'interval', ms: s.ms } : { kind: 'cron', expression: s.expression };
}

/** What the scheduler needs from the engine (OrchestrationEngine satisfies it). */
export interface CycleRunner {
  /** Rejects with E_ORCH_CYCLE_IN_PROGRESS while a cycle runs (and counts that as a skip). */
  runCycle(trigger: CycleTrigger, options?: CycleOptions): Promise<CycleResult>;
  readonly isBusy: boolean;
  /** Refuses new cycles and resolves once the running one has finished. */
  stop(): Promise<void>;
}

export type TickSource = 'timer' | 'market' | 'manual';

export interface Tick {
  source: TickSource;
  /** The triggering event (market ticks). */
  eventId?: string;
}

export interface PlannedCycle {
  trigger: CycleTrigger;
  options?: CycleOptions;
}

export type CyclePlan = PlannedCycle | 'idle' | 'done';

export interface MarketTriggerOptions {
  bus: Bus;
  /** Where the events' bars go: ING's source. */
  buffer: BufferedBarSource;
  /** Run a cycle on each bar event. Default: true for the 'market' cadence, false otherwise (bars are only buffered). */
  triggerCycles?: boolean;
  /** Default 'ordinis.market.bar.closed'. */
  topic?: string;
}

export interface CycleSchedulerOptions {
  engine: CycleRunner;
  cadence: Cadence;
  /** The next cycle; asked only when none runs. Default: a cycle at the engine clock's now. */
  plan?: (tick: Tick) => CyclePlan;
  /** Fire one tick as soon as start() is called (interval and cron cadences). Default false. */
  tickAtStart?: boolean;
  market?: MarketTriggerOptions;
  observer?: Pick<EngineObserver, 'warn'>;
  /**
   * Each finished cycle, before the next tick can start one. It may return a promise (live
   * reconciliation reads the broker after a cycle): a tick that comes meanwhile waits for it
   * and runs right after, so no cycle overlaps the work that follows the last one.
   */
  onCycle?: (result: CycleResult) => unknown;
  /** A cycle that could not run for a reason other than overlap (engine stopped, plan threw, ...). */
  onError?: (error: OrdinisError) => void;
}

export type SchedulerState = 'created' | 'running' | 'stopping' | 'stopped';
export type SchedulerStopReason = 'stopped' | 'done';

export interface SchedulerStats {
  state: SchedulerState;
  cadence: Cadence['kind'];
  ticks: number;
  cycles: number;
  /** Ticks refused because a cycle was running. */
  skipped: number;
  barEvents: number;
  /** Bar events whose payload was not a bar. */
  badBarEvents: number;
  /** Ticks whose cycle could not run for another reason than overlap (reported through onError). */
  errors: number;
  lastCycleFinishedAt: string | null;
}

export class CycleScheduler {
  /** Resolves when the scheduler has stopped (stop() called, or plan answered 'done') and the last cycle has finished. */
  readonly done: Promise<SchedulerStopReason>;
  private resolveDone!: (r: SchedulerStopReason) => void;
  private state: SchedulerState = 'created';
  private timer: NodeJS.Timeout | undefined;
  private cron: Cron | undefined;
  private subscription: string | undefined;
  private inFlight: Promise<void> | null = null;
  private catchUp = false;
  /** A tick that came while the last cycle's onCycle work was still running: it runs after it. */
  private deferred: Tick | undefined;
  private stopping: Promise<void> | null = null;
  private readonly counters = { ticks: 0, cycles: 0, skipped: 0, barEvents: 0, badBarEvents: 0, errors: 0 };
  private lastCycleFinishedAt: string | null = null;

  constructor(private readonly opts: CycleSchedulerOptions) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    const c = opts.cadence;
    if (c.kind === 'interval' && !(Number.isFinite(c.ms) && c.ms > 0)) {
      throw new OrdinisError('E_CFG_INVALID', `scheduler interval must be a positive number of ms, got ${c.ms}`);
    }
    if (c.kind === 'market' && !opts.market) throw new OrdinisError('E_CFG_INVALID', 'the market cadence needs a bus and a bar buffer (options.market)');
  }

  get status(): SchedulerState {
    return this.state;
  }

  stats(): SchedulerStats {
    return { state: this.state, cadence: this.opts.cadence.kind, ...this.counters, lastCycleFinishedAt: this.lastCycleFinishedAt };
  }

  start(): void {
    if (this.state !== 'created') return;
    this.state = 'running';
    const c = this.opts.cadence;
    const m = this.opts.market;
    if (m) {
      const trigger = m.triggerCycles ?? c.kind === 'market';
      this.subscription = m.bus.subscribe({ topic: m.topic ?? 'ordinis.market.bar.closed', name: 'orch.scheduler.bars' }, (ev) => {
        this.counters.barEvents++;
        try {
          m.buffer.push(barFromPayload(ev.payload));
        } catch (e) {
          // Redelivering a malformed bar cannot fix it: drop it, loudly.
          this.counters.badBarEvents++;
          this.opts.observer?.warn?.('market bar event dropped', { event_id: ev.event_id, error: toOrdinisError(e).message });
          return;
        }
        if (trigger) this.tick({ source: 'market', eventId: ev.event_id });
      });
    }
    switch (c.kind) {
      case 'interval':
        this.timer = setInterval(() => this.tick({ source: 'timer' }), c.ms);
        if (this.opts.tickAtStart) this.tick({ source: 'timer' });
        break;
      case 'cron':
        this.cron = new Cron(c.expression, { ...(c.timezone ? { timezone: c.timezone } : {}), catch: true }, () => this.tick({ source: 'timer' }));
        if (this.opts.tickAtStart) this.tick({ source: 'timer' });
        break;
      case 'continuous':
        setImmediate(() => this.tick({ source: 'timer' }));
        break;
      case 'market':
        break;
    }
  }

  /** Runs a tick now (ops "run a cycle"); skipped like any other tick if a cycle is running. */
  trigger(): void {
    this.tick({ source: 'manual' });
  }

  /** Stops ticking and resolves once the running cycle (if any) has finished. Idempotent. */
  stop(): Promise<void> {
    return this.shutdown('stopped');
  }

  private shutdown(reason: SchedulerStopReason): Promise<void> {
    if (this.stopping) return this.stopping;
    if (this.state === 'created') {
      this.state = 'stopped';
      this.resolveDone(reason);
      this.stopping = Promise.resolve();
      return this.stopping;
    }
    this.state = 'stopping';
    if (this.timer) clearInterval(this.timer);
    this.cron?.stop();
    if (this.subscription) this.opts.market?.bus.unsubscribe(this.subscription);
    this.stopping = (async () => {
      await this.opts.engine.stop();
      if (this.inFlight) await this.inFlight;
      this.state = 'stopped';
      this.resolveDone(reason);
    })();
    return this.stopping;
  }

  private tick(tick: Tick): void {
    if (this.state !== 'running') return;
    if (this.inFlight && !this.opts.engine.isBusy) {
      // The engine is done but the cycle's onCycle work is not: not a skip, a wait (counted when it runs).
      this.deferred ??= tick;
      return;
    }
    this.counters.ticks++;
    if (this.opts.engine.isBusy) {
      this.counters.skipped++;
      if (tick.source === 'market') this.catchUp = true;
      // The engine refuses and counts the skip itself (metrics through its observer).
      this.opts.engine.runCycle({ kind: tick.source, ...(tick.eventId ? { eventId: tick.eventId } : {}) }).catch((e) => this.refused(e));
      return;
    }
    let plan: CyclePlan;
    try {
      plan = this.opts.plan ? this.opts.plan(tick) : { trigger: { kind: tick.source, ...(tick.eventId ? { eventId: tick.eventId } : {}) } };
    } catch (e) {
      this.refused(e);
      return;
    }
    if (plan === 'idle') return;
    if (plan === 'done') {
      void this.shutdown('done');
      return;
    }
    const run = this.opts.engine.runCycle(plan.trigger, plan.options);
    this.inFlight = run
      .then(
        async (result) => {
          this.counters.cycles++;
          this.lastCycleFinishedAt = new Date().toISOString();
          await this.opts.onCycle?.(result);
        },
        (e) => this.refused(e),
      )
      .catch((e) => this.refused(e))
      .finally(() => {
        this.inFlight = null;
        this.afterCycle();
      });
  }

  private afterCycle(): void {
    if (this.state !== 'running') return;
    const deferred = this.deferred;
    this.deferred = undefined;
    if (deferred) {
      setImmediate(() => this.tick(deferred));
      return;
    }
    if (this.opts.cadence.kind === 'continuous') {
      setImmediate(() => this.tick({ source: 'timer' }));
    } else if (this.catchUp) {
      this.catchUp = false;
      setImmediate(() => this.tick({ source: 'market' }));
    }
  }

  private refused(e: unknown): void {
    const err = toOrdinisError(e);
    if (err.code === 'E_ORCH_CYCLE_IN_PROGRESS') return;
    if (err.code === 'E_ORCH_NOT_RUNNING' && this.state !== 'running') return;
    this.counters.errors++;
    if (this.opts.onError) this.opts.onError(err);
    else this.opts.observer?.warn?.('scheduled cycle not run', { code: err.code, error: err.message });
  }
}
