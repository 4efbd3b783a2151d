// The effectful side of the interactive report: reading what its analysis needs. The run's
// whole equity curve comes from the database (the artifacts hold only the chart curve); the
// traded bars are read again from the run's data files, a symbol at a time, bar by bar (only
// the closes and the indicator values are kept: 8 bytes a bar each), and the
// strategy's indicators are computed on them by FEAT's own feature plan (the same values the
// strategy saw); the benchmark is buy and hold of those bars or a file of its own. The
// analysis itself is pure (analysis/report-analysis.ts).

import { CsvBarReader, symbolFromPath } from '../../../adapters/data/csv-bars.ts';
import type { BadRowPolicy } from '../../../adapters/data/strict-row.ts';
import type { FeatureSpec } from '../../../domain/feature-spec.ts';
import type { Bar } from '../../../domain/market.ts';
import type { OrdinisDatabase } from '../../../persistence/database.ts';
import { computeFeature, createFeatureStates, planFeatures } from '../../../stages/feat/feature-plan.ts';
import type { PriceSeries } from './analysis/benchmark.ts';
import type { IndicatorSeries, ReportAnalysisInputs, SymbolPrices } from './analysis/report-analysis.ts';
import type { EquityPoint } from './html-report.ts';

/** The bars a run read, as it read them. */
export interface RunBarFiles {
  dataFiles: readonly string[];
  symbols?: readonly string[] | undefined;
  from?: string | undefined;
  to?: string | undefined;
  policy: BadRowPolicy;
}

/** Feature kinds that are not worth a line: a crossover is a -1/0/1 signal, a field is the bar itself. */
const NOT_DRAWN = new Set(['crossover', 'field']);

/** The run's whole curve from the database, or `fallback` (the chart curve) when none is stored. */
export function readWholeCurve(db: OrdinisDatabase | undefined, runId: string, fallback: readonly EquityPoint[]): ReportAnalysisInputs['curve'] {
  const count = db ? db.equityCurves.count(runId) : 0;
  if (!db || count === 0) return { ts: fallback.map((p) => p.ts), value: fallback.map((p) => p.value) };
  const ts = new Float64Array(count);
  const value = new Float64Array(count);
  let i = 0;
  db.equityCurves.forEach(runId, (t, v) => {
    ts[i] = t;
    value[i] = v;
    i++;
  });
  return { ts: ts.subarray(0, i), value: value.subarray(0, i) };
}

/** Visits the bars of one file in the run's window, one at a time (no array of bars is kept). */
function eachBar(file: string, symbol: string, files: RunBarFiles, visit: (bar: Bar) => void): void {
  const reader = CsvBarReader.open(file, {
    symbol,
    policy: files.policy,
    ...(files.from !== undefined ? { from: files.from } : {}),
    ...(files.to !== undefined ? { to: files.to } : {}),
  });
  try {
    for (let b = reader.next(); b !== undefined; b = reader.next()) visit(b);
  } finally {
    reader.close();
  }
}

/**
 * The strategy's features fed a bar at a time, each drawable slot kept as a series (NaN in
 * warm-up): FEAT's own plan, so the lines are the values the strategy saw.
 */
export function indicatorTracker(features: readonly FeatureSpec[]): { step(bar: Bar): void; series(): IndicatorSeries[] } {
  if (features.length === 0) return { step() {}, series: () => [] };
  const plan = planFeatures(features);
  const states = createFeatureStates(plan);
  const values: (number | undefined)[] = plan.names.map(() => undefined);
  const skip = new Set(features.filter((f) => NOT_DRAWN.has(f.kind)).map((f) => f.name));
  // Only the drawn slots keep their values; the others are computed (later slots read them) and dropped.
  const out = plan.names.map((name): number[] | null => (skip.has(name) ? null : []));
  return {
    step(bar) {
      for (let k = 0; k < plan.names.length; k++) {
        const v = computeFeature(plan, k, states[k], bar, values);
        values[k] = v;
        out[k]?.push(v ?? NaN);
      }
    },
    series: () => plan.names.flatMap((name, k) => (out[k] ? [{ name, values: out[k] }] : [])),
  };
}

/** The strategy's features over bars already in memory (tests, small inputs). */
export function indicatorsOver(bars: readonly Bar[], features: readonly FeatureSpec[]): IndicatorSeries[] {
  const t = indicatorTracker(features);
  for (const b of bars) t.step(b);
  return t.series();
}

/** One file's closes, and the strategy's indicators on its bars, read in one pass. */
function readPrices(file: string, symbol: string, files: RunBarFiles, features: readonly FeatureSpec[]): SymbolPrices {
  const ts: number[] = [];
  const close: number[] = [];
  const tracker = indicatorTracker(features);
  eachBar(file, symbol, files, (b) => {
    ts.push(b.ts);
    close.push(b.close);
    tracker.step(b);
  });
  return { symbol, ts, close, indicators: tracker.series() };
}

/** Each traded symbol's closes and the strategy's indicators on its bars. */
export function readSymbolPrices(files: RunBarFiles, features: readonly FeatureSpec[]): SymbolPrices[] {
  return files.dataFiles.map((file, i) => readPrices(file, files.symbols?.[i] ?? symbolFromPath(file), files, features));
}

/** `--benchmark FILE`: its closes over the run's window, named by the file's stem. */
export function readBenchmarkFile(file: string, files: RunBarFiles): { label: string; series: PriceSeries[] } {
  const symbol = symbolFromPath(file);
  const { ts, close } = readPrices(file, symbol, files, []);
  return { label: `${symbol} (buy and hold)`, series: [{ ts, close }] };
}

/** The default benchmark: buy and hold of the traded symbols, equal weights. */
export function buyAndHoldOf(prices: readonly SymbolPrices[]): { label: string; series: PriceSeries[] } {
  const names = prices.map((p) => p.symbol).join(', ');
  return { label: prices.length === 1 ? `${names} buy and hold` : `Buy and hold ${names} (equal weights)`, series: [...prices] };
}

/** Checked before the run: a benchmark file that cannot be read must not cost a whole backtest. */
export function checkBenchmarkFile(file: string, policy: BadRowPolicy): void {
  CsvBarReader.open(file, { symbol: symbolFromPath(file), policy }).close();
}

/** What the command knows after a run, for `reportAnalysisInputs`. */
export interface FinishedRun {
  db: OrdinisDatabase | undefined;
  runId: string;
  /** The chart curve (the artifacts'): the curve when the database holds none. */
  chartCurve: readonly EquityPoint[];
  files: RunBarFiles;
  features: readonly FeatureSpec[];
  /** `--benchmark FILE`, or undefined for buy and hold of the traded symbols. */
  benchmarkFile: string | undefined;
  startingCash: number;
  configuredPeriodsPerYear: number;
  symbols: readonly string[];
  trades: ReportAnalysisInputs['trades'];
  fills: ReportAnalysisInputs['fills'];
}

/** Everything the analysis reads, gathered from the database and the files. */
export function reportAnalysisInputs(run: FinishedRun): ReportAnalysisInputs {
  const prices = readSymbolPrices(run.files, run.features);
  return {
    curve: readWholeCurve(run.db, run.runId, run.chartCurve),
    startingCash: run.startingCash,
    configuredPeriodsPerYear: run.configuredPeriodsPerYear,
    prices,
    benchmark: run.benchmarkFile !== undefined ? readBenchmarkFile(run.benchmarkFile, run.files) : buyAndHoldOf(prices),
    symbols: run.symbols,
    trades: run.trades,
    fills: run.fills,
  };
}
