// Everything the interactive report shows beyond the run's own result, computed from the run's
// whole equity curve, the traded bars (with the strategy's indicators on them), the benchmark,
// the closed trades and the fills. A pure function: the command's shell (report-inputs.ts)
// reads the files and the database; this only computes, so the same inputs always give the
// same report. Series meant for a chart are cut down to MAX_CHART_POINTS here (min/max
// buckets keep every spike), so the page stays a few megabytes at most however long the run.

import { MAX_CHART_POINTS, downsampleMinMax } from '../downsample.ts';
import { alphaBeta, buyAndHold, type BenchmarkRelation, type PriceSeries } from './benchmark.ts';
import { inferBarFrequency, type BarFrequency } from './bar-frequency.ts';
import { drawdownPeriods, worstDrawdowns, type DrawdownPeriod } from './drawdown-periods.ts';
import { barReturns, calendarReturns, type CalendarReturns } from './period-returns.ts';
import { returnHistogram, type ReturnHistogram } from './return-distribution.ts';
import { rollingPoints, rollingSharpe, rollingWindowFor, type RollingPoint } from './rolling-stats.ts';
import { bySymbol, tradeStats, type FillOutcome, type SymbolBreakdown, type TradeOutcome, type TradeStats } from './trade-stats.ts';

/** How many of the deepest drawdowns the report lists. */
export const WORST_DRAWDOWNS = 5;
/** At most this many entry/exit markers per symbol's price chart (evenly picked beyond it). */
export const MAX_MARKERS = 2000;
/** At most this many symbols get a price chart (a run over hundreds of symbols would make a huge page). */
export const MAX_PRICE_CHARTS = 8;

/** One indicator of the strategy over a symbol's bars: NaN where it had no value yet (warm-up). */
export interface IndicatorSeries {
  name: string;
  values: ArrayLike<number>;
}

/** A traded symbol's bars and the strategy's indicators on them. */
export interface SymbolPrices extends PriceSeries {
  symbol: string;
  indicators: readonly IndicatorSeries[];
}

/** A fill as the markers need it. */
export interface MarkerFill extends FillOutcome {
  ts: number;
  side: 'buy' | 'sell';
  price: number;
}

export interface ReportAnalysisInputs {
  /** The run's whole equity curve, a point per bar, times ascending. */
  curve: { ts: ArrayLike<number>; value: ArrayLike<number> };
  startingCash: number;
  /** ANA_PERIODS_PER_YEAR: used when the curve is too short to infer a frequency, and shown beside the inferred one. */
  configuredPeriodsPerYear: number;
  prices: readonly SymbolPrices[];
  /** The benchmark's series and what it is (the default: buy and hold of `prices`). */
  benchmark: { label: string; series: readonly PriceSeries[] };
  symbols: readonly string[];
  trades: readonly TradeOutcome[];
  fills: readonly MarkerFill[];
}

export interface ChartLine {
  name: string;
  /** [time ms, value]; value null where the line has a gap. */
  points: [number, number | null][];
}

export interface PriceChart {
  symbol: string;
  close: [number, number][];
  /** Indicators drawn over the price (on its scale). */
  overlays: ChartLine[];
  /** Indicators on their own scale (oscillators, signals), drawn below the price. */
  panels: ChartLine[];
  buys: [number, number][];
  sells: [number, number][];
  /** Fills not drawn because there were more than MAX_MARKERS. */
  markersLeftOut: number;
}

export interface ReportAnalysis {
  frequency: BarFrequency & { configured: number };
  benchmark: { label: string; relation: BenchmarkRelation };
  /** Strategy and benchmark values at the same (downsampled) times, and the strategy's drawdown. */
  equityChart: { strategy: [number, number][]; benchmark: [number, number][]; drawdownPct: [number, number][] };
  calendar: CalendarReturns;
  worstDrawdowns: DrawdownPeriod[];
  rolling: { window: number; points: RollingPoint[] };
  distribution: ReturnHistogram;
  trades: TradeStats;
  perSymbol: SymbolBreakdown[];
  priceCharts: PriceChart[];
  /** Symbols traded but not charted (beyond MAX_PRICE_CHARTS). */
  priceChartsLeftOut: number;
}

/** The whole analysis of a run. */
export function analyseRun(inp: ReportAnalysisInputs, maxPoints: number = MAX_CHART_POINTS): ReportAnalysis {
  const { ts, value } = inp.curve;
  const frequency = { ...inferBarFrequency(ts, inp.configuredPeriodsPerYear), configured: inp.configuredPeriodsPerYear };
  const ppy = frequency.periodsPerYear;
  const bench = buyAndHold(inp.benchmark.series, ts, inp.startingCash);
  const returns = barReturns(value);
  const window = rollingWindowFor(ppy);
  const rolling = rollingSharpe(ts, returns, window, ppy);
  return {
    frequency,
    benchmark: { label: inp.benchmark.label, relation: alphaBeta(value, bench, ppy) },
    equityChart: equityChart(ts, value, bench, maxPoints),
    calendar: calendarReturns(ts, value),
    worstDrawdowns: worstDrawdowns(drawdownPeriods(ts, value), WORST_DRAWDOWNS),
    rolling: { window, points: rollingPoints(rolling, pickIndices(rolling.ts.length, (i) => (Number.isNaN(rolling.sharpe[i]!) ? 0 : rolling.sharpe[i]!), maxPoints)) },
    distribution: returnHistogram(returns),
    trades: tradeStats(inp.trades),
    perSymbol: bySymbol(inp.symbols, inp.trades, inp.fills),
    priceCharts: inp.prices.slice(0, MAX_PRICE_CHARTS).map((p) => priceChart(p, inp.fills, maxPoints)),
    priceChartsLeftOut: Math.max(0, inp.prices.length - MAX_PRICE_CHARTS),
  };
}

/** Indices 0..n-1 cut down by min/max buckets of `valueOf(i)`. */
function pickIndices(n: number, valueOf: (i: number) => number, maxPoints: number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  return downsampleMinMax(all, valueOf, maxPoints);
}

/** Keeps the strategy's spikes (half the points) and its drawdown's troughs (the other half). */
function equityChart(ts: ArrayLike<number>, value: ArrayLike<number>, bench: Float64Array, maxPoints: number): ReportAnalysis['equityChart'] {
  const dd = new Float64Array(value.length);
  let peak = -Infinity;
  for (let i = 0; i < value.length; i++) {
    if (value[i]! > peak) peak = value[i]!;
    dd[i] = peak > 0 ? -(1 - value[i]! / peak) * 100 : 0;
  }
  const half = Math.max(4, Math.floor(maxPoints / 2));
  const picked = new Set([...pickIndices(value.length, (i) => value[i]!, half), ...pickIndices(value.length, (i) => dd[i]!, half)]);
  const idx = [...picked].sort((a, b) => a - b);
  return {
    strategy: idx.map((i) => [ts[i]!, value[i]!]),
    benchmark: idx.map((i) => [ts[i]!, bench[i]!]),
    drawdownPct: idx.map((i) => [ts[i]!, dd[i]!]),
  };
}

/** How far, at the median bar, a line may sit from the close and still be drawn over the price. */
export const PRICE_SCALE_TOLERANCE = 0.15;

/**
 * An indicator belongs over the price when it tracks the price bar by bar (a moving average,
 * a band: at the median bar within PRICE_SCALE_TOLERANCE of the close); otherwise (RSI, a
 * MACD) it gets its own panel. Judged from the values, so it needs no list of indicator kinds
 * and holds for a user's own features too.
 */
export function isPriceScale(values: ArrayLike<number>, close: ArrayLike<number>): boolean {
  const gaps: number[] = [];
  for (let i = 0; i < Math.min(values.length, close.length); i++) {
    if (Number.isFinite(values[i]!) && close[i]! > 0) gaps.push(Math.abs(values[i]! / close[i]! - 1));
  }
  if (gaps.length === 0) return false;
  gaps.sort((x, y) => x - y);
  return gaps[gaps.length >> 1]! <= PRICE_SCALE_TOLERANCE;
}

function priceChart(p: SymbolPrices, fills: readonly MarkerFill[], maxPoints: number): PriceChart {
  const idx = pickIndices(p.ts.length, (i) => p.close[i]!, maxPoints);
  const line = (ind: IndicatorSeries): ChartLine => ({
    name: ind.name,
    points: idx.map((i) => [p.ts[i]!, Number.isFinite(ind.values[i]!) ? ind.values[i]! : null]),
  });
  const own = fills.filter((f) => f.symbol === p.symbol);
  const kept = evenly(own, MAX_MARKERS);
  return {
    symbol: p.symbol,
    close: idx.map((i) => [p.ts[i]!, p.close[i]!]),
    overlays: p.indicators.filter((ind) => isPriceScale(ind.values, p.close)).map(line),
    panels: p.indicators.filter((ind) => !isPriceScale(ind.values, p.close)).map(line),
    buys: kept.filter((f) => f.side === 'buy').map((f) => [f.ts, f.price]),
    sells: kept.filter((f) => f.side === 'sell').map((f) => [f.ts, f.price]),
    markersLeftOut: own.length - kept.length,
  };
}

/** At most `max` items of `xs`, evenly spread, first and last included. */
function evenly<T>(xs: readonly T[], max: number): T[] {
  if (xs.length <= max) return [...xs];
  const out: T[] = [];
  for (let k = 0; k < max; k++) out.push(xs[Math.round((k * (xs.length - 1)) / (max - 1))]!);
  return out;
}
