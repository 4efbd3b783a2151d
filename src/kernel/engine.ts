// OrchestrationEngine: drives one cycle through the canonical stages with gates, budgets,
// retries and containment, and owns the cycle's correlation id, root span and run record.
// Modes differ only in the stages and adapters handed in (see runtime/assemble.ts); the
// cycle code path is the same for live, paper and backtest.

import { performance } from 'node:perf_hooks';
import { trace, context, isSpanContextValid, INVALID_SPAN_CONTEXT, SpanStatusCode, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { OrdinisError, errorInfo, toOrdinisError, type ErrorCode, type ErrorInfo } from '../errors.ts';
import type { Clock } from '../core/clock.ts';
import type { RandomSource } from '../core/random.ts';
import { randomHex } from '../core/random.ts';
import type { EventEmitterPort, Bus } from '../bus/contract.ts';
import type { KillSwitch } from '../kill-switch/kill-switch.ts';
import type { HookManager, HookPatch } from '../governance/hooks/hook-manager.ts';
import { assertNarrowing } from '../governance/hooks/hook-manager.ts';
import {
  STAGE_ORDER,
  type CycleTrigger,
  type KillSwitchGuard,
  type RunMode,
  type Stage,
  type StageContext,
  type StageName,
  type StageOutputs,
  type StageSet,
} from './stage-contract.ts';
import type { RiskDecision } from '../domain/risk.ts';
import { CYCLE_RESULT_SCHEMA_VERSION, type CycleResult, type CycleStatus, type StageResult } from './cycle-result.ts';
import { buildStageSpecs, stageMayRetry, type SpecSettings, type StageSpec, type StageSpecInput } from './stage-spec.ts';
import { backoffDelayMs, isRetryable } from './retry-policy.ts';
import { isPromiseLike, runMaybeAsync } from '../core/maybe-async.ts';
import { LazyAbortController, runWithBudget, type BudgetOutcome, type MaybePromise } from './budget.ts';
import { CYCLE_SPAN, STAGE_SPANS } from './span-names.ts';
import { lastRfc3339 } from '../core/rfc3339.ts';
import type { RunRow, RunStore } from './run-store.ts';

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
  cycleStarted?(correlationId: string): void;
  stageFinished?(correlationId: string, result: StageResult): void;
  stageRetried?(stage: StageName, errorCode: ErrorCode, delayMs: number): void;
  cycleFinished?(result: CycleResult): void;
  cycleSkipped?(reason: string): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
}

export interface BacktestDriver<C = Record<string, unknown>, R = Record<string, unknown>> {
  run(engine: OrchestrationEngine, config: C): Promise<R>;
}

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
  backtest?: BacktestDriver;
  codeVersion?: string;
  commitHash?: string;
  /** Config snapshot stored once per run (secrets already redacted). */
  configSnapshot?: Record<string, unknown>;
}

export type EngineState = 'created' | 'running' | 'stopping' | 'stopped';

export interface StageHealth {
  ok: number;
  failed: number;
  lastStatus: string | null;
  lastErrorCode: ErrorCode | null;
}

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
   * Which cycles get a run row and a CycleResult artifact. 'all' (default): every cycle, the
   * row written before any stage runs (so a cycle that cannot be recorded does not trade).
   * 'exceptions': only a cycle that ends other than ok, written when it ends; an ok cycle
   * leaves no record (a backtest keeps per-status counts instead). The cycle itself runs the
   * same either way, except that a database failure is noticed after the cycle, not before.
   */
  records?: 'all' | 'exceptions';
}

/** What runStage hands back to the cycle loop. */
interface StageRun {
  result: StageResult;
  output?: unknown;
  error?: OrdinisError;
}

/** One stage call's inputs from the cycle. */
interface StageCall {
  correlationId: string;
  traceId: string;
  trigger: CycleTrigger;
  cycleTime: number;
  index: number;
  data: Partial<StageOutputs>;
  /** The cycle span's context: the parent of the stage spans. */
  cycleContext: Context;
  /** False when the tracer is a no-op (the cycle span has no valid context): no stage spans then. */
  traced: boolean;
}

/** A cycle step waits only on real promises; synchronous stages never leave the loop. */
type CycleStep = Generator<PromiseLike<unknown>, unknown, unknown>;

const BOOKKEEPING: ReadonlySet<StageName> = new Set(['PORT', 'ANA']);

export class OrchestrationEngine {
  readonly mode: RunMode;
  private state: EngineState = 'created';
  private specs: StageSpec[] = [];
  /** Per spec, in order: its stage (undefined when none was given) and its health record. */
  private stageList: (Stage | undefined)[] = [];
  private healthList: StageHealth[] = [];
  private readonly stages: StageSet;
  private inFlight: Promise<CycleResult> | null = null;
  /** EXEC attempts cut at their budget that have not settled yet. */
  private readonly abandoned = new Set<Promise<void>>();
  private inFlightId: string | null = null;
  private cycleIndex = 0;
  private lastCycle: EngineStatus['lastCycle'] = null;
  private degraded = false;
  private consecutiveFailed = 0;
  private readonly counts: EngineStatus['counts'] = { ok: 0, degraded: 0, failed: 0, blocked: 0, skipped: 0 };
  private readonly health = Object.fromEntries(
    STAGE_ORDER.map((s) => [s, { ok: 0, failed: 0, lastStatus: null, lastErrorCode: null }]),
  ) as EngineStatus['stageHealth'];
  private readonly subscriptions: string[] = [];
  private readonly tracer: Tracer;
  /** RFC 3339 of a time: a cycle's times are often the same millisecond (always in a backtest). */
  private readonly iso = lastRfc3339();

  constructor(private readonly opts: EngineOptions) {
    this.mode = opts.mode;
    this.stages = opts.stages;
    this.tracer = opts.tracer ?? trace.getTracer('ordinis.orch');
  }

  /** Validates specs and stages, then accepts cycles. Throws E_ORCH_STAGE_SPEC_INVALID with the reason. */
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

  status(): EngineStatus {
    const k = this.opts.kill.get();
    return {
      state: this.state,
      mode: this.mode,
      inFlight: this.inFlightId,
      lastCycle: this.lastCycle,
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
    // inside executeCycle, and anything it calls must still see the engine busy.
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

  /**
   * One cycle, synchronous as long as its stages are: the loop below is a generator that
   * yields only real promises (an async stage, a hook, a retry's sleep), so a cycle of
   * synchronous stages costs no promise, await or timer; otherwise it continues asynchronously
   * from the first promise. Every step runs with the cycle span active, as under
   * startActiveSpan.
   */
  private executeCycle(trigger: CycleTrigger, correlationId: string, parentRunId: string | null, records: 'all' | 'exceptions'): MaybePromise<CycleResult> {
    const { clock } = this.opts;
    const cycleTime = trigger.at ?? clock.now();
    const startedAt = this.iso(clock.now());
    const t0 = performance.now();
    const index = this.cycleIndex++;
    const parent = context.active();
    const root = this.tracer.startSpan(CYCLE_SPAN, { attributes: { 'ordinis.correlation_id': correlationId, 'ordinis.mode': this.mode, 'ordinis.trigger': trigger.kind } }, parent);
    // A span that is not traced (a backtest's no-op tracer, no parent) is not made current:
    // nothing could read it, and the context copy is a Map per cycle.
    // (The no-op tracer's span carries the shared invalid context: no hex validation needed.)
    const rootContext = root.spanContext();
    const traced = rootContext !== INVALID_SPAN_CONTEXT && isSpanContextValid(rootContext);
    const cycleContext = traced ? trace.setSpan(parent, root) : parent;
    return runMaybeAsync(this.cycle(root, cycleContext, trigger, correlationId, parentRunId, records, { cycleTime, startedAt, t0, index, traced }), (step) => context.with(cycleContext, step)) as MaybePromise<CycleResult>;
  }

  private *cycle(
    root: Span,
    cycleContext: Context,
    trigger: CycleTrigger,
    correlationId: string,
    parentRunId: string | null,
    records: 'all' | 'exceptions',
    at: { cycleTime: number; startedAt: string; t0: number; index: number; traced: boolean },
  ): CycleStep {
    const { clock, settings } = this.opts;
    const { cycleTime, startedAt, t0, index, traced } = at;
    const deadline = t0 + settings.cycleBudgetMs;
    const traceId = root.spanContext().traceId;
    const emitMeta = { correlationId, traceId, spanId: root.spanContext().spanId };
    const results: StageResult[] = [];
    const errors: ErrorInfo[] = [];
    const data: Partial<StageOutputs> = {};
    const call: StageCall = { correlationId, traceId, trigger, cycleTime, index, data, cycleContext, traced };
    let blockReason: string | null = null;
    let blockCode: ErrorCode | null = null;
    let failed = false;
    let degraded = false;
    let timedOut = false;
    let killFromAudit = false;
    /** Set when a trading-path stage failed: later stages before AUDIT are skipped. */
    let haltedBy: StageName | null = null;
    /** performance.now() when the last stage ended ok, until the next stage starts. */
    let stageEnd: number | undefined;

    // Another process may have flipped the kill switch since the last cycle.
    this.syncKill();
    this.opts.observer?.cycleStarted?.(correlationId);
    this.opts.events?.emit('ordinis.ops.cycle.started', { correlation_id: correlationId, mode: this.mode, trigger: trigger.kind, cycle_time: this.iso(cycleTime) }, emitMeta);

    // Run metadata first: a cycle that cannot be recorded must not trade (fail closed). A
    // store that can defer the row writes it with the cycle's first commit (see RunStore).
    const start = records === 'all' ? this.recordStart(correlationId, startedAt, parentRunId) : NOT_STARTED;
    const dbError = start.error;
    if (dbError && settings.failClosedOnDb) {
      errors.push(errorInfo(dbError));
      failed = true;
      haltedBy = 'ING';
      blockReason = `run metadata could not be written: ${dbError.message}`;
    } else if (dbError) {
      errors.push(errorInfo(dbError));
      degraded = true;
      this.opts.observer?.warn?.('run metadata not written; continuing because ORCH_FAIL_CLOSED_ON_DB=false', { correlationId });
    }

    // Indexed over arrays made at start(): a for-of iterator and a lookup by stage name cost
    // more, per stage of every cycle, than the rest of this loop's bookkeeping.
    const { specs, stageList } = this;
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i]!;
      const name = spec.name;
      const stage = stageList[i];
      const isAudit = name === 'AUDIT';
      if (!spec.enabled || !stage) {
        results.push(notRun(spec, 'skipped', 'disabled'));
        continue;
      }
      if (haltedBy && !isAudit) {
        results.push(notRun(spec, 'skipped', dbError && haltedBy === 'ING' && failed ? 'run metadata not written (fail closed)' : `after ${haltedBy} failed`));
        continue;
      }
      if (blockReason !== null && !failed && !isAudit && !BOOKKEEPING.has(name)) {
        results.push(notRun(spec, 'blocked', blockReason));
        continue;
      }
      // Kill switch gate: before SIG, and re-checked before EXEC in case it flipped mid-cycle.
      if (name === 'EXEC') this.syncKill();
      if ((name === 'SIG' || name === 'EXEC') && blockReason === null && this.opts.kill.isActive()) {
        const k = this.opts.kill.get();
        blockReason = `kill switch active: ${k.reason ?? 'no reason'}`;
        blockCode = 'E_ORCH_BLOCKED';
        this.opts.events?.emit('ordinis.ops.kill.block', { correlation_id: correlationId, stage: name, reason: k.reason, actor: k.actor }, emitMeta);
        results.push(notRun(spec, 'blocked', blockReason));
        continue;
      }
      if (name === 'SIG' && blockReason === null && data.ING?.stale) {
        blockReason = `data stale: ${data.ING.stale.reason}`;
        blockCode = 'E_ORCH_BLOCKED';
        this.opts.events?.emit('ordinis.ops.data.stale', { correlation_id: correlationId, reason: data.ING.stale.reason, lag_ms: data.ING.stale.lagMs }, emitMeta);
        results.push(notRun(spec, 'blocked', blockReason));
        continue;
      }
      if (name === 'EXEC' && this.degraded && !settings.degradedAllowExec) {
        degraded = true;
        results.push(notRun(spec, 'skipped', 'previous cycle degraded and ORCH_DEGRADED_ALLOW_EXEC=false'));
        continue;
      }
      // Cycle budget: once spent, only critical stages (and always AUDIT) still run.
      // The previous stage's end time when it just ended ok: what ran since (bookkeeping,
      // the gates above) is far below the budgets' resolution, and a clock read is not free.
      let now = stageEnd ?? performance.now();
      stageEnd = undefined;
      if (now >= deadline && !timedOut) {
        timedOut = true;
        errors.push(errorInfo(new OrdinisError('E_ORCH_TIMEOUT', `cycle budget of ${settings.cycleBudgetMs} ms spent before ${name}`)));
        this.opts.events?.emit('ordinis.ops.cycle.timeout', { correlation_id: correlationId, budget_ms: settings.cycleBudgetMs, next_stage: name }, emitMeta);
      }
      if (timedOut && !spec.critical) {
        degraded = true;
        results.push(notRun(spec, 'skipped', 'cycle budget spent'));
        continue;
      }
      // HOOK/GOV preflight at the boundary.
      if (this.opts.hooks?.has(name)) {
        const pending = this.opts.hooks.runBoundary({ stage: name, correlationId, cycleTime, data, signal: new AbortController().signal });
        const boundary = (isPromiseLike(pending) ? yield pending : pending) as Awaited<typeof pending>;
        now = performance.now();
        for (const w of boundary.warnings) {
          this.opts.events?.emit('ordinis.ops.hook.error', { correlation_id: correlationId, stage: name, hook_id: w.hookId, outcome: w.outcome, reasons: w.reasons }, emitMeta);
        }
        if (!boundary.allowed) {
          const reason = `hook ${boundary.blockedBy!.hookId} denied ${name}: ${boundary.blockedBy!.reason}`;
          errors.push(errorInfo(new OrdinisError('E_HOOK_DENIED', reason), name));
          if (isAudit) {
            failed = true;
            killFromAudit = spec.failureMode === 'fail_closed';
            results.push(notRun(spec, 'blocked', reason));
            continue;
          }
          if (blockReason === null) {
            blockReason = reason;
            blockCode = 'E_ORCH_BLOCKED';
          }
          results.push(notRun(spec, 'blocked', reason));
          continue;
        }
        if (boundary.patch && name === 'EXEC' && data.RISK) {
          try {
            data.RISK = applyQtyPatch(data.RISK, boundary.patch);
          } catch (e) {
            errors.push(errorInfo(e, name));
            blockReason = blockReason ?? (e as Error).message;
            blockCode = 'E_ORCH_BLOCKED';
            results.push(notRun(spec, 'blocked', (e as Error).message));
            continue;
          }
        }
      }

      // Critical stages always get their own budget (they must run even late); the others
      // get whichever is smaller, their budget or what is left of the cycle's.
      const budgetMs = spec.critical ? spec.budgetMs : Math.min(spec.budgetMs, Math.max(0, deadline - now));
      // The common case, a synchronous attempt that succeeded, skips the retry loop's generator.
      const first = this.attempt(stage, spec, call, 1, budgetMs);
      let res: StageRun;
      if (!isPromiseLike(first) && first.ok) {
        stageEnd = performance.now();
        res = okRun(stage, spec, first.value, 1, [], now, stageEnd);
      } else {
        res = yield* this.runStage(stage, spec, call, budgetMs, now, first);
      }
      results.push(res.result);
      this.noteHealth(this.healthList[i]!, res.result);
      this.opts.observer?.stageFinished?.(correlationId, res.result);
      if (res.result.status === 'ok') {
        (data as Record<string, unknown>)[name] = res.output;
        continue;
      }
      const err = res.error!;
      errors.push(errorInfo(err, name));
      this.opts.events?.emit('ordinis.ops.stage.failed', { correlation_id: correlationId, stage: name, error_code: err.code, attempts: res.result.attempts, message: err.message }, emitMeta);
      if (err.code === 'E_LEDG_INVARIANT_BREACH' && !this.opts.kill.isActive()) {
        this.activateKill(`ledger invariant breach: ${err.message}`, correlationId);
      }
      switch (spec.failureMode) {
        case 'degrade':
          degraded = true;
          if (isAudit) this.opts.observer?.warn?.('AUDIT failed and ORCH_FAIL_CLOSED_ON_AUDIT=false: failing OPEN', { correlationId, code: err.code });
          break;
        case 'fail_closed':
          failed = true;
          killFromAudit = true;
          break;
        case 'fail':
          failed = true;
          if (!isAudit) haltedBy = name;
          break;
      }
    }

    if (settings.killOnAuditWriteFailure && errors.some((e) => e.code === 'E_GOV_AUDIT_WRITE_FAILED')) killFromAudit = true;
    if (killFromAudit) this.activateKill(`audit failed in cycle ${correlationId}`, correlationId);

    let status: CycleStatus = failed ? 'failed' : blockReason !== null ? 'blocked' : degraded || timedOut ? 'degraded' : 'ok';
    if (failed && !errors.some((e) => e.code === 'E_ORCH_STAGE_FAILED')) {
      const failedStage = results.find((r) => r.status === 'failed' || r.status === 'timed_out');
      if (failedStage) errors.unshift({ code: 'E_ORCH_STAGE_FAILED', message: `E_ORCH_STAGE_FAILED: stage ${failedStage.stage} failed (${failedStage.errorCode})`, retryable: false, stage: failedStage.stage });
    }
    if (status === 'blocked' && blockCode && !errors.some((e) => e.code === blockCode)) {
      errors.unshift({ code: blockCode, message: `${blockCode}: ${blockReason}`, retryable: false });
    }
    const finishedAt = this.iso(clock.now());
    const result: CycleResult = {
      schemaVersion: CYCLE_RESULT_SCHEMA_VERSION,
      correlationId,
      traceId,
      mode: this.mode,
      trigger: trigger.kind,
      cycleTime: this.iso(cycleTime),
      status,
      stageResults: results,
      startedAt,
      finishedAt,
      durationMs: performance.now() - t0,
      blockReason,
      timedOut,
      errors,
    };
    if (records === 'all') this.recordFinish(result, dbError !== undefined);
    else if (status !== 'ok') this.recordException(result, parentRunId);
    // A row still deferred here had its finish fail: never let a later commit write it as running.
    start.drop?.();
    this.noteCycle(result);
    root.setAttribute('ordinis.status', status);
    if (status === 'failed') root.setStatus({ code: SpanStatusCode.ERROR, message: errors[0]?.message ?? 'failed' });
    root.end();
    this.opts.observer?.cycleFinished?.(result);
    this.opts.events?.emit('ordinis.ops.cycle.completed', { correlation_id: correlationId, status, block_reason: blockReason, duration_ms: result.durationMs, error_codes: errors.map((e) => e.code) }, emitMeta);
    return result;
  }

  /**
   * Runs a stage from `start` (performance.now() just before the call) with its retries,
   * within `budgetMs`, from its first attempt's outcome.
   */
  private *runStage(
    stage: Stage,
    spec: StageSpec,
    c: StageCall,
    budgetMs: number,
    start: number,
    firstAttempt: MaybePromise<BudgetOutcome<unknown>>,
  ): Generator<PromiseLike<unknown>, StageRun, unknown> {
    const stageDeadline = start + budgetMs;
    const delays: number[] = [];
    let attempt = 0;
    let lastError: OrdinisError | undefined;
    let timedOut = false;
    const mayRetry = stageMayRetry(spec);
    while (true) {
      attempt++;
      const pending = attempt === 1 ? firstAttempt : this.attempt(stage, spec, c, attempt, stageDeadline - performance.now());
      const outcome = (isPromiseLike(pending) ? yield pending : pending) as BudgetOutcome<unknown>;
      if (outcome.ok) return okRun(stage, spec, outcome.value, attempt, delays, start, performance.now());
      lastError = outcome.error;
      timedOut = outcome.timedOut;
      if (!mayRetry || attempt >= spec.retry.maximumAttempts || !isRetryable(lastError.code, lastError.retryable, spec.retry)) break;
      const delay = backoffDelayMs(attempt, spec.retry, this.opts.random, lastError.retryAfterMs);
      // Retry only within the remaining budget: a delay that would eat it all is pointless.
      if (performance.now() + delay >= stageDeadline) break;
      delays.push(delay);
      this.opts.observer?.stageRetried?.(spec.name, lastError.code, delay);
      if (delay > 0) yield sleep(delay);
    }
    return {
      result: {
        stage: spec.name,
        status: timedOut ? 'timed_out' : 'failed',
        attempts: attempt,
        durationMs: performance.now() - start,
        errorCode: lastError!.code,
        note: lastError!.message,
        retryDelaysMs: delays,
        output: null,
      },
      error: lastError!,
    };
  }

  /**
   * One attempt of a stage, in its own span `orch.stage.<name>` (none when the tracer is a
   * no-op) and within its budget.
   */
  private attempt(stage: Stage, spec: StageSpec, c: StageCall, attempt: number, remaining: number): MaybePromise<BudgetOutcome<unknown>> {
    const abort = new LazyAbortController();
    const o = this.opts;
    const ctx = new AttemptContext(c.correlationId, c.traceId, this.mode, spec.name, attempt, c.cycleTime, c.index, c.trigger, abort, o.clock, o.random, o.kill, c.data);
    const budgetMs = Math.max(0, remaining);
    // A side-effecting attempt cut at its budget may still be talking to the broker; no new
    // cycle starts until it has settled (the stage stops at its next signal check).
    const onAbandon = spec.name === 'EXEC' ? (work: Promise<unknown>) => this.trackAbandoned(work) : undefined;
    if (!c.traced) return runWithBudget(() => stage.run(ctx), budgetMs, abort, spec.name, onAbandon);
    const span = this.tracer.startSpan(
      STAGE_SPANS[spec.name],
      { attributes: { 'ordinis.correlation_id': c.correlationId, 'ordinis.stage': spec.name, 'ordinis.attempt': attempt } },
      c.cycleContext,
    );
    const r = context.with(trace.setSpan(c.cycleContext, span), () => runWithBudget(() => stage.run(ctx), budgetMs, abort, spec.name, onAbandon));
    return isPromiseLike(r) ? r.then((outcome) => endStageSpan(span, outcome)) : endStageSpan(span, r);
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

  private activateKill(reason: string, correlationId: string): void {
    if (this.opts.kill.isActive()) return;
    try {
      this.opts.kill.activate(reason, 'orch', correlationId);
    } catch (e) {
      this.opts.observer?.warn?.('kill switch activation could not be persisted; it is active in memory', { error: toOrdinisError(e).message });
    }
  }

  private recordStart(correlationId: string, startedAt: string, parentRunId: string | null): RunRowStart {
    const store = this.opts.runStore;
    if (!store) return NOT_STARTED;
    try {
      return { error: undefined, drop: this.writeRunRow(store, correlationId, startedAt, parentRunId) };
    } catch (e) {
      return { error: e instanceof OrdinisError && e.code === 'E_DB_UNAVAILABLE' ? e : new OrdinisError('E_DB_UNAVAILABLE', 'run row not written', { cause: e }), drop: undefined };
    }
  }

  /** Writes (or defers, where the store can) the cycle's run row; returns the deferred row's `drop`. */
  private writeRunRow(store: RunStore, correlationId: string, startedAt: string, parentRunId: string | null): (() => void) | undefined {
    const config = this.opts.configSnapshot && parentRunId === null ? this.opts.configSnapshot : undefined;
    const row: RunRow = {
      runId: correlationId,
      mode: this.mode,
      kind: 'cycle',
      startedAt,
      finishedAt: null,
      status: 'running',
      errorCodes: [],
      configSnapshotRef: null,
      codeVersion: this.opts.codeVersion ?? '0.0.0',
      commitHash: this.opts.commitHash ?? 'unknown',
      parentRunId,
      abortReason: null,
    };
    if (store.deferStartRun) return store.deferStartRun(row, config);
    if (config) row.configSnapshotRef = store.putConfigSnapshot(correlationId, config);
    store.startRun(row);
    return undefined;
  }

  /** `records: 'exceptions'`: the run row and CycleResult of a cycle that did not end ok, written at its end (one commit where the store can defer the row). */
  private recordException(result: CycleResult, parentRunId: string | null): void {
    const store = this.opts.runStore;
    if (!store) return;
    let drop: (() => void) | undefined;
    try {
      drop = this.writeRunRow(store, result.correlationId, result.startedAt, parentRunId);
    } catch (e) {
      result.errors.push(errorInfo(e));
      this.opts.observer?.warn?.('cycle result not persisted', { correlationId: result.correlationId, error: toOrdinisError(e).message });
      return;
    }
    this.recordFinish(result, false);
    drop?.();
  }

  private recordFinish(result: CycleResult, startFailed: boolean): void {
    const store = this.opts.runStore;
    if (!store || startFailed) return;
    try {
      const update = { finishedAt: result.finishedAt, status: result.status, errorCodes: result.errors.map((e) => e.code) };
      const artifact = { runId: result.correlationId, kind: 'cycle_result', schemaVersion: result.schemaVersion, commitHash: this.opts.commitHash ?? 'unknown', content: result };
      if (store.finishRunWithArtifact) store.finishRunWithArtifact(result.correlationId, update, artifact);
      else {
        store.finishRun(result.correlationId, update);
        store.putArtifact(artifact);
      }
    } catch (e) {
      // The cycle already happened; losing its record is loud but must not rewrite history.
      result.errors.push(errorInfo(e));
      this.opts.observer?.warn?.('cycle result not persisted', { correlationId: result.correlationId, error: toOrdinisError(e).message });
    }
  }

  private noteHealth(h: StageHealth, r: StageResult): void {
    if (r.status === 'ok') h.ok++;
    else h.failed++;
    h.lastStatus = r.status;
    h.lastErrorCode = r.errorCode;
  }

  private noteCycle(r: CycleResult): void {
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

function applyQtyPatch(decisions: RiskDecision[], patch: HookPatch): RiskDecision[] {
  const current = new Map<string, number>();
  for (const d of decisions) if (d.allowed && d.order) current.set(d.symbol, d.order.qty);
  assertNarrowing(patch, current);
  return decisions.map((d) => {
    const q = patch.qty?.[d.symbol];
    if (q === undefined || !d.allowed || !d.order) return d;
    if (q === 0) return { ...d, allowed: false, order: d.order, adjustments: [...(d.adjustments ?? []), 'dropped by hook patch'] };
    return { ...d, order: { ...d.order, qty: q }, adjustments: [...(d.adjustments ?? []), `qty ${d.order.qty} -> ${q} by hook patch`] };
  });
}

/** A stage's successful run: its result (with the stage's summary of its output) and output. */
function okRun(stage: Stage, spec: StageSpec, output: unknown, attempts: number, delays: number[], start: number, end: number): StageRun {
  let summary: Record<string, unknown> | null = null;
  try {
    summary = stage.summarize ? stage.summarize(output as never) : null;
  } catch {
    summary = { summary: 'unavailable' };
  }
  return {
    result: { stage: spec.name, status: 'ok', attempts, durationMs: end - start, errorCode: null, note: null, retryDelaysMs: delays, output: summary },
    output,
  };
}

/**
 * What `inFlight` holds while a cycle runs synchronously: it has no promise of its own (and
 * may never need one), but the engine must look busy to anything the cycle calls. Settled
 * already: whoever awaits it (stop()) resumes in a microtask, after the synchronous cycle.
 * Only awaited, never read.
 */
const SYNC_IN_FLIGHT = Promise.resolve() as unknown as Promise<CycleResult>;

/** The outcome of writing a cycle's run row at its start. */
interface RunRowStart {
  error: OrdinisError | undefined;
  /** Withdraws a deferred row no commit has carried (a no-op once written). */
  drop: (() => void) | undefined;
}

const NOT_STARTED: RunRowStart = { error: undefined, drop: undefined };

/** The result of a stage that did not run (skipped or blocked, and why). */
function notRun(spec: StageSpec, status: StageResult['status'], note: string): StageResult {
  return { stage: spec.name, status, attempts: 0, durationMs: 0, errorCode: null, note, retryDelaysMs: [], output: null };
}

/** What a stage attempt sees. `signal` is the attempt's AbortController's, made on first use. */
class AttemptContext implements StageContext {
  readonly #abort: LazyAbortController;

  constructor(
    readonly correlationId: string,
    readonly traceId: string,
    readonly mode: RunMode,
    readonly stage: StageName,
    readonly attempt: number,
    readonly cycleTime: number,
    readonly cycleIndex: number,
    readonly trigger: CycleTrigger,
    abort: LazyAbortController,
    readonly clock: Clock,
    readonly random: RandomSource,
    readonly kill: KillSwitchGuard,
    readonly data: Readonly<Partial<StageOutputs>>,
  ) {
    this.#abort = abort;
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get aborted(): boolean {
    return this.#abort.aborted;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function endStageSpan<T>(span: Span, r: BudgetOutcome<T>): BudgetOutcome<T> {
  span.setAttribute('ordinis.status', r.ok ? 'ok' : r.timedOut ? 'timed_out' : 'failed');
  if (!r.ok) {
    span.setAttribute('ordinis.error_code', r.error.code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: r.error.message });
  }
  span.end();
  return r;
}
