// Report inputs for the tests: a small complete run and generators for long curves.

import type { Kpis } from '../../../../src/domain/analytics.ts';
import type { BacktestReportData, EquityPoint, ReportTrade } from '../../../../src/modes/backtest/report/html-report.ts';

export const DAY_MS = 24 * 60 * 60 * 1000;
export const T0 = Date.UTC(2020, 0, 1);

export const KPIS: Kpis = {
  totalReturnPct: 12.3456,
  annualizedReturnPct: 5.5,
  volatilityPct: 14.25,
  sharpe: 1.2345,
  sortino: 1.9,
  maxDrawdownPct: 8.75,
  maxDrawdownMoney: 9123.456,
  calmar: 0.63,
  winRatePct: 55.5555,
  profitFactor: 1.8,
  exposurePct: 72.1,
  turnover: 3.4,
  fees: 123.45,
  trades: 3,
  bars: 5,
};

/** Equity path with running-peak drawdown in percent (positive below the peak). */
export function equityFromValues(values: readonly number[], start = T0, stepMs = DAY_MS): EquityPoint[] {
  let peak = -Infinity;
  return values.map((value, i) => {
    peak = Math.max(peak, value);
    return { ts: start + i * stepMs, value, drawdownPct: peak > 0 ? ((peak - value) / peak) * 100 : 0 };
  });
}

/** A deterministic wavy curve of n points with one deep trough at 60% of the way. */
export function longEquity(n: number): EquityPoint[] {
  const values: number[] = new Array(n);
  for (let i = 0; i < n; i++) values[i] = 100_000 + 5_000 * Math.sin(i / 500) + (i % 7) * 10;
  values[Math.floor(n * 0.6)] = 61_234.5; // the crash bar
  return equityFromValues(values, T0, 60_000);
}

export function trade(i: number, symbol = 'SPY'): ReportTrade {
  const pnl = i % 3 === 0 ? -25.5 : 40.25;
  return {
    symbol,
    openTs: T0 + i * DAY_MS,
    closeTs: T0 + (i + 1) * DAY_MS,
    qty: 10,
    entryPrice: 100 + i,
    exitPrice: 100 + i + pnl / 10,
    pnlGross: pnl,
    pnlNet: pnl - 1,
  };
}

export function reportData(overrides: Partial<BacktestReportData> = {}): BacktestReportData {
  return {
    runId: 'run-0001',
    title: 'SMA crossover on SPY',
    generatedFor: {
      strategy: 'sma-cross',
      params: { fast: 10, slow: 50, mode: 'long-only' },
      symbols: ['SPY'],
      from: '2020-01-01',
      to: '2020-01-05',
      startingCash: 100_000,
    },
    status: 'completed',
    finalCash: 50_000.5,
    finalValue: 112_345.6,
    kpis: KPIS,
    quality: [],
    equity: equityFromValues([100_000, 104_000, 95_000, 108_000, 112_345.6]),
    trades: [trade(0), trade(1), trade(2)],
    fills: [
      { ts: T0, symbol: 'SPY', side: 'buy', qty: 10, price: 100, commission: 1 },
      { ts: T0 + DAY_MS, symbol: 'SPY', side: 'sell', qty: 10, price: 104, commission: 1 },
    ],
    orders: 3,
    ordersRejected: 1,
    riskDenials: { 'RISK.DRAWDOWN.MAX_DRAWDOWN_BREACH': { count: 2, firstDate: '2024-01-04T00:00:00.000Z' } },
    ...overrides,
  };
}
