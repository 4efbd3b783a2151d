// The report's computations on inputs whose answers are known by hand.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { YEAR_MS, describeSpacing, inferBarFrequency } from '../../../../../src/modes/backtest/report/analysis/bar-frequency.ts';
import { barReturns, calendarReturns } from '../../../../../src/modes/backtest/report/analysis/period-returns.ts';
import { drawdownPeriods, worstDrawdowns } from '../../../../../src/modes/backtest/report/analysis/drawdown-periods.ts';
import { alphaBeta, buyAndHold } from '../../../../../src/modes/backtest/report/analysis/benchmark.ts';
import { rollingPoints, rollingSharpe, rollingWindowFor } from '../../../../../src/modes/backtest/report/analysis/rolling-stats.ts';
import { returnHistogram } from '../../../../../src/modes/backtest/report/analysis/return-distribution.ts';
import { bySymbol, longestStreaks, tradeStats } from '../../../../../src/modes/backtest/report/analysis/trade-stats.ts';

const DAY = 86_400_000;
const close = (a: number, b: number, eps = 1e-9): void => assert.ok(Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `${a} ≈ ${b}`);

describe('inferBarFrequency', () => {
  test('5-minute bars around the clock for a year are 105,192 a year, not 252', () => {
    const n = (365.25 * DAY) / 300_000 + 1;
    const ts = Array.from({ length: n }, (_, i) => i * 300_000);
    const f = inferBarFrequency(ts, 252);
    assert.equal(f.source, 'inferred');
    close(f.periodsPerYear, 105_192);
    assert.equal(f.medianSpacingMs, 300_000);
    assert.equal(describeSpacing(f.medianSpacingMs!), '5 minutes');
  });

  test('weekday bars count the weekends as the data has them (5 bars a week ≈ 261 a year)', () => {
    const ts: number[] = [];
    for (let d = 0; ts.length < 1000; d++) if (d % 7 < 5) ts.push(Date.UTC(2001, 0, 1) + d * DAY);
    const f = inferBarFrequency(ts, 252);
    close(f.periodsPerYear, (999 * YEAR_MS) / (ts.at(-1)! - ts[0]!));
    assert.ok(f.periodsPerYear > 255 && f.periodsPerYear < 265, String(f.periodsPerYear));
    assert.equal(describeSpacing(f.medianSpacingMs!), '1 day');
  });

  test('two bars are too few: the configured value, said so', () => {
    assert.deepEqual(inferBarFrequency([0, DAY], 252), { periodsPerYear: 252, source: 'fallback', medianSpacingMs: DAY });
    assert.equal(inferBarFrequency([], 12).periodsPerYear, 12);
  });
});

describe('calendarReturns', () => {
  const t = (y: number, m: number, d: number): number => Date.UTC(y, m - 1, d);
  const ts = [t(2020, 1, 2), t(2020, 1, 31), t(2020, 2, 14), t(2020, 2, 28), t(2020, 3, 31), t(2021, 1, 4)];
  const value = [100, 110, 99, 121, 121, 60.5];
  const r = calendarReturns(ts, value);

  test('a month runs from the previous month-end (the first value for the first month) to its own last value', () => {
    assert.deepEqual(
      r.months.map((m) => [m.period, m.month]),
      [['2020-01', 1], ['2020-02', 2], ['2020-03', 3], ['2021-01', 1]],
    );
    close(r.months[0]!.returnPct, 10);
    close(r.months[1]!.returnPct, 10);
    close(r.months[2]!.returnPct, 0);
    close(r.months[3]!.returnPct, -50);
  });

  test("a year's months compound to the year's return", () => {
    assert.deepEqual(r.years.map((y) => y.period), ['2020', '2021']);
    close(r.years[0]!.returnPct, 21);
    close(r.years[1]!.returnPct, -50);
    const compounded = r.months.filter((m) => m.year === 2020).reduce((acc, m) => acc * (1 + m.returnPct / 100), 1);
    close((compounded - 1) * 100, r.years[0]!.returnPct);
  });

  test('barReturns', () => {
    assert.deepEqual([...barReturns([100, 110, 99])].map((x) => Math.round(x * 1e9) / 1e9), [0.1, -0.1]);
    assert.equal(barReturns([5]).length, 0);
  });
});

describe('drawdownPeriods', () => {
  const ts = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => i * DAY);
  const value = [100, 90, 80, 95, 100, 105, 100, 104];
  const periods = drawdownPeriods(ts, value);

  test('peak to trough to recovery, and one still under water at the end', () => {
    assert.equal(periods.length, 2);
    assert.deepEqual(periods[0], {
      peakTs: 0, peakValue: 100, troughTs: 2 * DAY, troughValue: 80, recoveryTs: 4 * DAY,
      depthPct: 20, barsToTrough: 2, barsToRecovery: 2, lengthBars: 4,
    });
    const open = periods[1]!;
    assert.equal(open.peakTs, 5 * DAY);
    assert.equal(open.recoveryTs, null);
    assert.equal(open.barsToRecovery, null);
    assert.equal(open.lengthBars, 2);
    close(open.depthPct, (1 - 100 / 105) * 100);
  });

  test('worstDrawdowns: deepest first, at most the count asked', () => {
    const worst = worstDrawdowns(periods, 1);
    assert.equal(worst.length, 1);
    assert.equal(worst[0]!.depthPct, 20);
    assert.deepEqual(worstDrawdowns(periods).map((p) => p.peakTs), [0, 5 * DAY]);
    assert.deepEqual(drawdownPeriods([0, 1, 2], [1, 2, 3]), [], 'a curve that only rises has none');
  });
});

describe('benchmark', () => {
  test('buy and hold: equal slices at each first close, cash until a symbol starts', () => {
    const a = { ts: [10, 20, 30], close: [10, 20, 5] };
    const b = { ts: [20, 30], close: [4, 8] };
    const v = buyAndHold([a, b], [10, 20, 25, 30], 1000);
    assert.deepEqual([...v], [1000, 1500, 1500, 250 + 1000]);
    assert.deepEqual([...buyAndHold([], [1, 2], 7)], [7, 7]);
  });

  test('alpha and beta of a strategy that earns 0.1% a bar plus half the benchmark', () => {
    const rb = [0.01, -0.02, 0.015, 0.003, -0.007, 0.02, -0.01];
    const bench = [100];
    const strat = [100];
    for (const r of rb) {
      bench.push(bench.at(-1)! * (1 + r));
      strat.push(strat.at(-1)! * (1 + 0.001 + 0.5 * r));
    }
    const rel = alphaBeta(strat, bench, 252);
    close(rel.beta!, 0.5);
    close(rel.alphaPct!, 0.001 * 252 * 100);
    close(rel.correlation!, 1);
    close(rel.benchmarkReturnPct!, (bench.at(-1)! / 100 - 1) * 100);
  });

  test('a benchmark that never moves has no beta', () => {
    assert.deepEqual(alphaBeta([1, 2, 3], [5, 5, 5], 252), { alphaPct: null, beta: null, correlation: null, benchmarkReturnPct: 0 });
  });
});

describe('rollingSharpe', () => {
  test('each window of returns: mean / sample stdev × √periods, volatility in percent', () => {
    const ts = [0, 1, 2, 3, 4];
    const series = rollingSharpe(ts, [0.01, 0.03, 0.01, 0.03], 2, 252);
    const points = rollingPoints(series, [0, 1, 2]);
    assert.deepEqual(points.map((p) => p.ts), [2, 3, 4]);
    const sd = Math.sqrt(2 * 0.01 ** 2);
    for (const p of points) {
      close(p.sharpe!, (0.02 / sd) * Math.sqrt(252), 1e-6);
      close(p.volatilityPct, sd * Math.sqrt(252) * 100, 1e-6);
    }
  });

  test('a window of equal returns has no Sharpe and no volatility', () => {
    const [p] = rollingPoints(rollingSharpe([0, 1, 2, 3], [0.001, 0.001, 0.001], 3, 252), [0]);
    assert.equal(p!.sharpe, null);
    assert.equal(p!.volatilityPct, 0);
  });

  test('the window is a quarter of a year of bars, at least 10', () => {
    assert.equal(rollingWindowFor(252), 63);
    assert.equal(rollingWindowFor(12), 10);
    assert.throws(() => rollingSharpe([], [], 1, 252), RangeError);
  });
});

describe('returnHistogram', () => {
  test('equal bins from the lowest to the highest return, the highest in the last bin', () => {
    const h = returnHistogram([-0.02, -0.01, 0, 0.01, 0.02], 4);
    assert.deepEqual(h.counts, [1, 1, 1, 2]);
    close(h.binWidthPct, 1);
    assert.deepEqual(h.binStartsPct.map((x) => Math.round(x * 1e9) / 1e9), [-2, -1, 0, 1]);
    close(h.meanPct!, 0);
    close(h.skew!, 0);
    close(h.excessKurtosis!, 1.7 - 3);
  });

  test('a long left tail is negative skew; equal returns are one bin without moments', () => {
    assert.ok(returnHistogram([0.01, 0.01, 0.01, 0.01, -0.1]).skew! < 0);
    const flat = returnHistogram([0.5, 0.5]);
    assert.deepEqual(flat.counts, [2]);
    assert.equal(flat.skew, null);
    assert.deepEqual(returnHistogram([]).counts, []);
  });
});

describe('tradeStats', () => {
  const tr = (pnlNet: number, days: number, symbol = 'A') => ({ symbol, openTs: 0, closeTs: days * DAY, pnlNet });
  const trades = [tr(10, 1), tr(20, 3), tr(-5, 2, 'B'), tr(-5, 4), tr(-20, 5, 'B'), tr(0, 6), tr(30, 7)];

  test('average win and loss, payoff, expectancy, extremes, holding times', () => {
    const s = tradeStats(trades);
    assert.equal(s.trades, 7);
    assert.equal(s.wins, 3);
    assert.equal(s.losses, 3);
    close(s.winRatePct!, (3 / 7) * 100);
    assert.equal(s.averageWin, 20);
    assert.equal(s.averageLoss, -10);
    assert.equal(s.payoffRatio, 2);
    assert.equal(s.expectancy, 30 / 7);
    assert.equal(s.largestWin, 30);
    assert.equal(s.largestLoss, -20);
    assert.equal(s.averageHoldingMs, 4 * DAY);
    assert.equal(s.medianHoldingMs, 4 * DAY);
    assert.equal(s.longestWinStreak, 2);
    assert.equal(s.longestLossStreak, 3);
  });

  test('streaks: a zero ends both', () => {
    assert.deepEqual(longestStreaks([1, 1, 0, 1, -1, -1, 0, -1]), { wins: 2, losses: 2 });
    assert.deepEqual(longestStreaks([]), { wins: 0, losses: 0 });
  });

  test('no trade: nulls, not zeros', () => {
    const s = tradeStats([]);
    assert.equal(s.expectancy, null);
    assert.equal(s.winRatePct, null);
    assert.equal(s.averageHoldingMs, null);
  });

  test('bySymbol: in the run order, fills and commission counted, a symbol never traded listed too', () => {
    const fills = [{ symbol: 'A', commission: 1 }, { symbol: 'B', commission: 2 }, { symbol: 'A', commission: 0.5 }];
    const rows = bySymbol(['B', 'A', 'C'], trades, fills);
    assert.deepEqual(rows.map((r) => [r.symbol, r.stats.trades, r.fills, r.commission, r.stats.netPnl]), [
      ['B', 2, 1, 2, -25],
      ['A', 5, 2, 1.5, 55],
      ['C', 0, 0, 0, 0],
    ]);
  });
});
