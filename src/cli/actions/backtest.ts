// `ordinis backtest` (its options: commands/backtest.ts): the main job. Parses the contract's
// flags into a BacktestConfig, runs it through the default pipeline, prints JSON (--json) or a
// readable summary, and writes an HTML report on request.

import { OrdinisError } from '../../errors.ts';
import type { Command } from 'commander';
import { createBus, createModeEmitter } from '../../bus/create-bus.ts';
import { SeededRandom } from '../../core/random.ts';
import type { BacktestArtifacts, BacktestConfig, BacktestResult } from '../../modes/backtest/backtest-driver.ts';
import { DefaultBacktestDriver, backtestHostEngine } from '../../modes/backtest/backtest-request.ts';
import { denialsMostFirst, renderHtmlReport } from '../../modes/backtest/report/html-report.ts';
import { formatTimestamp } from '../../modes/backtest/report/format.ts';
import { checkReportPath, writeReportFile } from '../../modes/backtest/report/report-file.ts';
import { checkBenchmarkFile, reportAnalysisInputs } from '../../modes/backtest/report/report-inputs.ts';
import { analyseRun } from '../../modes/backtest/report/analysis/report-analysis.ts';
import { readChartLibrary } from '../../modes/backtest/report/interactive/chart-library.ts';
import { createStrategyRegistry } from '../../stages/sig/registry.ts';
import { createEngineObserver } from '../../observability/engine-observer.ts';
import { createOrchMetrics } from '../../observability/metrics.ts';
import { setupTracing, tracingOptionsFromConfig } from '../../observability/tracing.ts';
import { buildInfo } from '../../core/build-info.ts';
import { systemClock } from '../../core/clock.ts';
import { createProgressBar } from '../progress.ts';
import { makeContext, type GlobalOptions } from '../context.ts';
import { modeForCommand } from '../../modes/mode-table.ts';
import { configOverridesOf, toBacktestConfig, type PipelineFlags } from '../pipeline-options.ts';
import { loadCliStrategy } from '../pipeline-strategy.ts';
import { commissionModelOf } from '../../domain/commission.ts';
import { CYCLE_RECORDS } from '../../kernel/cycle-state.ts';

export interface BacktestFlags extends PipelineFlags {
  report?: string;
  benchmark?: string;
  json?: boolean;
  cycleRecords: string;
  cycleTelemetry?: boolean;
}

export async function runBacktestCommand(flags: BacktestFlags, cmd: Command): Promise<void> {
  const g = cmd.optsWithGlobals() as GlobalOptions;
  // The dev profile unless one is chosen: a backtest has no drawdown guard by default (profiles.ts).
  const ctx = makeContext({ ...g, ...(flags.db ? { db: flags.db } : {}) }, configOverridesOf(flags), 'dev');
  // The command is the mode; an ORCH_MODE set to another one refuses (mode-table.ts).
  modeForCommand('backtest', ctx.loaded);
  const parsed = toBacktestConfig(flags, ctx.config.BROKER_STARTING_CASH, commissionModelOf(ctx.config.EXEC_COMMISSION_MODEL, ctx.config.EXEC_COMMISSION_VALUE), {
    strategy: ctx.config.SIG_STRATEGY,
    params: ctx.config.SIG_STRATEGY_PARAMS,
  });
  // A strategy file is loaded and resolved before the database opens: a bad one leaves no run row.
  const strategy = await loadCliStrategy(parsed.strategy, parsed.strategyParams);
  const bt = { ...parsed, strategy: strategy.id };
  const cycleRecords = CYCLE_RECORDS.find((m) => m === flags.cycleRecords);
  if (!cycleRecords) {
    throw new OrdinisError('E_CFG_INVALID', `--cycle-records ${JSON.stringify(flags.cycleRecords)}: expected ${CYCLE_RECORDS.join(', ')}`);
  }
  // Before the run: a report that cannot be written must not cost a whole backtest.
  if (flags.report !== undefined) checkReportPath(flags.report);
  if (flags.benchmark !== undefined) {
    if (flags.report === undefined) throw new OrdinisError('E_CFG_INVALID', `--benchmark ${flags.benchmark}: a benchmark is drawn in the report; give --report too`);
    checkBenchmarkFile(flags.benchmark, ctx.config.ING_BAD_ROW_POLICY);
  }
  // The strategy's features, for the report's indicator lines (a built-in is resolved as the run resolves it).
  const features = flags.report === undefined ? [] : strategy.kind === 'file' ? strategy.resolved.features : createStrategyRegistry().resolve(bt.strategy, bt.strategyParams).features;
  const db = ctx.openDb();
  const progress = flags.json ? { update() {}, finish() {} } : createProgressBar();
  const info = buildInfo();
  // The SDK is wired here, at the edge; engines only use @opentelemetry/api.
  const tracing = setupTracing({ ...tracingOptionsFromConfig(ctx.config), serviceVersion: info.codeVersion });
  // The mode's bus. Nothing in this command listens, so the engine's events cost a lookup
  // each; the emitter has its own seeded source, so the run's own draws are untouched.
  const bus = createBus(ctx.config, { clock: systemClock });
  const events = createModeEmitter({ bus, config: ctx.config, clock: systemClock, random: new SeededRandom(bt.seed ?? ctx.config.ORCH_SEED), source: 'orch.backtest', venue: 'backtest' });
  try {
    // Through the engine's runBacktest, the one path a backtest takes (a requested one too).
    let out: { result: BacktestResult; artifacts: BacktestArtifacts } | undefined;
    const driver = new DefaultBacktestDriver({
      config: ctx.config,
      db,
      events,
      observer: createEngineObserver({ metrics: createOrchMetrics(), logger: ctx.logger }),
      onProgress: (d, t) => progress.update(d, t),
      cycleRecords,
      cycleTelemetry: flags.cycleTelemetry === true,
      codeVersion: info.codeVersion,
      commitHash: info.commitHash,
      ...(strategy.kind === 'file' ? { registry: strategy.registry } : {}),
    }, (o) => (out = o));
    const host = backtestHostEngine(ctx.config, driver);
    try {
      await host.runBacktest(bt as unknown as Record<string, unknown>);
    } finally {
      await host.stop();
    }
    const { result, artifacts } = out!;
    progress.finish();
    if (flags.report) {
      const trades = artifacts.closedTrades;
      const fills = result.fills.map((f) => ({ ...f, ts: Date.parse(f.ts) }));
      // A file that went bad since the run read it fails the report, not the recorded run (writeReport says so).
      const analysis = () => analyseRun(
        reportAnalysisInputs({
          db,
          runId: result.runId,
          chartCurve: artifacts.equity,
          files: { dataFiles: bt.dataFiles, symbols: bt.symbols, from: bt.from, to: bt.to, policy: ctx.config.ING_BAD_ROW_POLICY },
          features,
          benchmarkFile: flags.benchmark,
          startingCash: bt.cash,
          configuredPeriodsPerYear: ctx.config.ANA_PERIODS_PER_YEAR,
          symbols: result.symbols,
          trades,
          fills,
        }),
      );
      writeReport(
        flags.report,
        result,
        db.path,
        () => renderHtmlReport({
          runId: result.runId,
          title: `Backtest ${bt.strategy} on ${result.symbols.join(', ')}`,
          generatedFor: { strategy: result.strategy.id, params: result.strategy.params, symbols: result.symbols, from: bt.from ?? null, to: bt.to ?? null, startingCash: bt.cash },
          status: result.status,
          finalCash: result.finalCash,
          finalValue: result.finalValue,
          kpis: result.kpis ?? emptyKpis(),
          quality: result.quality,
          equity: [...artifacts.equity],
          trades: trades.map((t) => ({
            symbol: t.symbol,
            openTs: t.openTs,
            closeTs: t.closeTs,
            qty: t.maxQty,
            entryPrice: t.entryPrice,
            exitPrice: t.maxQty ? t.entryPrice + t.pnlGross / t.maxQty : t.entryPrice,
            pnlGross: t.pnlGross,
            pnlNet: t.pnlNet,
          })),
          fills,
          orders: result.orders,
          ordersRejected: result.ordersRejected,
          riskDenials: result.riskDenials,
        }, { analysis: analysis(), chartLibrary: readChartLibrary() }),
      );
    }
    if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write(formatSummary(result, bt, flags.report, db.path));
    process.exitCode = result.status === 'ok' ? 0 : 1;
  } finally {
    bus.close();
    db.close();
    await tracing.shutdown();
  }
}




/** The report, or its error (E_REPORT_WRITE_FAILED, a data file's) saying the run itself finished and where it is recorded. */
function writeReport(path: string, result: BacktestResult, dbPath: string, render: () => string): void {
  try {
    writeReportFile(path, render());
  } catch (e) {
    if (!(e instanceof OrdinisError)) throw e;
    throw new OrdinisError(e.code, `${e.message.slice(`${e.code}: `.length)} (run ${result.runId} finished ${result.status}; it is recorded in ${dbPath})`, {
      cause: e.cause,
      details: { ...e.details, runId: result.runId },
    });
  }
}

function formatSummary(r: BacktestResult, bt: BacktestConfig, report: string | undefined, dbPath: string): string {
  const money = (x: number) => x.toFixed(2);
  const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${x.toFixed(2)}%`);
  const k = r.kpis;
  const lines = [
    `run        ${r.runId}  (${r.status})`,
    `strategy   ${r.strategy.id} ${Object.entries(r.strategy.params).map(([k, v]) => `${k}=${String(v)}`).join(' ')}  on ${r.symbols.join(', ')}`,
    `bars       ${r.bars}`,
    `orders     ${r.orders} (filled ${r.ordersFilled}, rejected ${r.ordersRejected}, unfilled ${r.ordersUnfilled})`,
    `trades     ${r.trades}`,
    `cash       ${money(bt.cash)} -> ${money(r.finalCash)}`,
    `value      ${money(r.finalValue)}  (return ${pct(r.totalReturnPct)})`,
    `max DD     ${pct(r.maxDrawdownPct)}`,
    `commission ${money(r.totalCommission)}`,
  ];
  if (k) lines.push(`sharpe     ${k.sharpe === null ? '—' : k.sharpe.toFixed(2)}   sortino ${k.sortino === null ? '—' : k.sortino.toFixed(2)}   win rate ${pct(k.winRatePct)}`);
  lines.push(`risk       ${riskDenialsLine(r.riskDenials)}`);
  if (r.quality.length) lines.push(`quality    ${r.quality.join(', ')}`);
  if (r.error) lines.push(`error      ${r.error.code}: ${r.error.message}`);
  lines.push(`database   ${dbPath}`);
  if (report) lines.push(`report     ${report}`);
  return `${lines.join('\n')}\n`;
}

/** RISK's denials in one line, most first: "denied RISK.DRAWDOWN.MAX_DRAWDOWN_BREACH 12 (first 1996-07-11), ..." or "no denials". */
function riskDenialsLine(denials: BacktestResult['riskDenials']): string {
  const rows = denialsMostFirst(denials);
  if (rows.length === 0) return 'no denials';
  return `denied ${rows.map(([code, d]) => `${code} ${d.count} (first ${formatTimestamp(Date.parse(d.firstDate))})`).join(', ')}`;
}

function emptyKpis(): NonNullable<BacktestResult['kpis']> {
  return {
    totalReturnPct: 0, annualizedReturnPct: null, volatilityPct: null, sharpe: null, sortino: null, maxDrawdownPct: 0, maxDrawdownMoney: 0,
    calmar: null, winRatePct: null, profitFactor: null, exposurePct: 0, turnover: 0, fees: 0, trades: 0, bars: 0,
  };
}
