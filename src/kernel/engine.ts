// OrchestrationEngine: drives one cycle through the canonical stages and owns the cycle's
// correlation id and outcome. Each concern of a cycle is a layer (kernel/layers/), composed
// once at start() by compose.ts into three onions, outermost first:
//   cycle:   trace -> metrics -> events -> record -> [the stage loop below]
//   stage:   gates -> cycle budget -> hooks -> metrics -> events -> [retrying run]
//   attempt: trace -> [the attempt within its stage budget]
// A mode picks the layers (a backtest: no per-cycle trace or metrics, records only for
// exceptions); the stage loop and the outcome rules are the same for live, paper and backtest.
// What differs per stage (its gates, whether it runs on a block or after a failure, which
// failures trip the kill switch) is declared in its StageSpec, not special-cased here.

import { performance } from 'node:perf_hooks';
import { trace, type Tracer } from '@opentelemetry/api';
import { OrdinisError, errorInfo, toOrdinisError, type ErrorCode } from '../errors.ts';
import type { Clock } from '../core/clock.ts';
import { toRfc3339 } from '../core/clock.ts';
import type { RandomSource } from '../core/random.ts';
import { randomHex } from '../core/random.ts';
import type { EventEmitterPort, Bus } from '../bus/contract.ts';
import type { KillSwitch } from '../kill-switch/kill-switch.ts';
import type { HookManager } from '../governance/hooks/hook-manager.ts';
import { STAGE_ORDER, type CycleTrigger, type RunMode, type Stage, type StageName, type StageSet } from './stage-contract.ts';
import { CYCLE_RESULT_SCHEMA_VERSION, type CycleResult, type CycleStatus, type StageResult } from './cycle-result.ts';
import { buildStageSpecs, type SpecSettings, type StageSpec, type StageSpecInput } from './stage-spec.ts';
import { isPromiseLike, type MaybePromise } from '../core/maybe-async.ts';
import type { RunStore } from './run-store.ts';
import { compose, type Layer } from './compose.ts';
import { ATTEMPT_DEPTH, CYCLE_DEPTH, cycleStatus, newCycleState, notRun, STAGE_DEPTH, type CycleRecords, type CycleState, type StageStep } from './cycle-state.ts';
import { traceAttemptLayer, traceCycleLayer } from './layers/trace.ts';
import { meterCycleLayer, meterStageLayer } from './layers/metrics.ts';
import { cycleEventsLayer, stageEventsLayer } from './layers/events.ts';
import { recordEveryCycleLayer, recordExceptionsLayer, type RecordOptions } from './layers/record.ts';
import { gatesLayer } from './layers/gates.ts';
import { cycleBudgetLayer, budgetedAttempt } from './layers/budget.ts';
import { hooksLayer } from './layers/hooks.ts';
import { retryingRun } from './layers/retry.ts';

export type { CycleRecords } from './cycle-state.ts';

/** The engine's settings (budgets, retries, disabled stages, fail-closed switches), as `assemblePipeline` builds them from the configuration. */
export interface OrchSettings extends SpecSettings {
  cycleBudgetMs: number;
  degradedAllowExec: boolean;
  /** Refuse the cycle before any side effect when its run row cannot be written. */
  failClosedOnDb: boolean;
  /** Activate the kill switch when any stage fails to write an audit record (KILL_AUTO_ON_AUDIT_FAILURE; prod). */
  killOnAuditWriteFailure?: boolean;
  profile: 'dev' | 'paper' | 'prod';
}

/** Measurement hooks; the observability layer implements them with prom-client and logs. */
export interface EngineObserver {
  /** A cycle began. */
  cycleStarted?(correlationId: string): void;
  /** A stage of the cycle ended (any status). */
  stageFinished?(correlationId: string, result: StageResult): void;
  /** A stage attempt failed and will be retried after `delayMs`. */
  stageRetried?(stage: StageName, errorCode: ErrorCode, delayMs: number): void;
  /** A cycle ended, with its result. */
  cycleFinished?(result: CycleResult): void;
  /** A cycle was refused (one still running, an unsettled EXEC attempt). */
  cycleSkipped?(reason: string): void;
  /** Something an operator should see (a safety net off, an order that could not be canceled). */
  warn?(message: string, fields?: Record<string, unknown>): void;
}

/** What runs a backtest for `engine.runBacktest(config)` (the spec's run_backtest). */
export interface BacktestDriver<C = Record<string, unknown>, R = Record<string, unknown>> {
  /** Runs one backtest and returns its result. */
  run(engine: OrchestrationEngine, config: C): Promise<R>;
}

/**
 * What an engine is built from: its stages, settings, clock, random source, kill switch, and optional stores, bus, observer. `assemblePipeline` builds them for you.
 */
export interface EngineOptions {
  mode: RunMode;
  stages: StageSet;
  settings: OrchSettings;
  specOverrides?: Partial<Record<StageName, StageSpecInput>>;
  clock: Clock;
  random: RandomSource;
  kill: KillSwitch;
  hooks?: HookManager;
  events?: EventEmitterPort;
  /** Subscribed at start() for market and backtest-request triggers. */
  bus?: Bus;
  runStore?: RunStore;
  observer?: EngineObserver;
  tracer?: Tracer;
  /**
   * The per-cycle telemetry layers this mode composes: a root span per cycle with a span per
   * stage attempt (`trace`), and the observer's cycle and stage figures (`metrics`). Default:
   * both (paper, live). A backtest is one run with one root span of its own and composes
   * neither unless asked.
   */
  cycleTelemetry?: { trace: boolean; metrics: boolean };
  backtest?: BacktestDriver;
  codeVersion?: string;
  commitHash?: string;
  /** Config snapshot stored once per run (secrets already redacted). */
  configSnapshot?: Record<string, unknown>;
}

/** Where an engine is in its life. */
export type EngineState = 'created' | 'running' | 'stopping' | 'stopped';

/** One stage's record since the engine started. */
export interface StageHealth {
  ok: number;
  failed: number;
  lastStatus: string | null;
  lastErrorCode: ErrorCode | null;
}

/** What `engine.status()` reports: state, the cycle in flight, the last cycle, counts, each stage's health, the kill switch. */
export interface EngineStatus {
  state: EngineState;
  mode: RunMode;
  inFlight: string | null;
  lastCycle: { correlationId: string; status: CycleStatus; finishedAt: string; blockReason: string | null } | null;
  counts: Record<CycleStatus, number> & { skipped: number };
  consecutiveFailed: number;
  stageHealth: Record<StageName, StageHealth>;
  kill: { state: string; reason: string | null };
}

/** Per-cycle extras a caller (the backtest driver) may pass. */
export interface CycleOptions {
  correlationId?: string;
  parentRunId?: string | null;
  /**
   * Which cycles get a run row and a CycleResult artifact (layers/record.ts). 'all'
   * (default): every cycle, the row written before any stage runs (so a cycle that cannot be
   * recorded does not trade). 'exceptions': only a cycle that ends other than ok, written when
   * it ends. 'none': no per-cycle record (a backtest keeps per-status counts instead). The
   * cycle itself runs the same way, except that without the 'all' row a database failure is
   * noticed after the cycle, not before, and that an ok cycle's returned stage results carry
   * no output summaries (`output: null`): nothing keeps them.
   */
  records?: CycleRecords;
}

type Run = (c: CycleState) => MaybePromise<void>;

/**
 * The orchestration engine (spec §4): runs one cycle at a time through the eight stages in
 * their fixed order, with gates, budgets, retries and containment as each StageSpec says, and
 * returns a CycleResult. Build one with `assemblePipeline` (the default stages, with yours in
 * place of any), then `start()`, `runCycle(trigger)` from your own trigger, `status()`, `stop()`.
 *
 * @example
 * ```ts
 * const { engine } = assemblePipeline({ mode: 'paper', ...parts, stores: memoryStores() });
 * engine.start();
 * const result = await engine.runCycle({ kind: 'manual', at: Date.now() });
 * console.log(result.status, engine.status().counts);
 * await engine.stop();
 * ```
 */
export class OrchestrationEngine {
  readonly mode: RunMode;
  private state: EngineState = 'created';
  private specs: StageSpec[] = [];
  /** Per spec, in order: its stage (undefined when none was given) and its health record. */
  private stageList: (Stage | undefined)[] = [];
  private healthList: StageHealth[] = [];
  /** The composed cycle per records mode (made on first use) and the composed stage run. */
  private readonly cycles = new Map<CycleRecords, Run>();
  private runStageStep: (s: StageStep) => MaybePromise<void> = () => undefined;
  private readonly stages: StageSet;
  private inFlight: Promise<CycleResult> | null = null;
  /** Side-effecting attempts cut at their budget that have not settled yet. */
  private readonly abandoned = new Set<Promise<void>>();
  private inFlightId: string | null = null;
  private cycleIndex = 0;
  private lastCycle: { correlationId: string; status: CycleStatus; finishedAt: number; blockReason: string | null } | null = null;
  private degraded = false;
  private consecutiveFailed = 0;
  private readonly counts: EngineStatus['counts'] = { ok: 0, degraded: 0, failed: 0, blocked: 0, skipped: 0 };
  private readonly health = Object.fromEntries(
    STAGE_ORDER.map((s) => [s, { ok: 0, failed: 0, lastStatus: null, lastErrorCode: null }]),
  ) as EngineStatus['stageHealth'];
  private readonly subscriptions: string[] = [];
  private readonly tracer: Tracer;

  constructor(private readonly opts: EngineOptions) {
    this.mode = opts.mode;
    this.stages = opts.stages;
    this.tracer = opts.tracer ?? trace.getTracer('ordinis.orch');
  }

  /** Validates specs and stages, composes the layers, then accepts cycles. Throws E_ORCH_STAGE_SPEC_INVALID with the reason. */
  start(): void {
    if (this.state === 'running') return;
    this.specs = buildStageSpecs(this.opts.settings, this.opts.specOverrides);
    this.stageList = this.specs.map((spec) => this.stages[spec.name] as Stage | undefined);
    this.healthList = this.specs.map((spec) => this.health[spec.name]);
    if (!Number.isFinite(this.opts.settings.cycleBudgetMs) || this.opts.settings.cycleBudgetMs <= 0) {
      throw new OrdinisError('E_ORCH_STAGE_SPEC_INVALID', `cycle budget must be a positive number of ms, got ${this.opts.settings.cycleBudgetMs}`);
    }
    for (const spec of this.specs) {
      const stage = this.stages[spec.name] as Stage | undefined;
      if (spec.enabled && !stage) {
        throw new OrdinisError('E_ORCH_STAGE_SPEC_INVALID', `stage ${spec.name} is enabled but no implementation was given (disable it or provide one)`);
      }
      if (stage && stage.name !== spec.name) {
        throw new OrdinisError('E_ORCH_STAGE_SPEC_INVALID', `stage given for ${spec.name} calls itself '${stage.name}'`);
      }
      if (stage && typeof stage.run !== 'function') throw new OrdinisError('E_ORCH_STAGE_SPEC_INVALID', `stage ${spec.name} has no run()`);
    }
    if (this.opts.settings.profile === 'prod' && this.specs.find((s) => s.name === 'AUDIT')!.failureMode !== 'fail_closed') {
      throw new OrdinisError('E_CFG_INVALID', 'prod profile: AUDIT must fail closed (ORCH_FAIL_CLOSED_ON_AUDIT=true)');
    }
    if (!this.opts.settings.failClosedOnAudit) {
      this.opts.observer?.warn?.('ORCH_FAIL_CLOSED_ON_AUDIT=false: audit failures will NOT stop trading (dev only, not recommended)');
    }
    this.composeStageRun();
    this.cycles.clear();
    this.state = 'running';
    this.subscribeTriggers();
  }

  /** Lets a running cycle finish (or hit its budget), then refuses new cycles. */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'created') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    for (const id of this.subscriptions.splice(0)) this.opts.bus?.unsubscribe(id);
    if (this.inFlight) await this.inFlight.catch(() => undefined);
    await Promise.all(this.abandoned);
    this.state = 'stopped';
  }

  /** The engine's state, counts, stage health and kill switch, now. */
  status(): EngineStatus {
    const k = this.opts.kill.get();
    const last = this.lastCycle;
    return {
      state: this.state,
      mode: this.mode,
      inFlight: this.inFlightId,
      lastCycle: last && { ...last, finishedAt: toRfc3339(last.finishedAt) },
      counts: { ...this.counts },
      consecutiveFailed: this.consecutiveFailed,
      stageHealth: structuredClone(this.health),
      kill: { state: k.state, reason: k.reason },
    };
  }

  get stageSpecs(): readonly StageSpec[] {
    return this.specs;
  }

  get isBusy(): boolean {
    return this.inFlight !== null || this.abandoned.size > 0;
  }

  /** Runs one cycle. Never two at once: a second call while one runs gets E_ORCH_CYCLE_IN_PROGRESS. */
  runCycle(trigger: CycleTrigger, options: CycleOptions = {}): Promise<CycleResult> {
    const r = this.runCycleMaybe(trigger, options);
    return isPromiseLike(r) ? r : Promise.resolve(r);
  }

  /**
   * runCycle, but a cycle that completes synchronously (every stage synchronous, as in a
   * backtest on the simulated venue) returns its result itself rather than a promise. The
   * backtest driver uses it: a promise and its microtask turns per bar cost more than a
   * quiet bar's stages. Refusals (not running, a cycle in flight) are rejected promises.
   */
  runCycleMaybe(trigger: CycleTrigger, options: CycleOptions = {}): MaybePromise<CycleResult> {
    const refusal = this.refuseCycle();
    if (refusal) return Promise.reject(refusal);
    const correlationId = options.correlationId ?? newCorrelationId(this.opts.random, this.opts.clock.now());
    // In flight from the first line of the cycle: a cycle of synchronous stages completes
    // inside it, and anything it calls must still see the engine busy.
    this.inFlightId = correlationId;
    this.inFlight = SYNC_IN_FLIGHT;
    let out: MaybePromise<CycleResult>;
    try {
      out = this.executeCycle(trigger, correlationId, options.parentRunId ?? null, options.records ?? 'all');
    } catch (e) {
      this.clearInFlight();
      return Promise.reject(e);
    }
    if (!isPromiseLike(out)) {
      this.clearInFlight();
      return out;
    }
    const p = out.finally(() => this.clearInFlight());
    this.inFlight = p;
    return p;
  }

  /** Why a cycle may not start now (counted as skipped), or undefined. */
  private refuseCycle(): OrdinisError | undefined {
    if (this.state !== 'running') return new OrdinisError('E_ORCH_NOT_RUNNING', `engine is ${this.state}; call start() first`);
    if (this.inFlight) {
      this.counts.skipped++;
      this.opts.observer?.cycleSkipped?.('cycle_in_progress');
      return new OrdinisError('E_ORCH_CYCLE_IN_PROGRESS', `cycle ${this.inFlightId} is still running`);
    }
    if (this.abandoned.size > 0) {
      this.counts.skipped++;
      this.opts.observer?.cycleSkipped?.('exec_attempt_unsettled');
      return new OrdinisError('E_ORCH_CYCLE_IN_PROGRESS', 'an EXEC attempt cut at its budget is still running; no new cycle until it settles');
    }
    return undefined;
  }

  private clearInFlight(): void {
    this.inFlight = null;
    this.inFlightId = null;
  }

  /**
   * A backtest, through the engine's backtest driver (`ordinis backtest` and the
   * `ordinis.ops.run.backtest.requested` event both come here). The driver runs the backtest
   * as one run in a backtest-mode pipeline of its own: this engine's broker and book are not
   * touched. Rejects with E_ORCH_NOT_RUNNING when the engine has no driver.
   */
  async runBacktest(config: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (!this.opts.backtest) throw new OrdinisError('E_ORCH_NOT_RUNNING', 'no backtest driver configured for this engine');
    if (this.state !== 'running') this.start();
    return this.opts.backtest.run(this, config);
  }

  private subscribeTriggers(): void {
    const bus = this.opts.bus;
    if (!bus) return;
    this.subscriptions.push(
      bus.subscribe({ topic: 'ordinis.market.*', name: 'orch.market-trigger' }, async (ev) => {
        if (this.inFlight || this.state !== 'running') {
          this.counts.skipped++;
          this.opts.observer?.cycleSkipped?.('cycle_in_progress');
          return;
        }
        // A cycle's outcome lives in its CycleResult; letting it throw here would make the
        // bus redeliver the trigger and run the cycle again.
        await this.runCycle({ kind: 'market', eventId: ev.event_id, payload: ev.payload }).catch((e) => {
          this.opts.observer?.warn?.('market-triggered cycle not run', { error: toOrdinisError(e).message });
        });
      }),
      bus.subscribe({ topic: 'ordinis.ops.run.backtest.requested', name: 'orch.backtest-trigger' }, async (ev) => {
        await this.runBacktest(ev.payload).catch((e) => {
          this.opts.observer?.warn?.('requested backtest failed', { error: toOrdinisError(e).message });
        });
      }),
    );
  }

  /** The stage and attempt onions, from the options (what this mode composes). */
  private composeStageRun(): void {
    const o = this.opts;
    const telemetry = o.cycleTelemetry ?? { trace: true, metrics: true };
    const meter = telemetry.metrics ? o.observer : undefined;
    const attempt: Layer<StageStep>[] = telemetry.trace ? [traceAttemptLayer(this.tracer)] : [];
    const stage: Layer<StageStep>[] = [
      gatesLayer({ kill: o.kill, rereadKill: () => this.syncKill(), previousDegraded: () => this.degraded, degradedAllowExec: o.settings.degradedAllowExec, events: o.events }),
      cycleBudgetLayer(o.settings.cycleBudgetMs, o.events),
    ];
    if (o.hooks) stage.push(hooksLayer(o.hooks, o.events));
    if (meter) stage.push(meterStageLayer(meter));
    if (o.events) stage.push(stageEventsLayer(o.events));
    const runAttempt = compose(attempt, budgetedAttempt({ clock: o.clock, random: o.random, kill: o.kill, onAbandon: (w) => this.trackAbandoned(w) }), ATTEMPT_DEPTH);
    const onRetry = meter?.stageRetried?.bind(meter);
    this.runStageStep = compose(stage, retryingRun(runAttempt, { random: o.random, ...(onRetry ? { onRetry } : {}) }), STAGE_DEPTH);
  }

  /** The cycle onion for a records mode. */
  private cycleRun(records: CycleRecords): Run {
    let run = this.cycles.get(records);
    if (run) return run;
    const o = this.opts;
    const telemetry = o.cycleTelemetry ?? { trace: true, metrics: true };
    const layers: Layer<CycleState>[] = [];
    if (telemetry.trace) layers.push(traceCycleLayer(this.tracer));
    if (telemetry.metrics && o.observer) layers.push(meterCycleLayer(o.observer));
    if (o.events) layers.push(cycleEventsLayer(o.events));
    if (o.runStore && records !== 'none') {
      const ro: RecordOptions = {
        store: o.runStore,
        mode: this.mode,
        codeVersion: o.codeVersion ?? '0.0.0',
        commitHash: o.commitHash ?? 'unknown',
        configSnapshot: o.configSnapshot,
        failClosedOnDb: o.settings.failClosedOnDb,
        warn: (m, f) => o.observer?.warn?.(m, f),
      };
      layers.push(records === 'all' ? recordEveryCycleLayer(ro) : recordExceptionsLayer(ro));
    }
    run = compose(layers, (c) => this.runStages(c), CYCLE_DEPTH);
    this.cycles.set(records, run);
    return run;
  }

  private executeCycle(trigger: CycleTrigger, correlationId: string, parentRunId: string | null, records: CycleRecords): MaybePromise<CycleResult> {
    const { clock, settings } = this.opts;
    const t0 = performance.now();
    const c = newCycleState({
      correlationId,
      parentRunId,
      mode: this.mode,
      trigger,
      cycleTime: trigger.at ?? clock.now(),
      index: this.cycleIndex++,
      records,
      startedAt: clock.now(),
      t0,
      deadline: t0 + settings.cycleBudgetMs,
    });
    const out = this.cycleRun(records)(c);
    return isPromiseLike(out) ? out.then(() => this.noteCycle(c)) : this.noteCycle(c);
  }

  /** The core of the cycle onion: every stage in canonical order through the stage onion, from stage `from`. */
  private runStages(c: CycleState, from = 0): MaybePromise<void> {
    // Another process may have flipped the kill switch since the last cycle.
    if (from === 0) this.syncKill();
    // Indexed over arrays made at start(): a for-of iterator and a lookup by stage name cost
    // more, per stage of every cycle, than the rest of this loop's bookkeeping.
    const { specs, stageList } = this;
    for (let i = from; i < specs.length; i++) {
      const spec = specs[i]!;
      const stage = stageList[i];
      if (!spec.enabled || !stage) {
        c.results.push(notRun(spec, 'skipped', 'disabled'));
        continue;
      }
      const step: StageStep = { cycle: c, spec, stage, now: 0, result: undefined, output: undefined, error: undefined, attempt: 0, remainingMs: 0, outcome: undefined, stageDepth: -1, attemptDepth: -1 };
      const out = this.runStageStep(step);
      if (isPromiseLike(out)) {
        return out.then(() => {
          this.afterStage(step, i);
          return this.runStages(c, i + 1);
        });
      }
      this.afterStage(step, i);
    }
    this.finishCycle(c);
    return undefined;
  }

  /** What a stage's outcome means for the cycle: its output for later stages, or its failure by the spec's failure mode. */
  private afterStage(s: StageStep, i: number): void {
    const c = s.cycle;
    const { spec } = s;
    const r = s.result!;
    c.results.push(r);
    // A stage a layer stopped (skipped, blocked): that layer said why.
    if (r.attempts === 0) return;
    noteHealth(this.healthList[i]!, r);
    if (r.status === 'ok') {
      (c.data as Record<string, unknown>)[spec.name] = s.output;
      const signal = spec.raises?.(s.output);
      if (signal) c.signals[signal.gate] = signal;
      return;
    }
    const err = s.error!;
    c.errors.push(errorInfo(err, spec.name));
    const trip = spec.killOn.find((k) => k.code === err.code);
    if (trip) this.activateKill(`${trip.reason}: ${err.message}`, c.correlationId);
    switch (spec.failureMode) {
      case 'degrade':
        c.degraded = true;
        if (spec.runsAfterFailure) this.opts.observer?.warn?.(`${spec.name} failed and its failure mode is degrade: failing OPEN`, { correlationId: c.correlationId, code: err.code });
        break;
      case 'fail_closed':
        c.failed = true;
        c.killAtEnd = true;
        break;
      case 'fail':
        c.failed = true;
        if (!spec.runsAfterFailure) c.haltNote = `after ${spec.name} failed`;
        break;
    }
  }

  /** The cycle's outcome, once every stage had its turn. */
  private finishCycle(c: CycleState): void {
    const { settings, clock } = this.opts;
    const errors = c.errors;
    if (c.killAtEnd || (settings.killOnAuditWriteFailure && errors.some((e) => e.code === 'E_GOV_AUDIT_WRITE_FAILED'))) {
      this.activateKill(`audit failed in cycle ${c.correlationId}`, c.correlationId);
    }
    const status = cycleStatus(c);
    if (c.failed && !errors.some((e) => e.code === 'E_ORCH_STAGE_FAILED')) {
      const failedStage = c.results.find((r) => r.status === 'failed' || r.status === 'timed_out');
      if (failedStage) errors.unshift({ code: 'E_ORCH_STAGE_FAILED', message: `E_ORCH_STAGE_FAILED: stage ${failedStage.stage} failed (${failedStage.errorCode})`, retryable: false, stage: failedStage.stage });
    }
    if (status === 'blocked' && c.blockCode && !errors.some((e) => e.code === c.blockCode)) {
      errors.unshift({ code: c.blockCode, message: `${c.blockCode}: ${c.blockReason}`, retryable: false });
    }
    if (c.records === 'all' || status !== 'ok') this.summarizeOutputs(c);
    c.result = {
      schemaVersion: CYCLE_RESULT_SCHEMA_VERSION,
      correlationId: c.correlationId,
      traceId: c.traceId,
      mode: this.mode,
      trigger: c.trigger.kind,
      cycleTime: c.cycleTime,
      status,
      stageResults: c.results,
      startedAt: c.startedAt,
      finishedAt: clock.now(),
      durationMs: performance.now() - c.t0,
      blockReason: c.blockReason,
      timedOut: c.timedOut,
      errors,
    };
  }

  /** Each ok stage's summary of its output (StageResult.output), for a cycle that is recorded or returned whole. */
  private summarizeOutputs(c: CycleState): void {
    for (const r of c.results) {
      if (r.status !== 'ok') continue;
      const stage = this.opts.stages[r.stage] as Stage | undefined;
      if (!stage?.summarize) continue;
      try {
        r.output = stage.summarize((c.data as Record<string, unknown>)[r.stage] as never);
      } catch {
        r.output = { summary: 'unavailable' };
      }
    }
  }

  private noteCycle(c: CycleState): CycleResult {
    const r = c.result!;
    this.counts[r.status]++;
    // "Degraded" for ORCH_DEGRADED_ALLOW_EXEC means a degrade-mode stage (ANA) failed in
    // this cycle, not merely that the cycle ended degraded: a cycle whose only degradation
    // was the skipped EXEC must not keep trading off for ever.
    // (An ok cycle had no failed stage.)
    this.degraded =
      r.status !== 'ok' &&
      r.stageResults.some((s) => (s.status === 'failed' || s.status === 'timed_out') && this.specs.find((x) => x.name === s.stage)?.failureMode === 'degrade');
    this.consecutiveFailed = r.status === 'failed' ? this.consecutiveFailed + 1 : 0;
    this.lastCycle = { correlationId: r.correlationId, status: r.status, finishedAt: r.finishedAt, blockReason: r.blockReason };
    for (const s of r.stageResults) if (s.status === 'skipped' || s.status === 'blocked') this.health[s.stage].lastStatus = s.status;
    return r;
  }

  private trackAbandoned(work: Promise<unknown>): void {
    const settled: Promise<void> = work.then(
      () => undefined,
      () => undefined,
    ).finally(() => this.abandoned.delete(settled));
    this.abandoned.add(settled);
    this.opts.observer?.warn?.('EXEC attempt cut at its budget is still running; new cycles wait until it settles');
  }

  private syncKill(): void {
    try {
      this.opts.kill.sync();
    } catch (e) {
      this.opts.observer?.warn?.('kill switch state could not be re-read', { error: toOrdinisError(e).message });
    }
  }

  /** The one place the engine trips the kill switch (a fail-closed stage failed; a failure its spec names). */
  private activateKill(reason: string, correlationId: string): void {
    if (this.opts.kill.isActive()) return;
    try {
      this.opts.kill.activate(reason, 'orch', correlationId);
    } catch (e) {
      this.opts.observer?.warn?.('kill switch activation could not be persisted; it is active in memory', { error: toOrdinisError(e).message });
    }
  }
}

/**
 * An RFC 9562 version 7 id: the cycle's start time in ms, then bits from the seeded source.
 * Time-ordered on purpose: run rows, artifacts and their index entries are keyed by it, and
 * an ordered key appends at the right edge of each B-tree, where a random (v4) key lands on
 * a random page, which over a long paper run misses SQLite's page cache on every insert.
 * Reproducible under a seed and an injected clock.
 */
export function newCorrelationId(random: RandomSource, nowMs: number): string {
  const ts = Math.max(0, Math.trunc(nowMs)).toString(16).padStart(12, '0').slice(-12);
  const r = randomHex(random, 10);
  const variant = ((parseInt(r[3]!, 16) & 0x3) | 0x8).toString(16);
  return `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7${r.slice(0, 3)}-${variant}${r.slice(4, 7)}-${r.slice(7, 19)}`;
}

function noteHealth(h: StageHealth, r: StageResult): void {
  if (r.status === 'ok') h.ok++;
  else h.failed++;
  h.lastStatus = r.status;
  h.lastErrorCode = r.errorCode;
}

/**
 * What `inFlight` holds while a cycle runs synchronously: it has no promise of its own (and
 * may never need one), but the engine must look busy to anything the cycle calls. Settled
 * already: whoever awaits it (stop()) resumes in a microtask, after the synchronous cycle.
 * Only awaited, never read.
 */
const SYNC_IN_FLIGHT = Promise.resolve() as unknown as Promise<CycleResult>;
