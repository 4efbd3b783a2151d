// A strategy pack with an indicator of its own: a Keltner channel breakout on the bundled
// ORCL sample (daily bars, 1995-2014).
//
// Shows: a `kind: 'custom'` feature (any object with `update(bar)` returning a number, or
// undefined while it warms up) declared next to built-in ones, a crossover of the close
// with it, and a backtest of the pack through the real pipeline with `runBacktest`.
//
// Run:  node --import tsx examples/strategy-with-indicator.ts
//
// The channel: a middle line (EMA of the close) and an upper band at `mult` times the
// average true range above it. Long when the close crosses above the upper band (a
// breakout), flat again when it crosses below the middle line.

import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { defineStrategyPack, loadConfig, runBacktest, type Bar, type BarIndicator } from 'ordinis-orch';

/**
 * The Keltner upper band, streaming: EMA(close, period) + mult × ATR(atrPeriod). Both are
 * seeded with a simple average of their first values (as backtrader seeds them), so the
 * first value comes on bar max(period, atrPeriod + 1); the ATR is Wilder's.
 */
class KeltnerUpper implements BarIndicator {
  private n = 0;
  private emaSum = 0;
  private ema: number | undefined;
  private prevClose: number | undefined;
  private trSum = 0;
  private trCount = 0;
  private atr: number | undefined;

  constructor(
    private readonly period: number,
    private readonly atrPeriod: number,
    private readonly mult: number,
  ) {}

  update(bar: Bar): number | undefined {
    this.n++;
    // EMA of the close, seeded with the SMA of the first `period` closes.
    if (this.ema === undefined) {
      this.emaSum += bar.close;
      if (this.n === this.period) this.ema = this.emaSum / this.period;
    } else {
      this.ema += (2 / (this.period + 1)) * (bar.close - this.ema);
    }
    // True range needs the previous close, so the first bar has none.
    if (this.prevClose !== undefined) {
      const tr = Math.max(bar.high, this.prevClose) - Math.min(bar.low, this.prevClose);
      if (this.atr === undefined) {
        this.trSum += tr;
        if (++this.trCount === this.atrPeriod) this.atr = this.trSum / this.atrPeriod;
      } else {
        this.atr += (tr - this.atr) / this.atrPeriod;
      }
    }
    this.prevClose = bar.close;
    return this.ema !== undefined && this.atr !== undefined ? this.ema + this.mult * this.atr : undefined;
  }
}

export const keltnerBreakout = defineStrategyPack({
  id: 'keltner-breakout',
  version: '1.0.0',
  description: 'Long on a close above the Keltner upper band, flat below its middle line',
  params: z.object({
    period: z.coerce.number().int().min(2).default(20),
    atrPeriod: z.coerce.number().int().min(1).default(10),
    mult: z.coerce.number().positive().default(2),
  }),
  features: (p) => [
    { kind: 'ema', name: 'mid', period: p.period },
    {
      kind: 'custom',
      name: 'upper',
      // Part of the feature version: change it when the computation changes.
      id: `keltner_upper@1(${p.period},${p.atrPeriod},${p.mult})`,
      warmup: Math.max(p.period, p.atrPeriod + 1),
      create: () => new KeltnerUpper(p.period, p.atrPeriod, p.mult),
    },
    { kind: 'crossover', name: 'breakout', a: 'close', b: 'upper' },
    { kind: 'crossover', name: 'exit', a: 'close', b: 'mid' },
  ],
  decide: (v) =>
    v.features.breakout === 1 ? { direction: 'LONG', reason: 'close_above_upper_band' }
    : v.features.exit === -1 ? { direction: 'FLAT', reason: 'close_below_middle' }
    : null,
});

// The sample data ships inside the package.
const orcl = fileURLToPath(new URL('samples/orcl-1995-2014.txt', import.meta.resolve('ordinis-orch/package.json')));

const { result, artifacts } = await runBacktest(
  {
    dataFiles: [orcl],
    symbols: ['ORCL'],
    strategy: keltnerBreakout,
    strategyParams: { period: 20, atrPeriod: 10, mult: 2 },
    sizing: { kind: 'weight', weight: 0.95 },
    cash: 100_000,
    commission: { kind: 'percent', percent: 0.1 },
  },
  // RISK blocks new entries once equity is 20 % below its peak (RISK_MAX_DRAWDOWN); ORCL
  // fell much further in 2000-2002, after which this strategy would never enter again.
  { config: loadConfig({ overrides: { RISK_MAX_DRAWDOWN: 0.6 } }).config },
);

if (result.status !== 'ok') throw new Error(`backtest failed: ${result.error?.code} ${result.error?.message}`);
console.log(`${result.strategy.id} ${JSON.stringify(result.strategy.params)} on ORCL, ${result.bars} bars`);
console.log(`fills ${result.fills.length}, closed trades ${artifacts.closedTrades.length}, commission ${result.totalCommission.toFixed(2)}`);
console.log(`final value ${result.finalValue.toFixed(2)} (return ${result.totalReturnPct.toFixed(2)} %, max drawdown ${result.maxDrawdownPct.toFixed(2)} %)`);
for (const f of result.fills.slice(0, 4)) console.log(`  ${f.ts.slice(0, 10)} ${f.side} ${f.qty} @ ${f.price.toFixed(2)}`);
if (result.fills.length === 0) throw new Error('expected the breakout strategy to trade on 20 years of ORCL');
