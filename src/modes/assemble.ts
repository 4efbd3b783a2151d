// Modes are assembled here, in one place: the same OrchestrationEngine and the same eight
// stage engines, with different adapters (data source, broker, clock, stores), as the
// mode's row of MODE_TABLE (mode-table.ts) says. Nothing else in the system branches on
// the mode.

import type { Tracer } from '@opentelemetry/api';
import type { Clock } from '../core/clock.ts';
import type { RandomSource } from '../core/random.ts';
import type { OrdinisConfig } from '../config/schema.ts';
import type { EventEmitterPort, Bus } from '../bus/contract.ts';
import type { AuditLog } from '../governance/audit-chain.ts';
import { GovernanceEngine, governanceOptionsFromConfig } from '../governance/governance-engine.ts';
import { HookManager } from '../governance/hooks/hook-manager.ts';
import { KillSwitch } from '../kill-switch/kill-switch.ts';
import type { KillSwitchStore } from '../kill-switch/contract.ts';
import { DurableKillGate, type DurableKillGateOptions } from '../kill-switch/durable-kill-gate.ts';
import { OrchestrationEngine, type BacktestDriver, type EngineObserver, type OrchSettings } from '../kernel/engine.ts';
import type { RunStore } from '../kernel/run-store.ts';
import type { RunMode, StageName, StageSet } from '../kernel/stage-contract.ts';
import type { BarSource } from '../stages/ing/bar-source.ts';
import { IngestStage } from '../stages/ing/ingest-stage.ts';
import { FeatureStage } from '../stages/feat/feature-stage.ts';
import { SignalStage } from '../stages/sig/signal-stage.ts';
import { brokerBook } from '../stages/exec/broker-book.ts';
import type { ResolvedStrategy } from '../stages/sig/registry.ts';
import { RiskStage, brokerWorkingSymbols } from '../stages/risk/risk-stage.ts';
import type { SizingConfig } from '../stages/risk/sizing.ts';
import type { RiskPolicy } from '../stages/risk/policy.ts';
import type { RiskDecision } from '../domain/risk.ts';
import { ExecStage } from '../stages/exec/exec-stage.ts';
import type { BrokerAdapter } from '../stages/exec/broker-adapter.ts';
import { PaperBroker } from '../adapters/venue/paper-broker.ts';
import { GuardedBroker } from '../adapters/venue/guarded-broker.ts';
import { CircuitBreaker } from '../adapters/resilience/circuit-breaker.ts';
import { RateLimiter } from '../adapters/resilience/rate-limiter.ts';
import type { CommissionModel } from '../domain/commission.ts';
import type { OrderStore } from '../stages/exec/order-store.ts';
import type { LedgerStore } from '../stages/port/ledger-store.ts';
import { PortfolioStage } from '../stages/port/portfolio-stage.ts';
import { AnalyticsStage, type EquityPointSink } from '../stages/ana/analytics-stage.ts';
import { AuditStage } from '../stages/audit/audit-stage.ts';
import type { MarketListener } from '../domain/market.ts';
import { cancelWorkingOrders } from './paper/cancel-on-kill.ts';
import { runnableMode } from './mode-table.ts';

/**
 * Where a pipeline keeps its book: orders, ledger, audit log, kill switch state, and optionally runs and risk decisions. `memoryStores()` or the SQLite stores of `openDatabase`.
 */
export interface PipelineStores {
  runs?: RunStore;
  orders: OrderStore;
  ledger: LedgerStore;
  /** Hash-chained in paper/live; a completeness check in a backtest. */
  audit: AuditLog;
  killSwitch: KillSwitchStore;
  /** Where RISK's decisions are recorded (the `risk_decisions` table: `db.riskDecisions`). */
  riskDecisions?: {
    /** Stores one cycle's decisions. */
    record(correlationId: string, decisions: RiskDecision[]): void;
  };
  /**
   * The store's write lock and change probe, for EXEC's durable kill check at each
   * submission (a store other processes also write: paper, live). Without it EXEC asks the
   * in-process switch only (backtests).
   */
  killGate?: Pick<DurableKillGateOptions, 'transaction' | 'committedElsewhere'>;
}

/**
 * What `assemblePipeline` builds a pipeline from: the mode, configuration, data source, strategy, sizing, cash, commission, stores, clock, random source, and optional parts of your own (`stages`, `riskPolicies`, `broker`).
 */
export interface PipelineInput {
  mode: RunMode;
  config: OrdinisConfig;
  source: BarSource;
  strategy: ResolvedStrategy;
  sizing: SizingConfig;
  startingCash: number;
  commission: CommissionModel;
  stores: PipelineStores;
  clock: Clock;
  /** Wall clock for what people read and retention ages (the kill switch's stamps). Default: `clock`. */
  wallClock?: Clock;
  random: RandomSource;
  /** A live adapter; default: the paper broker (a simulated venue fed by ING). */
  broker?: BrokerAdapter & Partial<MarketListener>;
  /**
   * The simulated venue to use instead of a fresh one (the paper runtime passes one restored
   * from its own tables). Treated exactly like the default venue; ignored when `broker` is set.
   */
  venue?: PaperBroker;
  events?: EventEmitterPort;
  bus?: Bus;
  /** What the engine's runBacktest (and `ordinis.ops.run.backtest.requested` on `bus`) runs. */
  backtest?: BacktestDriver;
  observer?: EngineObserver;
  tracer?: Tracer;
  /** The engine's per-cycle trace and metrics layers (default: as the mode's row of MODE_TABLE says: paper both, backtest neither). */
  cycleTelemetry?: { trace: boolean; metrics: boolean };
  hooks?: HookManager;
  configSnapshot?: Record<string, unknown>;
  /** Where ANA puts each cycle's equity point; default: its in-memory curve (a backtest streams them to SQLite). */
  equityCurve?: EquityPointSink;
  codeVersion?: string;
  commitHash?: string;
  /**
   * Stages of your own in place of the default engines, by stage name; the stages not named
   * stay the defaults. A stage's name must match its slot (`{ ANA: myAna }` with
   * `myAna.name === 'ANA'`); its StageSpec (gates, retries, containment) stays the slot's.
   * The replaced default is still built and listed in `Pipeline.stages`, but the engine
   * never runs it.
   */
  stages?: StageSet;
  /**
   * The default RISK stage's policy chain, run in this order instead of
   * DEFAULT_POLICY_CHAIN (e.g. `[...DEFAULT_POLICY_CHAIN, myPolicy]`). Ignored when
   * `stages.RISK` replaces RISK.
   */
  riskPolicies?: readonly RiskPolicy[];
}

/** An assembled pipeline: the engine and the parts it was built from. */
export interface Pipeline {
  engine: OrchestrationEngine;
  kill: KillSwitch;
  governance: GovernanceEngine;
  broker: BrokerAdapter;
  /** The broker's circuit breaker (its state is on /metrics and the dashboard). */
  breaker: CircuitBreaker;
  venue: PaperBroker | undefined;
  /** The default stage engines (also those replaced by `PipelineInput.stages`, which the engine does not run). */
  stages: {
    ing: IngestStage;
    feat: FeatureStage;
    sig: SignalStage;
    risk: RiskStage;
    exec: ExecStage;
    port: PortfolioStage;
    ana: AnalyticsStage;
    audit: AuditStage;
  };
}

export function settingsFromConfig(config: OrdinisConfig): OrchSettings {
  return {
    cycleBudgetMs: config.ORCH_CYCLE_BUDGET_MS,
    stageBudgetMs: { ...config.ORCH_STAGE_BUDGET_MS },
    retryMax: config.ORCH_RETRY_MAX,
    retry: {
      initialIntervalMs: config.ORCH_RETRY_INITIAL_MS,
      backoffCoefficient: config.ORCH_RETRY_BACKOFF,
      maximumIntervalMs: config.ORCH_RETRY_MAX_INTERVAL_MS,
    },
    disabledStages: [...config.ORCH_STAGES_DISABLED] as StageName[],
    failClosedOnAudit: config.ORCH_FAIL_CLOSED_ON_AUDIT,
    degradedAllowExec: config.ORCH_DEGRADED_ALLOW_EXEC,
    failClosedOnDb: config.ORCH_FAIL_CLOSED_ON_DB,
    killOnAuditWriteFailure: config.KILL_AUTO_ON_AUDIT_FAILURE,
    profile: config.ORCH_PROFILE,
  };
}

/**
 * Builds a mode's pipeline: the engine over the eight default stage engines (with yours in
 * place of any, `input.stages`), the kill switch, governance and the broker (the simulated
 * venue unless `input.broker` is given). The engine is not started.
 *
 * @example
 * ```ts
 * const pipeline = assemblePipeline({
 *   mode: 'paper', config: loadConfig({ env: {} }).config,
 *   source: new ArrayBarSource(bars), strategy: resolvePack(smaCross, { fast: 10, slow: 30 }),
 *   sizing: { kind: 'fixed', qty: 10 }, startingCash: 10_000, commission: { kind: 'none' },
 *   stores: memoryStores(), clock: new ManualClock(bars[0].ts), random: new SeededRandom(1),
 *   riskPolicies: [...DEFAULT_POLICY_CHAIN, myPolicy],
 * });
 * ```
 */
export function assemblePipeline(input: PipelineInput): Pipeline {
  const { config, clock, stores } = input;
  // The mode's row of the table (mode-table.ts): refuses a mode without adapters (live) rather than assembling it on the simulated venue.
  const mode = runnableMode(input.mode);
  const cycleTelemetry = input.cycleTelemetry ?? { trace: mode.layers.includes('trace'), metrics: mode.layers.includes('metrics') };
  const governance = new GovernanceEngine({ ...governanceOptionsFromConfig(config), store: stores.audit, clock });
  const kill = new KillSwitch({
    store: stores.killSwitch,
    clock: input.wallClock ?? clock,
    governance,
    ...(input.events ? { events: input.events } : {}),
    failSafe: config.KILL_FAIL_SAFE,
  });

  const venue = input.broker ? undefined : input.venue ?? new PaperBroker({
    startingCash: input.startingCash,
    fillTiming: config.EXEC_FILL_TIMING,
    commission: input.commission,
    slippageBps: config.EXEC_SLIPPAGE_BPS,
    clock,
  });
  const rawBroker: BrokerAdapter & Partial<MarketListener> = input.broker ?? venue!;
  const breaker = new CircuitBreaker({
    clock,
    failureThreshold: config.EXEC_CIRCUIT_FAILURE_THRESHOLD,
    resetTimeoutMs: config.EXEC_CIRCUIT_RESET_MS,
    openTooLongMs: config.KILL_CIRCUIT_OPEN_MAX_MS,
    onOpenTooLong: (info) => {
      if (!kill.isActive()) kill.activate(`broker circuit open for ${info.openForMs} ms`, 'orch');
    },
  });
  // A simulated venue needs no rate limit (it would only slow backtests); a real one does.
  const limiter = venue ? undefined : new RateLimiter({ clock, capacity: config.EXEC_BROKER_RATE_LIMIT_PER_SEC, refillPerSecond: config.EXEC_BROKER_RATE_LIMIT_PER_SEC });
  const broker = new GuardedBroker(rawBroker, { breaker, ...(limiter ? { limiter } : {}) });

  const listeners: MarketListener[] = typeof rawBroker.onBar === 'function' ? [rawBroker as MarketListener] : [];
  const ing = new IngestStage({ source: input.source, listeners, maxStalenessMs: config.ING_MAX_STALENESS_MS, clock });
  const feat = new FeatureStage({
    features: input.strategy.features,
    ...(config.SIG_WARMUP_MODE === 'common' ? { commonWarmup: input.source.symbols } : {}),
  });
  // The paper venue shows decide its whole book; another broker, through its guard, its account.
  const sig = new SignalStage({ strategy: input.strategy, book: brokerBook(venue ?? broker) });
  const risk = new RiskStage({
    account: () => broker.fetchAccount(),
    workingSymbols: brokerWorkingSymbols(broker),
    config: {
      // 1 is "no guard": a short book's equity can fall below zero, so not merely a drawdown never reached.
      maxDrawdown: config.RISK_MAX_DRAWDOWN >= 1 ? Number.POSITIVE_INFINITY : config.RISK_MAX_DRAWDOWN,
      maxSymbolWeight: config.RISK_MAX_POSITION_PCT >= 1 ? null : config.RISK_MAX_POSITION_PCT,
      sizing: input.sizing,
      commission: input.commission,
    },
    policyVersion: config.RISK_POLICY_VERSION,
    ...(stores.riskDecisions ? { sink: stores.riskDecisions } : {}),
    ...(input.riskPolicies ? { policies: input.riskPolicies } : {}),
  });
  const gate = stores.killGate
    ? new DurableKillGate({ kill, ...stores.killGate, ...(venue ? { onSubmitRolledBack: (e: unknown) => venue.invalidate(e) } : {}) })
    : undefined;
  const exec = new ExecStage({ broker, orderStore: stores.orders, governance, isFillPosted: (id) => stores.ledger.hasFill(id), ...(gate ? { gate } : {}) });
  const port = new PortfolioStage({
    ledgerStore: stores.ledger,
    startingCash: input.startingCash,
    // The mode says whether PORT checks the ledger against the account every cycle (mode-table.ts's accountCheck).
    ...(mode.accountCheck === 'every-cycle' ? { account: () => broker.fetchAccount() } : {}),
    // A ledger invariant breach fails PORT with E_LEDG_INVARIANT_BREACH, which its StageSpec
    // names as tripping the kill switch: the engine does it, in one place.
  });
  const ana = new AnalyticsStage({
    startingCash: input.startingCash,
    periodsPerYear: config.ANA_PERIODS_PER_YEAR,
    ...(input.equityCurve ? { equityCurve: input.equityCurve } : {}),
  });
  const audit = new AuditStage({ governance, orderStore: stores.orders });

  kill.onChange((_state, change) => {
    if (change !== 'activated') return;
    void cancelWorkingOrders(broker, stores.orders).then((r) => {
      if (r.failed.length > 0) input.observer?.warn?.('kill switch: some working orders could not be canceled', { failed: r.failed });
    });
  });

  const hooks = input.hooks ?? new HookManager(config.HOOK_STAGE_BUDGET_MS);
  const engine = new OrchestrationEngine({
    mode: input.mode,
    stages: { ING: ing, FEAT: feat, SIG: sig, RISK: risk, EXEC: exec, PORT: port, ANA: ana, AUDIT: audit, ...givenStages(input.stages) },
    settings: settingsFromConfig(config),
    clock,
    random: input.random,
    kill,
    hooks,
    ...(input.events ? { events: input.events } : {}),
    ...(input.bus ? { bus: input.bus } : {}),
    ...(input.backtest ? { backtest: input.backtest } : {}),
    ...(stores.runs ? { runStore: stores.runs } : {}),
    ...(input.observer ? { observer: input.observer } : {}),
    ...(input.tracer ? { tracer: input.tracer } : {}),
    cycleTelemetry,
    ...(input.configSnapshot ? { configSnapshot: input.configSnapshot } : {}),
    ...(input.codeVersion ? { codeVersion: input.codeVersion } : {}),
    ...(input.commitHash ? { commitHash: input.commitHash } : {}),
  });
  return { engine, kill, governance, broker, breaker, venue, stages: { ing, feat, sig, risk, exec, port, ana, audit } };
}

/** The stages given, without slots given as undefined (`{ ANA: maybeMine }` keeps the default when there is none). */
function givenStages(stages: StageSet | undefined): StageSet {
  if (!stages) return {};
  return Object.fromEntries(Object.entries(stages).filter(([, stage]) => stage !== undefined)) as StageSet;
}
