// An ANA stage of your own in place of the default, the other seven stages unchanged: it
// values each cycle from PORT's snapshot and keeps a rolling Sortino ratio (the last 63
// bars, about a quarter of trading days) beside the usual return and drawdown.
//
// Shows: a `Stage<'ANA'>` (a name and a `run(ctx)` returning ANA's output, an
// AnalyticsReport, from what earlier stages left in `ctx.data`), plugged in with
// `stages: { ANA: ... }`; the harness `runStrategy` of 'ordinis-orch/testing' running the
// built-in SMA crossover over the bundled ORCL sample with it. The run's own result (fills,
// final value) is still kept by the package, so it matches a run without the replacement.
//
// Run:  node --import tsx examples/replaced-ana-stage.ts

import { fileURLToPath } from 'node:url';
import { OrdinisError, readBarsFile, smaCross, type AnalyticsReport, type Kpis, type Stage, type StageContext } from 'ordinis-orch';
import { runStrategy } from 'ordinis-orch/testing';

const TRADING_DAYS = 252;

/** Sortino of a window of per-bar returns, annualized: mean / downside deviation × √252 (null without downside). */
export function sortino(returns: readonly number[]): number | null {
  if (returns.length === 0) return null;
  let sum = 0;
  let downside = 0;
  for (const r of returns) {
    sum += r;
    if (r < 0) downside += r * r;
  }
  if (downside === 0) return null;
  return (sum / returns.length / Math.sqrt(downside / returns.length)) * Math.sqrt(TRADING_DAYS);
}

export class RollingSortinoAnalytics implements Stage<'ANA'> {
  readonly name = 'ANA' as const;
  /** (time, rolling Sortino) for each bar with a full window. */
  readonly series: { ts: number; sortino: number | null }[] = [];
  private readonly returns: number[] = [];
  private start: number | undefined;
  private previous: number | undefined;
  private peak = 0;
  private maxDrawdownPct = 0;
  private maxDrawdownMoney = 0;
  private bars = 0;
  private barsInMarket = 0;
  private trades = 0;
  private held = new Map<string, number>();

  constructor(private readonly window: number) {}

  run(ctx: StageContext): AnalyticsReport {
    const port = ctx.data.PORT;
    if (!port) throw new OrdinisError('E_ANA_COMPUTE_FAILED', 'no PORT snapshot in this cycle');
    const equity = port.equity;
    this.start ??= equity;
    if (this.previous !== undefined && this.previous > 0) {
      this.returns.push(equity / this.previous - 1);
      if (this.returns.length > this.window) this.returns.shift();
    }
    this.previous = equity;
    this.peak = Math.max(this.peak, equity);
    this.maxDrawdownMoney = Math.max(this.maxDrawdownMoney, this.peak - equity);
    this.maxDrawdownPct = Math.max(this.maxDrawdownPct, this.peak > 0 ? ((this.peak - equity) / this.peak) * 100 : 0);
    this.bars++;
    if (port.positions.some((p) => p.qty !== 0)) this.barsInMarket++;
    this.countClosedTrades(port.positions);

    const rolling = this.returns.length === this.window ? sortino(this.returns) : null;
    if (this.returns.length === this.window) this.series.push({ ts: ctx.cycleTime, sortino: rolling });
    // What this stage computes; the KPIs it does not compute are null (or 0 for the counters
    // it does not keep), never guessed.
    const kpis: Kpis = {
      totalReturnPct: ((equity - this.start) / this.start) * 100,
      annualizedReturnPct: null,
      volatilityPct: null,
      sharpe: null,
      sortino: rolling,
      maxDrawdownPct: this.maxDrawdownPct,
      maxDrawdownMoney: this.maxDrawdownMoney,
      calmar: null,
      winRatePct: null,
      profitFactor: null,
      exposurePct: (this.barsInMarket / this.bars) * 100,
      turnover: 0,
      fees: port.fees,
      trades: this.trades,
      bars: this.bars,
    };
    return { ts: ctx.cycleTime, equity, kpis, quality: [] };
  }

  /** A round trip ends when a symbol's position goes back to zero. */
  private countClosedTrades(positions: readonly { symbol: string; qty: number }[]): void {
    const now = new Map(positions.filter((p) => p.qty !== 0).map((p) => [p.symbol, p.qty]));
    for (const symbol of this.held.keys()) if (!now.has(symbol)) this.trades++;
    this.held = now;
  }
}

const orcl = fileURLToPath(new URL('samples/orcl-1995-2014.txt', import.meta.resolve('ordinis-orch/package.json')));
const { bars } = readBarsFile(orcl, { symbol: 'ORCL' });
const options = { bars, params: { fast: 15, slow: 30 }, sizing: { kind: 'fixed', qty: 100 } as const, cash: 100_000 };

const ana = new RollingSortinoAnalytics(63);
const replaced = await runStrategy(smaCross, { ...options, stages: { ANA: ana } });
const standard = await runStrategy(smaCross, options);

const day = (ts: number): string => new Date(ts).toISOString().slice(0, 10);
const valued = ana.series.filter((p): p is { ts: number; sortino: number } => p.sortino !== null);
if (valued.length === 0) throw new Error('the replacement ANA computed no Sortino');
const best = valued.reduce((a, b) => (b.sortino > a.sortino ? b : a));
const worst = valued.reduce((a, b) => (b.sortino < a.sortino ? b : a));
const last = valued.at(-1);
console.log(`SMA 15/30 on ORCL, ${replaced.result.bars} bars, ANA replaced by a rolling Sortino (63 bars)`);
console.log(`rolling Sortino: best ${best.sortino.toFixed(2)} (${day(best.ts)}), worst ${worst.sortino.toFixed(2)} (${day(worst.ts)}), latest ${last ? `${last.sortino.toFixed(2)} (${day(last.ts)})` : 'n/a'}`);
console.log(`whole-run Sortino of the default analytics: ${replaced.result.kpis?.sortino?.toFixed(2) ?? 'n/a'}`);
console.log(`fills ${replaced.fills.length} (without the replacement ${standard.fills.length}), final value ${replaced.result.finalValue.toFixed(2)} (${standard.result.finalValue.toFixed(2)})`);

if (replaced.fills.length !== standard.fills.length || replaced.result.finalValue !== standard.result.finalValue) {
  throw new Error('replacing ANA changed the trading: it must not');
}
