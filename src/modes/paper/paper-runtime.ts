// The paper runtime: the default pipeline in mode 'paper' on the SQLite stores, trading
// against a simulated venue whose book is durable (it keeps its own tables and survives a
// restart like a real broker), with cycles driven by the CycleScheduler.
//
// Data: a file replay (the cycle time is the bar time, on a replay clock that staleness is
// measured against; `speed` bars per second, 0 = as fast as possible) or a LiveBarFeed
// (bars buffered between cycles, cycles on ORCH_SCHEDULE, the wall clock).
//
// Start-up is crash-only: `open()` always runs recovery (recovery.ts) before anything can
// trade, and a crash and a restart take the same path. Then the strategy's state is rebuilt
// by replaying the bars up to the resume point through FEAT and SIG only (no RISK, EXEC or
// PORT side effects), and cycles continue from the first bar after it.
//
// The resume point is the last bar time whose cycle finished: it is written in the same
// transaction that marks the cycle's run row finished, so a cycle interrupted by a crash is
// run again after the restart. Running it again cannot trade twice: an order it had already
// sent is at the venue (recovery recorded it, and RISK does not send a second order for a
// symbol with a working order), and an intent the venue never received was closed as such.

import { randomBytes } from 'node:crypto';
import { currentProcess, ownerState, systemProcessTable } from '../../core/process-identity.ts';
import { ManualClock, systemClock, toRfc3339, type Clock } from '../../core/clock.ts';
import { SeededRandom } from '../../core/random.ts';
import type { OrdinisConfig } from '../../config/schema.ts';
import { parseSchedule } from '../../config/schedule.ts';
import type { Bus, EventEmitterPort } from '../../bus/contract.ts';
import { OrdinisError, toOrdinisError } from '../../errors.ts';
import type { Bar } from '../../domain/market.ts';
import type { Fill } from '../../domain/order.ts';
import type { RiskDecision } from '../../domain/risk.ts';
import type { CycleResult, CycleStatus } from '../../kernel/cycle-result.ts';
import type { EngineObserver, EngineStatus } from '../../kernel/engine.ts';
import type { ArtifactInput, RunFinishUpdate, RunRow, RunStore } from '../../kernel/run-store.ts';
import type { OrdinisDatabase } from '../../persistence/database.ts';
import { SqlitePaperVenueStore } from '../../persistence/sqlite-paper-venue-store.ts';
import { otherConnectionsCommitted } from '../../persistence/sqlite-commit-probe.ts';
import { SqliteRuntimeStateStore } from '../../persistence/sqlite-runtime-state-store.ts';
import type { Readiness } from '../../server/contract.ts';
import { FileReplaySource } from '../../adapters/data/file-replay-source.ts';
import type { BarSource } from '../../stages/ing/bar-source.ts';
import { checkBar } from '../../stages/feat/feature-stage.ts';
import { createStrategyRegistry, type StrategyRegistry } from '../../stages/sig/registry.ts';
import type { SizingConfig } from '../../stages/risk/sizing.ts';
import type { CommissionModel } from '../../domain/commission.ts';
import type { InsertIntentResult, OrderStore } from '../../stages/exec/order-store.ts';
import { PaperBroker, type PaperVenueChange, type PaperVenueStore } from '../../adapters/venue/paper-broker.ts';
import type { LedgerEntry, LedgerStore } from '../../stages/port/ledger-store.ts';
import { replayLedger } from '../../stages/port/ledger.ts';
import type { Position } from '../../domain/portfolio.ts';
import { assemblePipeline, type Pipeline } from '../assemble.ts';
import { BufferedBarSource } from '../../adapters/data/buffered-bar-source.ts';
import { cadenceFromSchedule, CycleScheduler, type Cadence, type CyclePlan, type SchedulerStats } from './cycle-scheduler.ts';
import { crashSeamFromEnv, type CrashSeam } from './crash-points.ts';
import type { LiveBarFeed } from '../../adapters/data/live-bar-feed.ts';
import { assertRecovered, describeRecovery, runRecovery, type RecoveryReport } from '../recovery/recovery.ts';
import { BOOK_KEY, describeBook, fingerprintFile, planBook, type BookAction, type BookChoice, type BookIdentity, type BookState } from './paper-book.ts';

/** runtime_state keys. */
export const CURSOR_KEY = 'paper.cursor';
export const OWNER_KEY = 'paper.owner';

export interface ReplayData {
  kind: 'replay';
  files: string[];
  /** Symbol names for the files (default: file stems); also the order within a bar. */
  symbols?: string[];
  from?: string;
  to?: string;
  /** Bars (time steps) per second; 0 = as fast as possible. */
  speed: number;
}

export interface LiveData {
  kind: 'live';
  feed: LiveBarFeed;
  /** When cycles run. Default: ORCH_SCHEDULE. */
  cadence?: Cadence;
  /** Default: the system clock. */
  clock?: Clock;
}

export interface PaperRuntimeOptions {
  config: OrdinisConfig;
  /** Open database; the caller owns it (the runtime never closes it). */
  db: OrdinisDatabase;
  data: ReplayData | LiveData;
  strategy: string;
  strategyParams: Record<string, unknown>;
  sizing: SizingConfig;
  /** Starting cash of a new venue and of an empty ledger. */
  cash: number;
  commission: CommissionModel;
  /** Stop after this many cycles in this process. */
  maxCycles?: number;
  /** Random seed (retry jitter). Default ORCH_SEED. */
  seed?: number;
  observer?: EngineObserver;
  /** Also buffer `ordinis.market.bar.closed` events from this bus (live mode). */
  bus?: Bus;
  /** Where the engine and the kill switch emit their events (`ordinis.ops.cycle.started`, ...). */
  events?: EventEmitterPort;
  registry?: StrategyRegistry;
  codeVersion?: string;
  commitHash?: string;
  /** Test seam (see crash-points.ts). Default: from TEST_ORDINIS_CRASH_AT; null: none. */
  crashSeam?: CrashSeam | null;
  /** Wall clock for recovery and the owner lease. Default: the system clock. */
  wallClock?: Clock;
  /**
   * When the database's book was started with another strategy, data or cash (paper-book.ts):
   * 'refuse' (default, E_PAPER_BOOK_MISMATCH), 'adopt' it, or start a 'new' one (flat books only).
   */
  book?: BookChoice;
}

export type PaperEndReason = 'data_exhausted' | 'max_cycles' | 'stopped' | 'source_stalled' | 'recovery_failed' | 'persistence_failed';

export interface PaperRunSummary {
  sessionId: string;
  status: 'finished' | 'stopped' | 'failed' | 'refused';
  endReason: PaperEndReason;
  source: 'replay' | 'live';
  db: string;
  /** The resume point found at start (null: a fresh start). */
  resumedAfter: string | null;
  /** The resume point at the end: the last bar time whose cycle finished. */
  lastBarTime: string | null;
  warmupBars: number;
  cycles: Record<CycleStatus, number> & { total: number; skipped: number };
  ordersThisSession: number;
  recovery: { ok: boolean; summary: string; reasons: string[]; abortedRuns: string[]; pendingOrders: number; postedFills: number };
  venue: { cash: number; positions: Record<string, number>; orders: number; fills: number };
  ledger: { cash: number; positions: Record<string, number>; fills: number };
  equity: number | null;
  killSwitch: { state: string; reason: string | null };
  /** The book this run traded and what the start did with it (created, adopted, ...). */
  book: PaperBookReport;
  errors: string[];
}

export interface PaperBookReport {
  identity: string;
  action: BookAction;
  /** How the stored identity differed from this start's (adopt, new). */
  differences: string[];
  /** With --adopt: the positions (symbol → qty) and working orders the new strategy took over. */
  positionsTakenOver: Record<string, number>;
  workingOrdersTakenOver: number;
}

interface Cursor {
  lastBarTs: number;
  runId: string;
  sessionId: string;
}

interface Owner {
  pid: number;
  host: string;
  /** The owner's kernel start time (see core/process-identity.ts); absent in leases written before it was kept. */
  startedAt?: string | null;
  sessionId: string;
  since: string;
}

type RuntimeState = 'ready' | 'refused' | 'running' | 'stopping' | 'stopped';

export class PaperRuntime {
  readonly sessionId: string;
  readonly pipeline: Pipeline;
  readonly recovery: RecoveryReport;
  readonly venueStore: SqlitePaperVenueStore;
  private readonly opts: PaperRuntimeOptions;
  private readonly state: SqliteRuntimeStateStore;
  private readonly source: BarSource;
  private readonly clock: Clock;
  private readonly replay: ReplayData | undefined;
  private readonly resumeTs: number | undefined;
  private readonly book: PaperBookReport;
  private warmupBars = 0;
  private phase: RuntimeState;
  private scheduler: CycleScheduler | undefined;
  private stopRequested = false;
  private ownsLease = false;
  /** The cycle in flight (set by plan, read when its run row is finished). */
  private current: { runId: string; barTs: number | undefined; ingOk: boolean } | undefined;
  private cursorTs: number | undefined;
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

  private constructor(init: {
    opts: PaperRuntimeOptions;
    sessionId: string;
    pipeline: Pipeline;
    recovery: RecoveryReport;
    venueStore: SqlitePaperVenueStore;
    state: SqliteRuntimeStateStore;
    source: BarSource;
    clock: Clock;
    resumeTs: number | undefined;
    ownsLease: boolean;
    book: PaperBookReport;
  }) {
    this.opts = init.opts;
    this.sessionId = init.sessionId;
    this.pipeline = init.pipeline;
    this.recovery = init.recovery;
    this.venueStore = init.venueStore;
    this.state = init.state;
    this.source = init.source;
    this.clock = init.clock;
    this.replay = init.opts.data.kind === 'replay' ? init.opts.data : undefined;
    this.resumeTs = init.resumeTs;
    this.cursorTs = init.resumeTs;
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
    const seam = opts.crashSeam === undefined ? crashSeamFromEnv() : opts.crashSeam ?? undefined;

    // One trading process per database file: a second one would trade the same book twice.
    // Check and take the lease in one IMMEDIATE transaction, so two processes starting at
    // the same moment are serialised on SQLite's write lock and only one of them wins.
    const blockers: string[] = [];
    const ownsLease = db.transaction(() => {
      const owner = state.get<Owner>(OWNER_KEY)?.value;
      // pid + start time, not the pid alone: a reused pid is another program, and the lease is free.
      if (owner && owner.pid !== process.pid && ownerState({ pid: owner.pid, host: owner.host, startedAt: owner.startedAt ?? null }, systemProcessTable) !== 'gone') {
        blockers.push(
          `database ${db.path} is in use by another paper runtime (pid ${owner.pid} on ${owner.host}, session ${owner.sessionId}, since ${owner.since}); ` +
            `if that process is gone, delete runtime_state key '${OWNER_KEY}'`,
        );
        return false;
      }
      const self = currentProcess();
      state.set(OWNER_KEY, { pid: self.pid, host: self.host, startedAt: self.startedAt, sessionId, since: toRfc3339(wall.now()) } satisfies Owner);
      return true;
    });

    let replaySource: FileReplaySource | undefined;
    try {
      const registry = opts.registry ?? createStrategyRegistry();
      const strategy = registry.resolve(opts.strategy, opts.strategyParams);
      const cursor = state.get<Cursor>(CURSOR_KEY)?.value;
      const replayData = opts.data.kind === 'replay' ? opts.data : undefined;
      replaySource = replayData
        ? new FileReplaySource({
            files: replayData.files,
            ...(replayData.symbols ? { symbols: replayData.symbols } : {}),
            ...(replayData.from ? { from: replayData.from } : {}),
            ...(replayData.to ? { to: replayData.to } : {}),
            policy: config.ING_BAD_ROW_POLICY,
          })
        : undefined;

      // The simulated venue, as it stood at its last answer (a refused start writes nothing).
      const account = venueStore.account();
      let stored = venueStore.load();

      // Which book this is: a start that differs from the book's first is refused here, before
      // recovery or anything else writes (paper-book.ts).
      const identity = bookIdentityOf(opts, strategy.params as Record<string, unknown>, replaySource);
      const storedIdentity = state.get<BookIdentity>(BOOK_KEY)?.value;
      const bookPlan = planBook(storedIdentity, identity, opts.book ?? 'refuse', bookStateOf(stored, db.orders.listOpen().length, account !== undefined || cursor !== undefined));
      if ('refusal' in bookPlan) {
        throw new OrdinisError('E_PAPER_BOOK_MISMATCH', bookPlan.refusal, {
          details: { differences: bookPlan.differences, ...(storedIdentity ? { stored: describeBook(storedIdentity) } : {}), requested: describeBook(identity) },
        });
      }
      if ((bookPlan.action === 'create' || bookPlan.action === 'record') && blockers.length === 0) state.set(BOOK_KEY, identity);
      // A new book replays its data from the first bar (the old resume point goes once recovery has passed).
      const resumeTs = bookPlan.action === 'new' ? undefined : cursor?.lastBarTs;

      if (!stored && blockers.length === 0) {
        venueStore.create(opts.cash);
        stored = venueStore.load();
      }
      stored ??= { cash: opts.cash, seq: 0, orders: [], positions: [], lastBars: [] };
      const notes: string[] = [];
      if (account && account.startingCash !== opts.cash) {
        notes.push(`cash ${opts.cash} ignored: this database's paper account exists (opened ${account.createdAt} with ${account.startingCash})`);
      }
      const source: BarSource = replaySource
        ? replaySource
        : new BufferedBarSource({ symbols: (opts.data as LiveData).feed.symbols, ...(resumeTs !== undefined ? { floorTs: resumeTs } : {}) });
      const clock: Clock = replayData ? new ManualClock(resumeTs ?? source.peekTs() ?? 0) : ((opts.data as LiveData).clock ?? systemClock);

      let rt: PaperRuntime | undefined;
      const venueSeam = seam ? new VenueCrashSeam(seam, stored.seq, () => db.handle.inTransaction) : undefined;
      const venueSink: PaperVenueStore = venueSeam ? venueSeam.wrap(venueStore) : venueStore;
      const venue = new PaperBroker({
        startingCash: opts.cash,
        fillTiming: config.EXEC_FILL_TIMING,
        commission: opts.commission,
        slippageBps: config.EXEC_SLIPPAGE_BPS,
        clock,
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
        mode: 'paper',
        config,
        source,
        strategy,
        sizing: opts.sizing,
        startingCash: opts.cash,
        commission: opts.commission,
        stores: {
          runs,
          orders: seam ? new CrashingOrderStore(db.orders, seam) : db.orders,
          ledger: seam ? new CrashingLedgerStore(db.ledger, seam) : db.ledger,
          audit: db.audit,
          killSwitch: db.killSwitch,
          riskDecisions: seam ? crashingDecisions(db.riskDecisions, seam) : db.riskDecisions,
          // EXEC re-reads the stored kill state at each submission, under the write lock: an
          // `ordinis kill activate` from another process stops the next order.
          killGate: {
            transaction: venueSeam ? (fn) => venueSeam.afterCommit(db.transaction(fn)) : (fn) => db.transaction(fn),
            committedElsewhere: otherConnectionsCommitted(db.handle),
          },
        },
        clock,
        wallClock: wall,
        random: new SeededRandom(opts.seed ?? config.ORCH_SEED),
        venue,
        observer,
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

      const book: PaperBookReport = { identity: describeBook(identity), action: bookPlan.action, differences: bookPlan.differences, positionsTakenOver: {}, workingOrdersTakenOver: 0 };
      if (bookPlan.action === 'record') notes.push(`book identity recorded for a book kept before identities were: ${book.identity}`);
      if (recovery.ok && (bookPlan.action === 'adopt' || bookPlan.action === 'new')) {
        // Recovery has reconciled the book with the venue: what is taken over is what it holds now.
        const venueNow = venueStore.load();
        const held = bookStateOf(venueNow, db.orders.listOpen().length, true);
        if (bookPlan.action === 'adopt') {
          book.positionsTakenOver = held.positions;
          book.workingOrdersTakenOver = held.workingOrders;
        }
        db.transaction(() => {
          state.set(BOOK_KEY, identity);
          if (bookPlan.action === 'new') state.delete(CURSOR_KEY);
          pipeline.governance.audit({
            kind: `paper.book.${bookPlan.action}`,
            componentId: 'orch',
            action: `book.${bookPlan.action}`,
            actor: 'operator',
            correlationId: sessionId,
            decision: 'allow',
            payload: { previous: storedIdentity ?? null, current: identity, differences: bookPlan.differences, positions: held.positions, workingOrders: held.workingOrders, cash: venueNow?.cash ?? null },
          });
        });
        const positions = Object.entries(held.positions).map(([s, q]) => `${s} ${q}`).join(', ') || 'none';
        notes.push(
          bookPlan.action === 'adopt'
            ? `book adopted (${bookPlan.differences.join('; ') || 'same settings'}): positions taken over: ${positions}; working orders taken over: ${held.workingOrders}`
            : `new book started: ${book.identity}; the replay starts from the first bar of its data; the account keeps its cash (${venueNow?.cash ?? opts.cash}); the old book's orders, fills, ledger and audit records stay in the file`,
        );
      }

      recovery.warnings.push(...notes);
      rt = new PaperRuntime({ opts, sessionId, pipeline, recovery, venueStore, state, source, clock, resumeTs, ownsLease, book });
      if (recovery.ok) await rt.warmUp();
      return rt;
    } catch (e) {
      replaySource?.close();
      if (ownsLease) releaseLease(state, sessionId);
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
    const data = this.opts.data;
    const buffer = this.source instanceof BufferedBarSource ? this.source : undefined;
    let reason: PaperEndReason = 'stopped';
    try {
      engine.start();
      if (data.kind === 'live') {
        await data.feed.start(
          (bar) => buffer!.push(bar),
          (err) => this.opts.observer?.warn?.('live bar feed error', { feed: data.feed.name, error: toOrdinisError(err, 'E_ING_PROVIDER_DOWN').message }),
        );
      }
      const cadence: Cadence = this.replay
        ? this.replay.speed > 0
          ? { kind: 'interval', ms: 1000 / this.replay.speed }
          : { kind: 'continuous' }
        : (data as LiveData).cadence ?? cadenceFromSchedule(scheduleOf(this.opts.config));
      this.scheduler = new CycleScheduler({
        engine,
        cadence,
        tickAtStart: this.replay !== undefined,
        plan: () => this.plan(),
        onCycle: (r) => this.onCycle(r),
        onError: (e) => {
          this.noteError(`cycle not run: ${e.code}: ${e.message}`);
          this.notePersistence(e.code === 'E_DB_UNAVAILABLE' ? e : undefined);
        },
        ...(this.opts.observer ? { observer: this.opts.observer } : {}),
        ...(this.opts.bus && buffer ? { market: { bus: this.opts.bus, buffer, triggerCycles: false } } : {}),
      });
      this.scheduler.start();
      if (this.stopRequested) void this.scheduler.stop();
      const how = await this.scheduler.done;
      if (how === 'done') reason = this.persistenceFailure ? 'persistence_failed' : this.stalled ? 'source_stalled' : this.maxCyclesReached() ? 'max_cycles' : 'data_exhausted';
      else reason = 'stopped';
    } finally {
      this.phase = 'stopping';
      await engine.stop();
      if (data.kind === 'live') await Promise.resolve(data.feed.stop()).catch(() => undefined);
      this.source.close();
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
    if (this.opts.db.isOpen) releaseLease(this.state, this.sessionId);
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
        source: this.replay ? 'replay' : 'live',
        resumedAfter: iso(this.resumeTs),
        lastBarTime: iso(this.cursorTs),
        cyclesRun: this.cyclesRun,
        scheduler: this.scheduler?.stats() ?? null,
        recovery: { ok: this.recovery.ok, summary: describeRecovery(this.recovery), reasons: this.recovery.reasons },
      },
    };
  }

  schedulerStats(): SchedulerStats | null {
    return this.scheduler?.stats() ?? null;
  }

  /** What the run did and where the books stand. */
  summary(endReason: PaperEndReason): PaperRunSummary {
    const db = this.opts.db;
    const venue = this.venueStore.load();
    const venueFills = this.venueStore.listFills();
    const entries = db.ledger.loadEntries();
    const book = replayLedger(entries);
    const k = this.pipeline.kill.get();
    const es = this.pipeline.engine.status();
    const total = this.counts.ok + this.counts.degraded + this.counts.failed + this.counts.blocked;
    const status: PaperRunSummary['status'] =
      endReason === 'recovery_failed'
        ? 'refused'
        : endReason === 'source_stalled' || endReason === 'persistence_failed'
          ? 'failed'
          : endReason === 'stopped'
            ? 'stopped'
            : 'finished';
    return {
      sessionId: this.sessionId,
      status,
      endReason,
      source: this.replay ? 'replay' : 'live',
      db: db.path,
      resumedAfter: iso(this.resumeTs),
      lastBarTime: iso(this.cursorTs),
      warmupBars: this.warmupBars,
      cycles: { ...this.counts, total, skipped: es.counts.skipped },
      ordersThisSession: db.orders.listAll().filter((o) => o.intent.correlationId.startsWith(`${this.sessionId}-`)).length,
      recovery: {
        ok: this.recovery.ok,
        summary: describeRecovery(this.recovery),
        reasons: this.recovery.reasons,
        abortedRuns: this.recovery.abortedRuns,
        pendingOrders: this.recovery.pendingOrders.length,
        postedFills: this.recovery.ledger?.postedFills.length ?? 0,
      },
      venue: {
        cash: venue?.cash ?? this.opts.cash,
        positions: Object.fromEntries((venue?.positions ?? []).filter((p) => p.qty !== 0).map((p) => [p.symbol, p.qty])),
        orders: venue?.orders.length ?? 0,
        fills: venueFills.length,
      },
      ledger: {
        cash: entries.length === 0 ? this.opts.cash : book.cash,
        positions: Object.fromEntries([...book.positions].filter(([, p]) => p.qty !== 0).map(([s, p]) => [s, p.qty])),
        fills: book.fills.size,
      },
      equity: this.lastEquity,
      killSwitch: { state: k.state, reason: k.reason },
      book: this.book,
      errors: [...(this.persistenceFailure ? [this.persistenceFailure.message] : []), ...this.errors, ...(this.stalled ? [this.stalled] : [])],
    };
  }

  // ---- internals ----------------------------------------------------------------------

  /** Rebuilds FEAT and SIG state from the bars up to the resume point (no trading stage runs). */
  private async warmUp(): Promise<void> {
    const { feat, sig } = this.pipeline.stages;
    const feed = (bars: readonly Bar[], asOf: number): void => {
      for (const bar of bars) {
        checkBar(bar, asOf);
        const v = feat.onBar(bar);
        if (v.warm) sig.onVector(v, `${this.sessionId}-warmup`);
        this.warmupBars++;
      }
    };
    if (this.replay) {
      if (this.resumeTs === undefined) return;
      for (let ts = this.source.peekTs(); ts !== undefined && ts <= this.resumeTs; ts = this.source.peekTs()) {
        const batch = this.source.next()!;
        feed(batch.bars, batch.ts);
      }
      return;
    }
    const live = this.opts.data as LiveData;
    if (!live.feed.history) return;
    const until = this.resumeTs ?? this.clock.now();
    const rank = new Map(live.feed.symbols.map((s, i) => [s, i]));
    const bars = [...(await live.feed.history(until))].filter((b) => b.ts <= until).sort((a, b) => a.ts - b.ts || (rank.get(a.symbol) ?? 0) - (rank.get(b.symbol) ?? 0));
    for (const b of bars) feed([b], b.ts);
    const newest = bars.at(-1)?.ts;
    if (newest !== undefined) (this.source as BufferedBarSource).advanceFloor(newest);
  }

  private plan(): CyclePlan {
    if (this.maxCyclesReached() || this.stalled || this.persistenceFailure) return 'done';
    const runId = `${this.sessionId}-${String(++this.cycleSeq).padStart(6, '0')}`;
    if (this.replay) {
      const ts = this.source.peekTs();
      if (ts === undefined) return 'done';
      (this.clock as ManualClock).set(ts);
      this.current = { runId, barTs: ts, ingOk: false };
      return { trigger: { kind: 'timer', at: ts }, options: { correlationId: runId } };
    }
    this.current = { runId, barTs: undefined, ingOk: false };
    return { trigger: { kind: 'timer' }, options: { correlationId: runId } };
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
    let ts: number | undefined;
    if (this.replay) {
      ts = cur.barTs;
    } else {
      const floor = (this.source as BufferedBarSource).floorTs;
      if (Number.isFinite(floor)) ts = floor;
    }
    if (ts === undefined || (this.cursorTs !== undefined && ts <= this.cursorTs)) return;
    this.state.set(CURSOR_KEY, { lastBarTs: ts, runId, sessionId: this.sessionId } satisfies Cursor);
    this.cursorTs = ts;
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
    if (this.replay && cur?.barTs !== undefined && this.source.peekTs() === cur.barTs) {
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

// ---- stores as the runtime wires them ----------------------------------------------------

/** The run store that also moves the resume cursor, in the transaction that finishes a run row. */
class CursorRunStore implements RunStore {
  constructor(
    private readonly db: OrdinisDatabase,
    private readonly onFinish: (runId: string) => void,
  ) {}
  startRun(row: RunRow): void {
    this.db.runs.startRun(row);
  }
  /** The row goes out with the cycle's first commit (at the latest its finish): one commit per quiet cycle. */
  deferStartRun(row: RunRow, config?: Record<string, unknown>): () => void {
    return this.db.runs.deferStartRun(row, config);
  }
  finishRun(runId: string, update: RunFinishUpdate): void {
    this.db.transaction(() => {
      this.db.runs.finishRun(runId, update);
      this.onFinish(runId);
    });
  }
  /** Finish, cursor and CycleResult in one commit. */
  finishRunWithArtifact(runId: string, update: RunFinishUpdate, artifact: ArtifactInput): number {
    return this.db.runs.finishRunWithArtifact(runId, update, artifact, () => this.onFinish(runId));
  }
  putArtifact(artifact: ArtifactInput): number {
    return this.db.runs.putArtifact(artifact);
  }
  putConfigSnapshot(runId: string, config: Record<string, unknown>): string {
    return this.db.runs.putConfigSnapshot(runId, config);
  }
}

class CrashingOrderStore implements OrderStore {
  constructor(
    private readonly inner: OrderStore,
    private readonly seam: CrashSeam,
  ) {}
  insertIntent(intent: Parameters<OrderStore['insertIntent']>[0]): InsertIntentResult {
    const r = this.inner.insertIntent(intent);
    if (r.inserted) this.seam.reach('exec.after_persist');
    return r;
  }
  recordReport(...a: Parameters<OrderStore['recordReport']>): void {
    this.inner.recordReport(...a);
  }
  setAuditRef(...a: Parameters<OrderStore['setAuditRef']>): void {
    this.inner.setAuditRef(...a);
  }
  attachAuditRecord(clientOrderId: string, appendRecord: () => number): number {
    return this.inner.attachAuditRecord(clientOrderId, () => {
      const ref = appendRecord();
      this.seam.reach('exec.before_audit_ref');
      return ref;
    });
  }
  findByIdempotencyKey(key: string): ReturnType<OrderStore['findByIdempotencyKey']> {
    return this.inner.findByIdempotencyKey(key);
  }
  findByClientOrderId(id: string): ReturnType<OrderStore['findByClientOrderId']> {
    return this.inner.findByClientOrderId(id);
  }
  listOpen(): ReturnType<OrderStore['listOpen']> {
    return this.inner.listOpen();
  }
  listAll(): ReturnType<OrderStore['listAll']> {
    return this.inner.listAll();
  }
}

class CrashingLedgerStore implements LedgerStore {
  constructor(
    private readonly inner: LedgerStore,
    private readonly seam: CrashSeam,
  ) {}
  commitFill(fill: Fill, entries: LedgerEntry[], position: Position): boolean {
    this.seam.reach('port.before_commit');
    return this.inner.commitFill(fill, entries, position);
  }
  hasFill(fillId: string): boolean {
    return this.inner.hasFill(fillId);
  }
  appendEntries(entries: LedgerEntry[]): void {
    this.inner.appendEntries(entries);
  }
  loadEntries(): LedgerEntry[] {
    return this.inner.loadEntries();
  }
  loadPositions(): Position[] {
    return this.inner.loadPositions();
  }
}

/**
 * exec.after_submit: the venue has accepted and recorded a new order (a higher sequence
 * number), our answer is not stored yet. Inside a transaction (EXEC's durable kill gate
 * holds one around the submit) "recorded" means committed, so the point is reached when
 * that transaction has.
 */
class VenueCrashSeam {
  private lastSeq: number;
  private owed = false;
  constructor(
    private readonly seam: CrashSeam,
    seq: number,
    private readonly inTransaction: () => boolean,
  ) {
    this.lastSeq = seq;
  }
  wrap(inner: PaperVenueStore): PaperVenueStore {
    return {
      commit: (change: PaperVenueChange): void => {
        inner.commit(change);
        if (change.seq > this.lastSeq) {
          this.lastSeq = change.seq;
          if (this.inTransaction()) this.owed = true;
          else this.seam.reach('exec.after_submit');
        }
      },
    };
  }
  afterCommit<T>(result: T): T {
    if (this.owed) {
      this.owed = false;
      this.seam.reach('exec.after_submit');
    }
    return result;
  }
}

function crashingDecisions(inner: { record(c: string, d: RiskDecision[]): void }, seam: CrashSeam): { record(c: string, d: RiskDecision[]): void } {
  return {
    record(correlationId: string, decisions: RiskDecision[]): void {
      inner.record(correlationId, decisions);
      seam.reach('cycle.mid');
    },
  };
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

/** This start's book identity; the replay source has checked the files and symbols already. */
function bookIdentityOf(o: PaperRuntimeOptions, params: Record<string, unknown>, replay: FileReplaySource | undefined): BookIdentity {
  // The parameters as the strategy resolved them (defaults filled in): `--fast 15 --slow 30` and none are one book.
  const base = { strategy: o.strategy, strategyParams: { ...params }, cash: o.cash };
  if (o.data.kind === 'live' || !replay) {
    const feed = o.data.kind === 'live' ? o.data.feed : undefined;
    return { ...base, data: { feed: feed?.name ?? 'unknown' }, symbols: [...(feed?.symbols ?? [])] };
  }
  const symbols = [...replay.symbols];
  const files = o.data.files;
  return { ...base, data: files.map((f, i) => fingerprintFile(symbols[i]!, f)), symbols };
}

function bookStateOf(venue: { positions: readonly { symbol: string; qty: number }[]; orders: readonly { resting: boolean }[] } | undefined, ourOpenOrders: number, exists: boolean): BookState {
  const positions = Object.fromEntries((venue?.positions ?? []).filter((p) => p.qty !== 0).map((p) => [p.symbol, p.qty]));
  const resting = (venue?.orders ?? []).filter((o) => o.resting).length;
  return { exists, positions, workingOrders: Math.max(resting, ourOpenOrders) };
}

function scheduleOf(config: OrdinisConfig) {
  const p = parseSchedule(config.ORCH_SCHEDULE);
  if (!p.ok) throw new OrdinisError('E_CFG_INVALID', `ORCH_SCHEDULE: ${p.reason}`);
  return p.schedule;
}

function describeOptions(o: PaperRuntimeOptions): Record<string, unknown> {
  const data =
    o.data.kind === 'replay'
      ? { kind: 'replay', files: o.data.files, symbols: o.data.symbols ?? null, from: o.data.from ?? null, to: o.data.to ?? null, speed: o.data.speed }
      : { kind: 'live', feed: o.data.feed.name, symbols: o.data.feed.symbols };
  return { data, strategy: o.strategy, strategyParams: o.strategyParams, sizing: o.sizing, cash: o.cash, commission: o.commission, maxCycles: o.maxCycles ?? null };
}

function newSessionId(clock: Clock): string {
  const t = new Date(clock.now()).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `paper-${t}-${randomBytes(3).toString('hex')}`;
}

function releaseLease(state: SqliteRuntimeStateStore, sessionId: string): void {
  try {
    const owner = state.get<Owner>(OWNER_KEY)?.value;
    if (owner && owner.sessionId === sessionId) state.delete(OWNER_KEY);
  } catch {
    // Best effort: a stale lease names a dead pid and is taken over at the next start.
  }
}

function iso(ts: number | undefined): string | null {
  return ts === undefined ? null : toRfc3339(ts);
}
