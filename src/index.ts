/**
 * The public API of the package (`import { ... } from 'ordinis-orch'`): everything a user
 * needs to run the engine, write a strategy pack, a risk policy or a whole stage, and plug it
 * into the default pipeline. Everything else in the package is internal and may change.
 * Helpers for your own tests are in `ordinis-orch/testing`.
 *
 * @example
 * ```ts
 * import { defineStrategyPack, loadConfig, runBacktest } from 'ordinis-orch';
 * ```
 *
 * @module ordinis-orch
 */
// Adding or removing a name here is a deliberate change: test/package/public-api.test.ts lists them all.

// The engine (spec §4: start, stop, status, runCycle, runBacktest) and what a cycle returns.
export { OrchestrationEngine } from './kernel/engine.ts';
export type { EngineOptions, EngineStatus, EngineState, StageHealth, CycleOptions, CycleRecords, EngineObserver, OrchSettings, BacktestDriver } from './kernel/engine.ts';
export type { CycleResult, StageResult, CycleStatus, StageStatus } from './kernel/cycle-result.ts';

// The stage contract: what a stage is, what it sees, what each stage hands the next.
export { STAGE_ORDER } from './kernel/stage-contract.ts';
export type { Stage, StageName, StageContext, StageOutputs, StageSet, CycleTrigger, RunMode, KillSwitchGuard } from './kernel/stage-contract.ts';
export { buildStageSpecs } from './kernel/stage-spec.ts';
export type { StageSpec, StageSpecInput, FailureMode, GateName } from './kernel/stage-spec.ts';
export type { RetryPolicy } from './kernel/retry-policy.ts';

// Strategies: a pack declares its features and decides a direction per bar.
export { defineStrategyPack } from './stages/sig/strategy-pack.ts';
export type { StrategyPack, Decision, StrategyMemory, TradingView } from './stages/sig/strategy-pack.ts';
export { resolvePack, createStrategyRegistry, StrategyRegistry } from './stages/sig/registry.ts';
export type { ResolvedStrategy, StrategyInfo } from './stages/sig/registry.ts';
export type { FeatureSpec, IndicatorSpec, BarIndicator, BarField } from './domain/feature-spec.ts';
export type { FeatureVector, FeatureSet } from './domain/features.ts';
export { loadStrategyFile } from './adapters/strategy/strategy-file.ts';
export type { StrategyFile } from './adapters/strategy/strategy-file.ts';
export { smaCross } from './stages/sig/builtin/sma-cross.ts';
export { closeSma } from './stages/sig/builtin/close-sma.ts';
export { rsiReversion } from './stages/sig/builtin/rsi.ts';

// The default stage engines (replace one, keep the rest: assemblePipeline's `stages`).
export { IngestStage } from './stages/ing/ingest-stage.ts';
export { FeatureStage } from './stages/feat/feature-stage.ts';
export { SignalStage } from './stages/sig/signal-stage.ts';
export { RiskStage } from './stages/risk/risk-stage.ts';
export { DEFAULT_POLICY_CHAIN } from './stages/risk/chain.ts';
export { PASS, deny } from './stages/risk/policy.ts';
export type { RiskPolicy, RiskPolicyContext, PolicyResult, ProposedOrder, RiskConfig } from './stages/risk/policy.ts';
export type { SizingConfig } from './stages/risk/sizing.ts';
export { ExecStage } from './stages/exec/exec-stage.ts';
export { PortfolioStage } from './stages/port/portfolio-stage.ts';
export { AnalyticsStage } from './stages/ana/analytics-stage.ts';
export { AuditStage } from './stages/audit/audit-stage.ts';

// Adapter ports and the default adapters.
export type { BarSource, BarBatch } from './stages/ing/bar-source.ts';
export type { BrokerAdapter } from './stages/exec/broker-adapter.ts';
export type { RunStore } from './kernel/run-store.ts';
export type { OrderStore } from './stages/exec/order-store.ts';
export type { LedgerStore } from './stages/port/ledger-store.ts';
export { ArrayBarSource } from './adapters/data/array-bar-source.ts';
export { FileReplaySource } from './adapters/data/file-replay-source.ts';
export { readBarsFile } from './adapters/data/csv-bars.ts';
export { PaperBroker } from './adapters/venue/paper-broker.ts';

// Assembly: a mode's pipeline in one call, and a backtest as one run.
export { assemblePipeline } from './modes/assemble.ts';
export type { PipelineInput, Pipeline, PipelineStores } from './modes/assemble.ts';
export { memoryStores } from './modes/memory-stores.ts';
export { runBacktest } from './modes/backtest/backtest-driver.ts';
export { DefaultBacktestDriver } from './modes/backtest/backtest-request.ts';
export type { BacktestConfig, BacktestDeps, BacktestResult, BacktestFill, BacktestArtifacts } from './modes/backtest/backtest-driver.ts';
export { openDatabase } from './persistence/database.ts';
export type { OrdinisDatabase, OpenDatabaseOptions } from './persistence/database.ts';

// Configuration.
export { loadConfig } from './config/load.ts';
export type { LoadConfigOptions, LoadedConfig } from './config/load.ts';
export type { OrdinisConfig } from './config/schema.ts';

// Errors: one catalogue of stable codes.
export { OrdinisError, ERROR_CATALOG, isOrdinisError } from './errors.ts';
export type { ErrorCode } from './errors.ts';

// Domain types a user's code reads or writes.
export type { Bar, MarketSnapshot } from './domain/market.ts';
export type { Signal, Direction } from './domain/signal.ts';
export type { RiskDecision, RiskReasonCode, BuiltInRiskReasonCode, CustomRiskReasonCode } from './domain/risk.ts';
export type { OrderIntent, Fill, ExecutionReport, ExecutionBatch, OrderSide, OrderRequest, OrderType, TimeInForce } from './domain/order.ts';
export type { AccountView, Position, PortfolioSnapshot, BookView, PositionDetail } from './domain/portfolio.ts';
export type { Kpis, AnalyticsReport, QualityFlag, AuditCompleteness } from './domain/analytics.ts';
export type { CommissionModel } from './domain/commission.ts';
export type { ClosedTrade } from './stages/ana/trades.ts';
export type { EquityPoint } from './stages/ana/equity-curve.ts';

// Time and randomness, injected: a fixed or hand-moved clock and a seeded source make a run repeatable.
export { ManualClock, systemClock } from './core/clock.ts';
export type { Clock } from './core/clock.ts';
export { SeededRandom } from './core/random.ts';
export type { RandomSource } from './core/random.ts';
