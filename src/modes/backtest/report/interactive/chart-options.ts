// The report's interactive charts as ECharts options: plain data (no functions), so they go
// into the page as JSON and the page's one small script only hands each to echarts.init.
// Values are rounded to what a chart can show (money to the cent, percents to 1e-4), which
// keeps the page small without changing a drawn pixel.

import type { ChartLine, PriceChart, ReportAnalysis } from '../analysis/report-analysis.ts';

/** A chart on the page: the id of its container and its ECharts option. */
export interface ChartSpec {
  id: string;
  option: Record<string, unknown>;
}

const round = (x: number, decimals: number): number => {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
};
const roundPairs = (pts: readonly [number, number][], decimals: number): [number, number][] => pts.map(([t, v]) => [t, round(v, decimals)]);
const roundLine = (pts: ChartLine['points'], decimals: number): [number, number | null][] => pts.map(([t, v]) => [t, v === null ? null : round(v, decimals)]);

const COLORS = { strategy: '#0969da', benchmark: '#8c959f', drawdown: '#cf222e', buy: '#1a7f37', sell: '#cf222e', vol: '#bf8700' };

/** Zoom by wheel and drag, and a slider under the chart; all x axes of the chart move together. */
function zoom(xAxisIndex: number[] = [0]): Record<string, unknown>[] {
  return [
    { type: 'inside', xAxisIndex, filterMode: 'none' },
    { type: 'slider', xAxisIndex, filterMode: 'none', height: 18, bottom: 4 },
  ];
}

const base = (title: string): Record<string, unknown> => ({
  animation: false,
  title: { text: title, left: 0, textStyle: { fontSize: 13 } },
  tooltip: { trigger: 'axis' },
  grid: { left: 64, right: 56, top: 40, bottom: 56 },
});

/** Strategy against the benchmark; the page's log-scale box switches the y axis. */
export function equityOption(a: ReportAnalysis): ChartSpec {
  return {
    id: 'chart-equity',
    option: {
      ...base('Equity and benchmark'),
      legend: { top: 0, right: 0 },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', scale: true },
      dataZoom: zoom(),
      series: [
        { name: 'Strategy', type: 'line', showSymbol: false, lineStyle: { width: 1.5 }, color: COLORS.strategy, data: roundPairs(a.equityChart.strategy, 2) },
        { name: a.benchmark.label, type: 'line', showSymbol: false, lineStyle: { width: 1 }, color: COLORS.benchmark, data: roundPairs(a.equityChart.benchmark, 2) },
      ],
    },
  };
}

export function drawdownOption(a: ReportAnalysis): ChartSpec {
  return {
    id: 'chart-drawdown',
    option: {
      ...base('Drawdown (% below peak)'),
      xAxis: { type: 'time' },
      yAxis: { type: 'value', max: 0, axisLabel: { formatter: '{value}%' } },
      dataZoom: zoom(),
      series: [{ name: 'Drawdown', type: 'line', showSymbol: false, color: COLORS.drawdown, areaStyle: { opacity: 0.25 }, lineStyle: { width: 1 }, data: roundPairs(a.equityChart.drawdownPct, 4) }],
    },
  };
}

export function rollingOption(a: ReportAnalysis): ChartSpec {
  return {
    id: 'chart-rolling',
    option: {
      ...base(`Rolling Sharpe and volatility (${a.rolling.window} bars)`),
      legend: { top: 0, right: 0 },
      xAxis: { type: 'time' },
      yAxis: [
        // No axis names: the legend names the lines, and a name above the axis would cover the title.
        { type: 'value', scale: true },
        { type: 'value', axisLabel: { formatter: '{value}%' }, splitLine: { show: false } },
      ],
      dataZoom: zoom(),
      series: [
        { name: 'Sharpe', type: 'line', showSymbol: false, color: COLORS.strategy, lineStyle: { width: 1 }, data: a.rolling.points.map((p) => [p.ts, p.sharpe === null ? null : round(p.sharpe, 4)]) },
        { name: 'Volatility', type: 'line', yAxisIndex: 1, showSymbol: false, color: COLORS.vol, lineStyle: { width: 1 }, data: a.rolling.points.map((p) => [p.ts, round(p.volatilityPct, 4)]) },
      ],
    },
  };
}

export function distributionOption(a: ReportAnalysis): ChartSpec {
  const d = a.distribution;
  const decimals = d.binWidthPct > 0 ? Math.min(6, Math.max(2, Math.ceil(-Math.log10(d.binWidthPct)) + 1)) : 2;
  return {
    id: 'chart-distribution',
    option: {
      ...base('Distribution of bar returns'),
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'category', name: 'return from (%)', nameLocation: 'middle', nameGap: 28, data: d.binStartsPct.map((x) => round(x, decimals).toFixed(decimals)) },
      yAxis: { type: 'value' },
      grid: { left: 64, right: 24, top: 40, bottom: 48 },
      series: [{ name: 'Bars', type: 'bar', barCategoryGap: '5%', color: COLORS.strategy, data: d.counts }],
    },
  };
}

/** A symbol's price with the strategy's indicators over it, its fills as markers, oscillators in a panel below. */
export function priceOption(p: PriceChart, index: number): ChartSpec {
  const panel = p.panels.length > 0;
  const grids = panel
    ? [
        { left: 64, right: 56, top: 40, height: '52%' },
        { left: 64, right: 56, top: '72%', bottom: 56 },
      ]
    : [{ left: 64, right: 56, top: 40, bottom: 56 }];
  const xAxes = panel ? [{ type: 'time', gridIndex: 0 }, { type: 'time', gridIndex: 1 }] : [{ type: 'time', gridIndex: 0 }];
  const yAxes = panel ? [{ type: 'value', scale: true, gridIndex: 0 }, { type: 'value', scale: true, gridIndex: 1 }] : [{ type: 'value', scale: true, gridIndex: 0 }];
  const marker = (name: string, symbol: string, color: string, data: [number, number][]) => ({
    name,
    type: 'scatter',
    symbol,
    symbolSize: 9,
    symbolRotate: symbol === 'triangle' && name === 'Sell' ? 180 : 0,
    color,
    data: roundPairs(data, 6),
  });
  return {
    id: `chart-price-${index}`,
    option: {
      ...base(`${p.symbol}: price, indicators, fills`),
      legend: { top: 0, right: 0, type: 'scroll', width: '60%' },
      grid: grids,
      xAxis: xAxes,
      yAxis: yAxes,
      dataZoom: zoom(panel ? [0, 1] : [0]),
      series: [
        { name: 'Close', type: 'line', showSymbol: false, color: '#24292f', lineStyle: { width: 1 }, data: roundPairs(p.close, 6) },
        ...p.overlays.map((l) => ({ name: l.name, type: 'line', showSymbol: false, lineStyle: { width: 1 }, data: roundLine(l.points, 6) })),
        marker('Buy', 'triangle', COLORS.buy, p.buys),
        marker('Sell', 'triangle', COLORS.sell, p.sells),
        ...p.panels.map((l) => ({ name: l.name, type: 'line', xAxisIndex: 1, yAxisIndex: 1, showSymbol: false, lineStyle: { width: 1 }, data: roundLine(l.points, 6) })),
      ],
    },
  };
}

/** Every chart of the report, in page order. */
export function reportCharts(a: ReportAnalysis): ChartSpec[] {
  return [equityOption(a), drawdownOption(a), rollingOption(a), distributionOption(a), ...a.priceCharts.map(priceOption)];
}
