// The package's two entry points export exactly these names: adding or removing one is a
// deliberate change to the public API, made here too. Types are read with the TypeScript
// compiler (they leave nothing at run time); values are checked by importing the modules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import ts from 'typescript';

const SRC = join(import.meta.dirname, '..', '..', 'src');

const MAIN_VALUES = [
  'AnalyticsStage', 'ArrayBarSource', 'AuditStage', 'DEFAULT_POLICY_CHAIN', 'DefaultBacktestDriver', 'ERROR_CATALOG', 'ExecStage', 'FeatureStage', 'FileReplaySource',
  'IngestStage', 'ManualClock', 'OrchestrationEngine', 'OrdinisError', 'PASS', 'PaperBroker', 'PortfolioStage', 'RiskStage', 'STAGE_ORDER',
  'SeededRandom', 'SignalStage', 'StrategyRegistry', 'assemblePipeline', 'buildStageSpecs', 'closeSma', 'createStrategyRegistry',
  'defineStrategyPack', 'deny', 'isOrdinisError', 'loadConfig', 'loadStrategyFile', 'memoryStores', 'openDatabase', 'readBarsFile', 'resolvePack', 'rsiReversion',
  'runBacktest', 'smaCross', 'systemClock',
];
const MAIN_TYPES = [
  'AccountView', 'AnalyticsReport', 'AuditCompleteness', 'BacktestArtifacts', 'BacktestConfig', 'BacktestDeps', 'BacktestDriver', 'BacktestFill',
  'BacktestResult', 'Bar', 'BarBatch', 'BarField', 'BarIndicator', 'BarSource', 'BookView', 'BrokerAdapter', 'BuiltInRiskReasonCode', 'Clock',
  'ClosedTrade', 'CommissionModel', 'CustomRiskReasonCode', 'CycleOptions', 'CycleRecords', 'CycleResult', 'CycleStatus', 'CycleTrigger', 'Decision',
  'Direction', 'EngineObserver', 'EngineOptions', 'EngineState', 'EngineStatus', 'EquityPoint', 'ErrorCode', 'ExecutionBatch', 'ExecutionReport',
  'FailureMode', 'FeatureSet', 'FeatureSpec', 'FeatureVector', 'Fill', 'GateName', 'IndicatorSpec', 'KillSwitchGuard', 'Kpis', 'LedgerStore',
  'LoadConfigOptions', 'LoadedConfig', 'MarketSnapshot', 'OpenDatabaseOptions', 'OrchSettings', 'OrderIntent', 'OrderRequest', 'OrderSide',
  'OrderStore', 'OrderType', 'OrdinisConfig', 'OrdinisDatabase', 'Pipeline', 'PipelineInput', 'PipelineStores', 'PolicyResult', 'PortfolioSnapshot',
  'Position', 'PositionDetail', 'ProposedOrder', 'QualityFlag', 'RandomSource', 'ResolvedStrategy', 'RetryPolicy', 'RiskConfig', 'RiskDecision',
  'RiskPolicy', 'RiskPolicyContext', 'RiskReasonCode', 'RunMode', 'RunStore', 'Signal', 'SizingConfig', 'Stage', 'StageContext', 'StageHealth',
  'StageName', 'StageOutputs', 'StageResult', 'StageSet', 'StageSpec', 'StageSpecInput', 'StageStatus', 'StrategyFile', 'StrategyInfo',
  'StrategyMemory', 'StrategyPack', 'TimeInForce', 'TradingView',
];
const TESTING_VALUES = ['barsFromCloses', 'barsFromRows', 'runStrategy'];
const TESTING_TYPES = ['BarsOptions', 'OhlcvRow', 'RunStrategyOptions', 'StrategyRun'];

/** Every name the module exports, values and types, as the compiler sees it. */
function exportedNames(file: string): string[] {
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    allowImportingTsExtensions: true,
    noEmit: true,
    strict: true,
    skipLibCheck: true,
    types: ['node'],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  assert.ok(source, `${file} is part of the program`);
  const mod = checker.getSymbolAtLocation(source);
  assert.ok(mod, `${file} is a module`);
  return checker.getExportsOfModule(mod).map((s) => s.name).sort();
}

const sorted = (xs: readonly string[]) => [...xs].sort();

test('ordinis-orch (src/index.ts) exports exactly the public API', async () => {
  assert.deepEqual(exportedNames(join(SRC, 'index.ts')), sorted([...MAIN_VALUES, ...MAIN_TYPES]));
  const mod = await import('../../src/index.ts');
  assert.deepEqual(Object.keys(mod).sort(), sorted(MAIN_VALUES));
  for (const k of MAIN_VALUES) assert.notEqual((mod as Record<string, unknown>)[k], undefined, k);
});

test('ordinis-orch/testing (src/testing/index.ts) exports exactly the test helpers', async () => {
  assert.deepEqual(exportedNames(join(SRC, 'testing', 'index.ts')), sorted([...TESTING_VALUES, ...TESTING_TYPES]));
  const mod = await import('../../src/testing/index.ts');
  assert.deepEqual(Object.keys(mod).sort(), sorted(TESTING_VALUES));
});
