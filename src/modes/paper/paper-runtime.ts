// The paper runtime: the default pipeline in mode 'paper' on the SQLite stores, trading
// against a simulated venue whose book is durable (it keeps its own tables and survives a
// restart like a real broker), with cycles driven by the CycleScheduler.
//
// The parts, a file each: the single-writer lease (owner-lease.ts), the resume cursor
// (resume-cursor.ts), where the bars come from (a DataPlan: replay-plan.ts for CSV files
// replayed as paper, live-plan.ts for a live bar feed), the book's identity (paper-book.ts's
// rules, applied around recovery by book-start.ts) and the end-of-run summary
// (paper-summary.ts). This file is the loop that drives them.
//
// Start-up is crash-only: `open()` always runs recovery (recovery.ts) before anything can
// trade, and a crash and a restart take the same path. Then the strategy's state is rebuilt
// by replaying the bars up to the resume point through FEAT and SIG only (no RISK, EXEC or
// PORT side effects), and cycles continue from the first bar after it.

import { randomBytes } from 'node:crypto';
import { systemClock, toRfc3339, type Clock } from '../../core/clock.ts';
import { SeededRandom } from '../../core/random.ts';
import type { OrdinisConfig } from '../../config/schema.ts';
import type { Bus, EventEmitterPort } from '../../bus/contract.ts';
import { OrdinisError } from '../../errors.ts';
import type { Bar } from '../../domain/market.ts';
import type { CycleResult, CycleStatus } from '../../kernel/cycle-result.ts';
import type { EngineObserver, EngineStatus } from '../../kernel/engine.ts';
import type { OrdinisDatabase } from '../../persistence/database.ts';
import { SqlitePaperVenueStore } from '../../persistence/sqlite-paper-venue-store.ts';
import { otherConnectionsCommitted } from '../../persistence/sqlite-commit-probe.ts';
import { SqliteRuntimeStateStore } from '../../persistence/sqlite-runtime-state-store.ts';
import type { AccountView } from '../../domain/portfolio.ts';
import type { BookReport, OpenOrderView, Readiness } from '../../server/contract.ts';
import type { OrderRecord } from '../../stages/exec/order-store.ts';
import type { FileReplaySource } from '../../adapters/data/file-replay-source.ts';
import { checkBar } from '../../stages/feat/feature-stage.ts';
import { createStrategyRegistry, type StrategyRegistry } from '../../stages/sig/registry.ts';
import type { SizingConfig } from '../../stages/risk/sizing.ts';
import type { CommissionModel } from '../../domain/commission.ts';
import { PaperBroker, type PaperVenueStore } from '../../adapters/venue/paper-broker.ts';
import { assemblePipeline, type Pipeline } from '../assemble.ts';
import { CycleScheduler, type CyclePlan, type SchedulerStats } from './cycle-scheduler.ts';
import { assertRecovered, describeRecovery, runRecovery, type RecoveryReport } from '../recovery/recovery.ts';
import type { BookChoice, BookIdentity, StrategyFileFingerprint } from './paper-book.ts';
import { bookStateOf, planBookStart, settleBook } from './book-start.ts';
import { releaseOwnerLease, takeOwnerLease } from './owner-lease.ts';
import { CursorRunStore, readCursor, ResumeCursor } from './resume-cursor.ts';
import type { BookData, DataPlan } from './data-plan.ts';
import { openReplaySource, replayBookData, ReplayPlan, type ReplayData } from './replay-plan.ts';
import { liveBookData, LivePlan, type LiveData } from './live-plan.ts';
import type { LiveVenue } from '../live/live-settings.ts';
import { describeDifferences } from '../live/reconcile.ts';
import { Reconciler } from '../live/reconcile-step.ts';
import { tradingViewOf } from './trading-view.ts';
import { LoggedLedgerStore, LoggedOrderStore, type TradeLog } from './trade-log.ts';
import type { TradingView } from '../../observability/trading-metrics.ts';
import { iso, summarizePaperRun, type PaperBookReport, type PaperEndReason, type PaperRunSummary } from './paper-summary.ts';
import { durableWritesObserved, PublishingLedgerStore, PublishingOrderStore, publishingDecisions, VenueSubmitPoint } from './durable-write-points.ts';

export type { ReplayData } from './replay-plan.ts';
export type { LiveData } from './live-plan.ts';
export type { PaperBookReport, PaperEndReason, PaperRunSummary } from './paper-summary.ts';

export interface PaperRuntimeOptions {
  config: OrdinisConfig;
  /** Open database; the caller owns it (the runtime never closes it). */
  db: OrdinisDatabase;
  data: ReplayData | LiveData;
  strategy: string;
  strategyParams: Record<string, unknown>;
  /** The strategy came from a user's file (with `registry` holding its pack): part of the book's identity. */
  strategyFile?: StrategyFileFingerprint;
  sizing: SizingConfig;
  /** Starting cash of a new venue and of an empty ledger. */
  cash: number;
  commission: CommissionModel;
  /** Stop after this many cycles in this process. */
  maxCycles?: number;
  /** Random seed (retry jitter). Default ORCH_SEED. */
  seed?: number;
  observer?: EngineObserver;
  /** Told of each order recorded, rejected or canceled and each fill posted (trade-log.ts). */
  tradeLog?: TradeLog;
  /**
   * The process's bus: with `events` (the mode's emitter on it), a live feed's bars are published
   * as `ordinis.market.bar.closed` and buffered from it (live-plan.ts). The engine is not given it.
   */
  bus?: Bus;
  /** Where the engine and the kill switch emit their events (`ordinis.ops.cycle.started`, ...). */
  events?: EventEmitterPort;
  registry?: StrategyRegistry;
  codeVersion?: string;
  commitHash?: string;
  /** Wall clock for recovery and the owner lease. Default: the system clock. */
  wallClock?: Clock;
  /**
   * When the database's book was started with another strategy, data or cash (paper-book.ts):
   * 'refuse' (default, E_PAPER_BOOK_MISMATCH), 'adopt' it, or start a 'new' one (flat books only).
   */
  book?: BookChoice;
  /**
   * Trade through a real broker instead of the simulated venue (mode live, modes/live/): the
   * orders go to `live.broker` behind the same guards, RISK runs `live.riskPolicies`, and the
   * books are reconciled with the broker every `live.reconcile.every` cycles. `cash` is the
   * ledger's opening cash, which recovery checks against the broker's account.
   */
  live?: LiveVenue;
}

/** Fills GET /book lists. */
const RECENT_FILLS = 20;

type RuntimeState = 'ready' | 'refused' | 'running' | 'stopping' | 'stopped';

export class PaperRuntime {
  readonly sessionId: string;
  readonly pipeline: Pipeline;
  readonly recovery: RecoveryReport;
  readonly venueStore: SqlitePaperVenueStore;
  private readonly opts: PaperRuntimeOptions;
  private readonly state: SqliteRuntimeStateStore;
  private readonly plan: DataPlan;
  private readonly cursor: ResumeCursor;
  private readonly book: PaperBookReport;
  private warmupBars = 0;
  private phase: RuntimeState;
  private scheduler: CycleScheduler | undefined;
  private stopRequested = false;
  private ownsLease: boolean;
  /** The cycle in flight (set by nextCycle, read when its run row is finished). */
  private current: { runId: string; barTs: number | undefined; ingOk: boolean } | undefined;
  private cycleSeq = 0;
  private readonly counts: Record<CycleStatus, number> = { ok: 0, degraded: 0, failed: 0, blocked: 0 };
  private cyclesRun = 0;
  private lastEquity: number | null = null;
  private readonly errors: string[] = [];
  private stalled: string | undefined;
  /** Database faults (db.faults.count) already attributed to a cycle. */
  private faultsSeen = 0;
  private consecutivePersistenceFailures = 0;
  private persistenceFailure: OrdinisError | undefined;
  /** Live: reconciles the books with the broker after every N-th cycle. */
  private reconciler: Reconciler | undefined;
  /** Live: the broker's account at the end of the run, for the summary. */
  private brokerAccount: AccountView | undefined;

  private constructor(init: {
    opts: PaperRuntimeOptions;
    sessionId: string;
    pipeline: Pipeline;
    recovery: RecoveryReport;
    venueStore: SqlitePaperVenueStore;
    state: SqliteRuntimeStateStore;
    plan: DataPlan;
    cursor: ResumeCursor;
    ownsLease: boolean;
    book: PaperBookReport;
  }) {
    this.opts = init.opts;
    this.sessionId = init.sessionId;
    this.pipeline = init.pipeline;
    this.recovery = init.recovery;
    this.venueStore = init.venueStore;
    this.state = init.state;
    this.plan = init.plan;
    this.cursor = init.cursor;
    this.ownsLease = init.ownsLease;
    this.book = init.book;
    this.phase = init.recovery.ok ? 'ready' : 'refused';
  }

  /**
   * Assembles the pipeline and runs start-up recovery. Never throws for a failed recovery:
   * the runtime comes back refused (`recovery.ok === false`, run() throws E_RECOVERY_FAILED)
   * so the caller can keep the ops API up with the reasons.
   */
  static async open(opts: PaperRuntimeOptions): Promise<PaperRuntime> {
    validate(opts);
    const { db, config } = opts;
    const wall = opts.wallClock ?? systemClock;
    const sessionId = newSessionId(wall);
    const state = SqliteRuntimeStateStore.on(db, wall);
    const venueStore = SqlitePaperVenueStore.on(db, wall);
    // Asked once: the publishing wrappers are composed only for a process someone observes.
    const observed = durableWritesObserved();

    // A lease held by another live process is a precondition recovery reports (nothing is written).
    const lease = takeOwnerLease(db, state, sessionId, wall);
    const ownsLease = lease.owned;
    const blockers = lease.owned ? [] : [lease.blocker];

    let replaySource: FileReplaySource | undefined;
    try {
      const registry = opts.registry ?? createStrategyRegistry();
      const strategy = registry.resolve(opts.strategy, opts.strategyParams);
      const cursor = readCursor(state);
      replaySource = opts.data.kind === 'replay' ? openReplaySource(opts.data, config) : undefined;

      // The simulated venue, as it stood at its last answer (a refused start writes nothing).
      const account = venueStore.account();
      let stored = venueStore.load();

      // Which book this is: a start that differs from the book's first is refused here, before
      // recovery or anything else writes (book-start.ts).
      const bookData: BookData = opts.data.kind === 'replay' ? replayBookData(opts.data, replaySource!) : liveBookData(opts.data);
      const identity: BookIdentity = {
        strategy: opts.strategy,
        // The parameters as the strategy resolved them (defaults filled in): `--fast 15 --slow 30` and none are one book.
        strategyParams: { ...(strategy.params as Record<string, unknown>) },
        ...(opts.strategyFile ? { strategyFile: opts.strategyFile } : {}),
        cash: opts.cash,
        ...bookData,
      };
      const book = planBookStart({
        state,
        identity,
        choice: opts.book ?? 'refuse',
        current: bookStateOf(stored, db.orders.listOpen().length, account !== undefined || cursor !== undefined),
        blocked: blockers.length > 0,
      });
      // A new book replays its data from the first bar (the old resume point goes once recovery has passed).
      const resumeTs = book.action === 'new' ? undefined : cursor?.lastBarTs;

      if (!stored && blockers.length === 0 && !opts.live) {
        venueStore.create(opts.cash);
        stored = venueStore.load();
      }
      stored ??= { cash: opts.cash, seq: 0, orders: [], positions: [], lastBars: [] };
      const notes: string[] = [];
      if (account && account.startingCash !== opts.cash) {
        notes.push(`cash ${opts.cash} ignored: this database's paper account exists (opened ${account.createdAt} with ${account.startingCash})`);
      }
      const plan: DataPlan = opts.data.kind === 'replay' ? new ReplayPlan(opts.data, replaySource!, resumeTs) : new LivePlan(opts.data, resumeTs);
      const resume = new ResumeCursor(state, sessionId, resumeTs);

      let rt: PaperRuntime | undefined;
      const submitPoint = observed && !opts.live ? new VenueSubmitPoint(stored.seq, () => db.handle.inTransaction) : undefined;
      const venueSink: PaperVenueStore = submitPoint ? submitPoint.wrap(venueStore) : venueStore;
      const venue = opts.live ? undefined : new PaperBroker({
        startingCash: opts.cash,
        fillTiming: config.EXEC_FILL_TIMING,
        commission: opts.commission,
        slippageBps: config.EXEC_SLIPPAGE_BPS,
        clock: plan.clock,
        store: venueSink,
        state: stored,
      });
      const runs = new CursorRunStore(db, (runId) => rt?.cycleFinished(runId));
      // ING's outcome decides whether a cycle's bars were delivered (to the venue and FEAT).
      const user = opts.observer;
      const observer: EngineObserver = {
        cycleStarted: (id) => user?.cycleStarted?.(id),
        stageFinished: (id, result) => {
          if (result.stage === 'ING') rt?.ingestFinished(id, result.status === 'ok');
          user?.stageFinished?.(id, result);
        },
        stageRetried: (stage, code, delayMs) => user?.stageRetried?.(stage, code, delayMs),
        cycleFinished: (result) => user?.cycleFinished?.(result),
        cycleSkipped: (reason) => user?.cycleSkipped?.(reason),
        warn: (message, fields) => user?.warn?.(message, fields),
      };
      const pipeline = assemblePipeline({
        mode: opts.live ? 'live' : 'paper',
        config,
        source: plan.source,
        strategy,
        sizing: opts.sizing,
        startingCash: opts.cash,
        commission: opts.commission,
        stores: {
          runs,
          orders: logged(observed ? new PublishingOrderStore(db.orders) : db.orders, opts.tradeLog, LoggedOrderStore),
          ledger: logged(observed ? new PublishingLedgerStore(db.ledger) : db.ledger, opts.tradeLog, LoggedLedgerStore),
          audit: db.audit,
          killSwitch: db.killSwitch,
          riskDecisions: observed ? publishingDecisions(db.riskDecisions) : db.riskDecisions,
          // EXEC re-reads the stored kill state at each submission, under the write lock: an
          // `ordinis kill activate` from another process stops the next order.
          killGate: {
            transaction: submitPoint ? (fn) => submitPoint.afterCommit(db.transaction(fn)) : (fn) => db.transaction(fn),
            committedElsewhere: otherConnectionsCommitted(db.handle),
          },
        },
        clock: plan.clock,
        wallClock: wall,
        random: new SeededRandom(opts.seed ?? config.ORCH_SEED),
        ...(opts.live ? { broker: opts.live.broker, riskPolicies: opts.live.riskPolicies } : venue ? { venue } : {}),
        observer,
        // Not the bus: an engine given one runs a cycle per market event and a backtest per
        // request (engine.ts, subscribeTriggers). Here every cycle is the scheduler's (the resume
        // cursor follows it) and requests have their own engine (`--serve`); bars reach ING
        // through the plan's buffer.
        ...(opts.events ? { events: opts.events } : {}),
        configSnapshot: { paper: describeOptions(opts), config: config as unknown as Record<string, unknown> },
        ...(opts.codeVersion ? { codeVersion: opts.codeVersion } : {}),
        ...(opts.commitHash ? { commitHash: opts.commitHash } : {}),
      });

      const recovery = await runRecovery({
        audit: db.audit,
        kill: pipeline.kill,
        runs: db.runs,
        orders: db.orders,
        ledger: db.ledger,
        broker: pipeline.broker,
        governance: pipeline.governance,
        transaction: (fn) => db.transaction(fn),
        startingCash: opts.cash,
        clock: wall,
        blockers,
      });

      const settled = settleBook(book, { db, state, venueStore, governance: pipeline.governance, sessionId, cash: opts.cash, recovered: recovery.ok });
      recovery.warnings.push(...notes, ...settled.notes);
      rt = new PaperRuntime({ opts, sessionId, pipeline, recovery, venueStore, state, plan, cursor: resume, ownsLease, book: settled.report });
      if (opts.live) rt.reconciler = new Reconciler({ broker: pipeline.broker, ledger: db.ledger, orders: db.orders, kill: pipeline.kill, startingCash: opts.cash, ...opts.live.reconcile });
      if (recovery.ok) await rt.warmUp();
      return rt;
    } catch (e) {
      replaySource?.close();
      if (ownsLease) releaseOwnerLease(state, sessionId);
      throw e;
    }
  }

  get status(): RuntimeState {
    return this.phase;
  }

  /** Runs cycles until the data is exhausted, `maxCycles` is reached or stop() is called. */
  async run(): Promise<PaperRunSummary> {
    if (this.phase === 'refused') assertRecovered(this.recovery);
    if (this.phase !== 'ready') throw new OrdinisError('E_ORCH_NOT_RUNNING', `paper runtime is ${this.phase}; run() may be called once`);
    this.phase = 'running';
    this.faultsSeen = this.opts.db.faults.count;
    const { engine } = this.pipeline;
    const { plan } = this;
    let reason: PaperEndReason = 'stopped';
    try {
      engine.start();
      const { bus, events } = this.opts;
      await plan.start((message, fields) => this.opts.observer?.warn?.(message, fields), bus && events ? { bus, events } : undefined);
      this.scheduler = new CycleScheduler({
        engine,
        cadence: plan.cadence(this.opts.config),
        tickAtStart: plan.tickAtStart,
        plan: () => this.nextCycle(),
        onCycle: (r) => this.afterCycle(r),
        onError: (e) => {
          this.noteError(`cycle not run: ${e.code}: ${e.message}`);
          this.notePersistence(e.code === 'E_DB_UNAVAILABLE' ? e : undefined);
        },
        ...(this.opts.observer ? { observer: this.opts.observer } : {}),
      });
      this.scheduler.start();
      if (this.stopRequested) void this.scheduler.stop();
      const how = await this.scheduler.done;
      if (how === 'done') reason = this.persistenceFailure ? 'persistence_failed' : this.stalled ? 'source_stalled' : this.maxCyclesReached() ? 'max_cycles' : 'data_exhausted';
      else reason = 'stopped';
    } finally {
      this.phase = 'stopping';
      await engine.stop();
      await plan.stop();
      if (this.opts.live) this.brokerAccount = await Promise.resolve(this.pipeline.broker.fetchAccount()).catch(() => undefined);
      this.phase = 'stopped';
    }
    const summary = this.summary(reason);
    this.close();
    return summary;
  }

  /** Why the run stopped on database faults (E_ORCH_PERSISTENCE_FAILED, the last fault as its cause); undefined otherwise. */
  get failure(): OrdinisError | undefined {
    return this.persistenceFailure;
  }

  /** Stops scheduling; the running cycle finishes (or hits its budget). Resolves when it has. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    if (this.scheduler) await this.scheduler.stop();
  }

  /** Releases the database's owner lease (run() does it at the end). Idempotent. */
  close(): void {
    if (!this.ownsLease) return;
    this.ownsLease = false;
    if (this.opts.db.isOpen) releaseOwnerLease(this.state, this.sessionId);
  }

  /** For /readyz: ready while recovered, running and the database is open. */
  readiness(): Readiness {
    const reasons: string[] = [];
    if (!this.recovery.ok) reasons.push(...this.recovery.reasons.map((r) => `recovery failed: ${r}`));
    if (!this.opts.db.isOpen) reasons.push('database closed');
    if (this.phase === 'ready') reasons.push('not started yet');
    if (this.phase === 'stopping' || this.phase === 'stopped') reasons.push(`paper runtime ${this.phase}`);
    if (this.phase === 'running' && this.pipeline.engine.status().state !== 'running') reasons.push(`engine ${this.pipeline.engine.status().state}`);
    return { ready: reasons.length === 0, reasons };
  }

  /** For /status: the engine's status plus the runtime's. */
  statusReport(): EngineStatus & { runtime: Record<string, unknown> } {
    return {
      ...this.pipeline.engine.status(),
      runtime: {
        sessionId: this.sessionId,
        state: this.phase,
        source: this.plan.kind,
        resumedAfter: iso(this.cursor.resumedAt),
        lastBarTime: iso(this.cursor.lastBarTs),
        cyclesRun: this.cyclesRun,
        scheduler: this.scheduler?.stats() ?? null,
        recovery: { ok: this.recovery.ok, summary: describeRecovery(this.recovery), reasons: this.recovery.reasons },
      },
    };
  }

  /**
   * The book as /metrics and the dashboard show it (trading-view.ts), read from PORT and ANA;
   * undefined until this process's first cycle has valued it (PORT loads the ledger then).
   */
  tradingView(): TradingView | undefined {
    if (this.cyclesRun === 0) return undefined;
    const { port, ana } = this.pipeline.stages;
    return tradingViewOf({
      book: port.book(),
      orders: ana.orderStats(),
      denials: ana.riskDenials(),
      newestBarTs: this.cursor.lastBarTs,
      now: this.plan.clock.now(),
      circuit: this.pipeline.breaker.state,
    });
  }

  /** For GET /book: the trading view, the orders still working and the latest fills (newest first); null before the first cycle. */
  bookReport(recentFills = RECENT_FILLS): BookReport | null {
    const view = this.tradingView();
    if (!view) return null;
    // Live: the fills the broker reported on our orders (the simulated venue's tables are not used).
    const fills = this.opts.live ? this.opts.db.orders.listAll().flatMap((o) => o.lastReport?.fills ?? []).sort((a, b) => a.ts - b.ts) : this.venueStore.listFills();
    return {
      ...view,
      openOrders: this.opts.db.orders.listOpen().map(openOrderView),
      recentFills: fills
        .slice(-recentFills)
        .reverse()
        .map(({ ts, ...f }) => ({ ...f, time: toRfc3339(ts) })),
    };
  }

  schedulerStats(): SchedulerStats | null {
    return this.scheduler?.stats() ?? null;
  }

  /** What the run did and where the books stand. */
  summary(endReason: PaperEndReason): PaperRunSummary {
    const k = this.pipeline.kill.get();
    return summarizePaperRun(
      {
        sessionId: this.sessionId,
        endReason,
        source: this.plan.kind,
        startingCash: this.opts.cash,
        resumedAt: this.cursor.resumedAt,
        lastBarTs: this.cursor.lastBarTs,
        warmupBars: this.warmupBars,
        counts: this.counts,
        skipped: this.pipeline.engine.status().counts.skipped,
        recovery: this.recovery,
        equity: this.lastEquity,
        killSwitch: { state: k.state, reason: k.reason },
        book: this.book,
        ...(this.opts.live ? { broker: { name: this.opts.live.name, account: this.brokerAccount, reconciliations: this.reconciler?.runs ?? 0 } } : {}),
        errors: [...(this.persistenceFailure ? [this.persistenceFailure.message] : []), ...this.errors, ...(this.stalled ? [this.stalled] : [])],
      },
      this.opts.db,
      this.venueStore,
    );
  }

  // ---- internals ----------------------------------------------------------------------

  /** Rebuilds FEAT and SIG state from the bars up to the resume point (no trading stage runs). */
  private async warmUp(): Promise<void> {
    const { feat, sig } = this.pipeline.stages;
    await this.plan.warmUp((bars: readonly Bar[], asOf: number) => {
      for (const bar of bars) checkBar(bar, asOf);
      // A timestamp's bars together, as a cycle feeds them: the common warm-up opens on a whole timestamp.
      for (const v of feat.onBars(bars)) if (v.warm) sig.onVector(v, `${this.sessionId}-warmup`);
      this.warmupBars += bars.length;
    });
  }

  private nextCycle(): CyclePlan {
    if (this.maxCyclesReached() || this.stalled || this.persistenceFailure) return 'done';
    const runId = `${this.sessionId}-${String(++this.cycleSeq).padStart(6, '0')}`;
    const next = this.plan.next();
    if (next === 'done') return 'done';
    this.current = { runId, barTs: next.barTs, ingOk: false };
    return { trigger: next.trigger, options: { correlationId: runId } };
  }

  private ingestFinished(runId: string, ok: boolean): void {
    if (this.current?.runId === runId) this.current.ingOk = ok;
  }

  /**
   * Called inside the transaction that finishes a run row: advances the resume point with it.
   * Only a cycle whose ING delivered its bars (to the venue and to FEAT) moves it; bars an
   * ING failure left undelivered ride with the next cycle, and so does the cursor.
   */
  private cycleFinished(runId: string): void {
    const cur = this.current;
    if (!cur || cur.runId !== runId || !cur.ingOk) return;
    const ts = this.plan.reached(cur.barTs);
    if (ts !== undefined) this.cursor.advance(ts, runId);
  }

  /** A finished cycle: counted, then (live) reconciled with the broker before the next one starts. */
  private async afterCycle(r: CycleResult): Promise<void> {
    this.onCycle(r);
    if (!this.reconciler) return;
    try {
      const rep = await this.reconciler.afterCycle(r.correlationId);
      if (rep && !rep.clean) {
        const message = `reconciliation after ${r.correlationId}: ${describeDifferences(rep.differences)}${rep.tripped ? '; kill switch activated' : ''}`;
        this.noteError(message);
        this.opts.observer?.warn?.(message, { differences: rep.differences });
      }
    } catch (e) {
      this.opts.observer?.warn?.('reconciliation could not read the broker; it is tried again after the next cycle', { error: e instanceof Error ? e.message : String(e) });
    }
  }

  private onCycle(r: CycleResult): void {
    this.cyclesRun++;
    this.counts[r.status]++;
    const port = r.stageResults.find((s) => s.stage === 'PORT');
    if (port?.status === 'ok' && typeof port.output?.equity === 'number') this.lastEquity = port.output.equity;
    if (r.status === 'failed') this.noteError(`cycle ${r.correlationId} at ${toRfc3339(r.cycleTime)} failed: ${r.errors.map((e) => e.message).join('; ')}`);
    const dbError = r.errors.find((e) => e.code === 'E_DB_UNAVAILABLE');
    this.notePersistence(dbError ? new OrdinisError('E_DB_UNAVAILABLE', dbError.message.replace(/^E_DB_UNAVAILABLE: /, ''), { retryable: dbError.retryable }) : undefined);
    const cur = this.current;
    this.current = undefined;
    if (this.plan.leftBehind(cur?.barTs)) {
      // ING never took the bar (the cycle failed before it): running it again at full speed
      // would spin. Stop; a restart goes through recovery and picks up at this bar.
      this.stalled = `cycle ${r.correlationId} at ${toRfc3339(r.cycleTime)} did not consume its bars (${r.status}: ${r.errors[0]?.message ?? 'no error'}); stopping`;
    }
  }

  /**
   * After each cycle (or tick that could not run one): did any database read or write fail
   * in it? A disk that filled up fails every cycle the same way, and trading on while none
   * of it is recorded is worse than stopping: after ORCH_MAX_CONSECUTIVE_PERSISTENCE_FAILURES
   * such cycles in a row, or at once for a fault retrying cannot fix, the run stops.
   * `reported` is a database error the cycle's result carried (counted even if no store saw it).
   */
  private notePersistence(reported: OrdinisError | undefined): void {
    const faults = this.opts.db.faults;
    const fault = faults.count > this.faultsSeen ? faults.last : reported;
    this.faultsSeen = faults.count;
    if (!fault) {
      this.consecutivePersistenceFailures = 0;
      return;
    }
    const n = ++this.consecutivePersistenceFailures;
    const max = this.opts.config.ORCH_MAX_CONSECUTIVE_PERSISTENCE_FAILURES;
    if (this.persistenceFailure || (fault.retryable && n < max)) return;
    const sqliteCode = fault.details?.sqliteCode;
    this.persistenceFailure = new OrdinisError(
      'E_ORCH_PERSISTENCE_FAILED',
      `${fault.retryable ? `${n} consecutive cycles could not be persisted (ORCH_MAX_CONSECUTIVE_PERSISTENCE_FAILURES=${max})` : 'a database fault that retrying cannot fix'}; stopping; last: ${fault.message}`,
      { cause: fault, details: { consecutiveFailures: n, lastCode: fault.code, ...(typeof sqliteCode === 'string' ? { sqliteCode } : {}), db: this.opts.db.path } },
    );
  }

  private noteError(message: string): void {
    if (this.errors.length < 20) this.errors.push(message);
  }

  private maxCyclesReached(): boolean {
    return this.opts.maxCycles !== undefined && this.cyclesRun >= this.opts.maxCycles;
  }
}

// ---- helpers --------------------------------------------------------------------------------

function validate(o: PaperRuntimeOptions): void {
  if (o.data.kind === 'replay') {
    if (!Array.isArray(o.data.files) || o.data.files.length === 0) throw new OrdinisError('E_CFG_INVALID', 'paper replay needs at least one data file');
    if (!Number.isFinite(o.data.speed) || o.data.speed < 0) throw new OrdinisError('E_CFG_INVALID', `--speed ${o.data.speed}: expected bars per second >= 0 (0 = as fast as possible)`);
  }
  if (o.data.kind === 'live' && o.data.feed.symbols.length === 0) throw new OrdinisError('E_CFG_INVALID', `live feed ${o.data.feed.name} names no symbols`);
  if (o.maxCycles !== undefined && !(Number.isInteger(o.maxCycles) && o.maxCycles >= 1)) {
    throw new OrdinisError('E_CFG_INVALID', `--max-cycles ${o.maxCycles}: expected a whole number >= 1`);
  }
  if (!Number.isFinite(o.cash) || o.cash <= 0) throw new OrdinisError('E_CFG_INVALID', `cash ${o.cash}: expected a positive amount`);
}

function describeOptions(o: PaperRuntimeOptions): Record<string, unknown> {
  const data =
    o.data.kind === 'replay'
      ? { kind: 'replay', files: o.data.files, symbols: o.data.symbols ?? null, from: o.data.from ?? null, to: o.data.to ?? null, speed: o.data.speed }
      : { kind: 'live', feed: o.data.feed.name, symbols: o.data.feed.symbols };
  return { data, ...(o.live ? { broker: o.live.name } : {}), strategy: o.strategy, strategyParams: o.strategyParams, sizing: o.sizing, cash: o.cash, commission: o.commission, maxCycles: o.maxCycles ?? null };
}

function openOrderView(o: OrderRecord): OpenOrderView {
  const i = o.intent;
  return {
    clientOrderId: i.clientOrderId,
    symbol: i.symbol,
    side: i.side,
    qty: i.qty,
    orderType: i.orderType,
    limitPrice: i.limitPrice ?? null,
    stopPrice: i.stopPrice ?? null,
    status: o.status,
    decidedAt: toRfc3339(i.ts),
  };
}

/** `store` wrapped to tell `log` what it records, or as it is without a log. */
function logged<S>(store: S, log: TradeLog | undefined, Wrapper: new (inner: S, log: TradeLog) => S): S {
  return log ? new Wrapper(store, log) : store;
}

function newSessionId(clock: Clock): string {
  const t = new Date(clock.now()).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `paper-${t}-${randomBytes(3).toString('hex')}`;
}
