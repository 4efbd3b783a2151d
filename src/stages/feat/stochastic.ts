// Stochastic oscillators as backtrader's StochasticFast and Stochastic (slow):
//   fast %K = 100 * ((close - LL) / (HH - LL)), HH/LL = highest high / lowest low over n
//   fast %D = SMA(fast %K, dFast)
//   slow %K = fast %D; slow %D = SMA(slow %K, dSlow)
// A flat window (HH = LL) divides by zero, as backtrader's default (safediv off) does: the
// value is not finite and FEAT refuses it (E_FEAT_COMPUTE_FAILED naming the feature).

import { Highest, Lowest } from './highest-lowest.ts';
import { checkPeriod } from './indicator.ts';
import { Sma } from './sma.ts';

export class StochasticFast {
  readonly warmup: number;
  private readonly hh: Highest;
  private readonly ll: Lowest;
  private readonly dSma: Sma;
  k: number | undefined;
  d: number | undefined;

  constructor(period = 14, periodDFast = 3) {
    checkPeriod('Stochastic', period);
    this.hh = new Highest(period);
    this.ll = new Lowest(period);
    this.dSma = new Sma(periodDFast);
    this.warmup = period + periodDFast - 1;
  }

  /** Feeds a bar; true once %K has a value. */
  update(high: number, low: number, close: number): boolean {
    const hh = this.hh.update(high);
    const ll = this.ll.update(low);
    if (hh === undefined || ll === undefined) return false;
    const k = 100.0 * ((close - ll) / (hh - ll));
    this.k = k;
    // A flat window: no finite %K to smooth; the NaN goes on so FEAT refuses every output.
    if (!Number.isFinite(k)) this.d = Number.NaN;
    else {
      const d = this.dSma.update(k);
      if (d !== undefined) this.d = d;
    }
    return true;
  }

  reset(): void {
    this.hh.reset();
    this.ll.reset();
    this.dSma.reset();
    this.k = this.d = undefined;
  }
}

export class Stochastic {
  readonly warmup: number;
  private readonly fast: StochasticFast;
  private readonly dSlow: Sma;
  k: number | undefined;
  d: number | undefined;

  constructor(period = 14, periodDFast = 3, periodDSlow = 3) {
    this.fast = new StochasticFast(period, periodDFast);
    this.dSlow = new Sma(periodDSlow);
    this.warmup = this.fast.warmup + periodDSlow - 1;
  }

  /** Feeds a bar; true once (slow) %K has a value. */
  update(high: number, low: number, close: number): boolean {
    this.fast.update(high, low, close);
    const k = this.fast.d;
    if (k === undefined) return false;
    this.k = k;
    if (!Number.isFinite(k)) this.d = Number.NaN;
    else {
      const d = this.dSlow.update(k);
      if (d !== undefined) this.d = d;
    }
    return true;
  }

  reset(): void {
    this.fast.reset();
    this.dSlow.reset();
    this.k = this.d = undefined;
  }
}
