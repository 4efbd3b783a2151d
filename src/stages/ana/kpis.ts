// Trading KPIs, accumulated one bar at a time in O(1) memory (a backtest feeds 100k+ bars).
// Drawdown is exactly backtrader's DrawDown analyzer: peak = running max of the value over
// all bars seen, drawdown = 100 * (peak - V) / peak, money = peak - V, each maximised
// independently. A KPI that is undefined for the data (no trades, zero volatility, too few
// bars) is null and explained by a quality flag, never a made-up number.

import type { Kpis, QualityFlag } from '../../domain/analytics.ts';
import { OrdinisError } from '../../errors.ts';

export interface KpiOptions {
  /** Value before the first bar (starting cash): the base of total return and the first bar's return. */
  startingValue: number;
  /** Bars per year for annualising. Default 252 (daily bars). */
  periodsPerYear?: number;
  /** Fewer bars than this flags TOO_FEW_BARS. Default 30. */
  minBars?: number;
  /** Fewer closed trades than this (but some) flags TOO_FEW_TRADES. Default 5. */
  minTrades?: number;
}

export interface DrawdownState {
  /** Current drawdown (%), as of the last bar. */
  currentPct: number;
  maxPct: number;
  maxMoney: number;
  /** Bar time of the deepest percentage drawdown (null before any drawdown). */
  troughTs: number | null;
  peak: number;
}

export class KpiAccumulator {
  private readonly v0: number;
  private readonly ppy: number;
  private readonly minBars: number;
  private readonly minTrades: number;
  private bars = 0;
  private last: number;
  // Welford over per-bar returns.
  private n = 0;
  private mean = 0;
  private m2 = 0;
  private downsideSq = 0;
  // Drawdown (backtrader DrawDown).
  private peak = Number.NEGATIVE_INFINITY;
  private dd = 0;
  private maxDd = 0;
  private maxMoney = 0;
  private troughTs: number | null = null;
  // Activity.
  private barsInMarket = 0;
  private equitySum = 0;
  private notional = 0;
  private fees = 0;
  private trades = 0;
  private wins = 0;
  private grossWin = 0;
  private grossLoss = 0;

  constructor(opts: KpiOptions) {
    if (!(opts.startingValue > 0) || !Number.isFinite(opts.startingValue)) {
      throw new OrdinisError('E_ANA_COMPUTE_FAILED', `KPIs need a positive starting value, got ${opts.startingValue}`);
    }
    this.v0 = opts.startingValue;
    this.last = opts.startingValue;
    this.ppy = opts.periodsPerYear ?? 252;
    this.minBars = opts.minBars ?? 30;
    this.minTrades = opts.minTrades ?? 5;
    if (!(this.ppy > 0)) throw new OrdinisError('E_CFG_INVALID', `periodsPerYear must be > 0, got ${this.ppy}`);
  }

  /** One bar: the portfolio value at its close and whether any position was held. */
  observeBar(ts: number, value: number, inMarket: boolean): void {
    if (!Number.isFinite(value)) throw new OrdinisError('E_ANA_COMPUTE_FAILED', `portfolio value is not finite at ${ts}: ${value}`);
    this.bars += 1;
    if (inMarket) this.barsInMarket += 1;
    this.equitySum += value;

    const r = this.last !== 0 ? value / this.last - 1 : 0;
    this.last = value;
    this.n += 1;
    const delta = r - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (r - this.mean);
    if (r < 0) this.downsideSq += r * r;

    this.peak = Math.max(this.peak, value);
    this.dd = (100.0 * (this.peak - value)) / this.peak;
    const money = this.peak - value;
    if (this.dd > this.maxDd) {
      this.maxDd = this.dd;
      this.troughTs = ts;
    }
    this.maxMoney = Math.max(this.maxMoney, money);
  }

  observeFill(notional: number, commission: number): void {
    this.notional += Math.abs(notional);
    this.fees += commission;
  }

  /** A closed round trip's net PnL. */
  observeTrade(pnlNet: number): void {
    this.trades += 1;
    if (pnlNet > 0) {
      this.wins += 1;
      this.grossWin += pnlNet;
    } else if (pnlNet < 0) {
      this.grossLoss += -pnlNet;
    }
  }

  /** The current drawdown (%) as of the last bar: drawdown().currentPct without the object (ANA reads it every bar). */
  get currentDrawdownPct(): number {
    return this.dd;
  }

  drawdown(): DrawdownState {
    return { currentPct: this.dd, maxPct: this.maxDd, maxMoney: this.maxMoney, troughTs: this.troughTs, peak: this.peak };
  }

  snapshot(): { kpis: Kpis; quality: QualityFlag[] } {
    const quality: QualityFlag[] = [];
    const value = this.last;
    const totalReturnPct = 100 * (value / this.v0 - 1);
    const growth = value / this.v0;
    const annualizedReturnPct = this.bars > 0 && growth > 0 ? 100 * (Math.pow(growth, this.ppy / this.bars) - 1) : null;

    const sd = this.n >= 2 ? Math.sqrt(this.m2 / (this.n - 1)) : null;
    const sqrtP = Math.sqrt(this.ppy);
    const volatilityPct = sd === null ? null : sd * sqrtP * 100;
    const sharpe = sd !== null && sd > 0 ? (this.mean / sd) * sqrtP : null;
    const downside = this.n >= 2 ? Math.sqrt(this.downsideSq / this.n) : null;
    const sortino = downside !== null && downside > 0 ? (this.mean / downside) * sqrtP : null;
    const calmar = annualizedReturnPct !== null && this.maxDd > 0 ? annualizedReturnPct / this.maxDd : null;
    const winRatePct = this.trades > 0 ? (100 * this.wins) / this.trades : null;
    const profitFactor = this.trades > 0 && this.grossLoss > 0 ? this.grossWin / this.grossLoss : null;

    if (this.bars < this.minBars) quality.push('TOO_FEW_BARS');
    if (this.trades === 0) quality.push('NO_TRADES');
    else if (this.trades < this.minTrades) quality.push('TOO_FEW_TRADES');
    if (sd !== null && sd === 0) quality.push('ZERO_VOLATILITY');
    if (this.trades > 0 && this.grossLoss === 0) quality.push('NO_LOSSES');

    const avgEquity = this.bars > 0 ? this.equitySum / this.bars : 0;
    return {
      kpis: {
        totalReturnPct,
        annualizedReturnPct,
        volatilityPct,
        sharpe,
        sortino,
        maxDrawdownPct: this.maxDd,
        maxDrawdownMoney: this.maxMoney,
        calmar,
        winRatePct,
        profitFactor,
        exposurePct: this.bars > 0 ? (100 * this.barsInMarket) / this.bars : 0,
        turnover: avgEquity > 0 ? this.notional / avgEquity : 0,
        fees: this.fees,
        trades: this.trades,
        bars: this.bars,
      },
      quality,
    };
  }
}
