// CCI as backtrader's CommodityChannelIndex:
//   tp = (high + low + close) / 3; mean = SMA(tp, n)
//   meandev = SMA(|tp - mean|, n)      (each bar's deviation from THAT bar's mean)
//   cci = (tp - mean) / (factor * meandev)
// The mean deviation averages n deviations that each need a mean, so the first value is on
// bar 2n - 1, as backtrader's.

import { checkFinite } from './indicator.ts';
import type { StreamingIndicator } from './indicator.ts';
import { Sma } from './sma.ts';

export class Cci implements StreamingIndicator {
  readonly warmup: number;
  readonly factor: number;
  private readonly mean: Sma;
  private readonly meanDev: Sma;
  private v: number | undefined;

  constructor(period = 20, factor = 0.015) {
    this.mean = new Sma(period);
    this.meanDev = new Sma(period);
    checkFinite('CCI factor', factor);
    this.factor = factor;
    this.warmup = 2 * period - 1;
  }

  get value(): number | undefined {
    return this.v;
  }

  update(high: number, low: number, close: number): number | undefined {
    const tp = (high + low + close) / 3.0;
    const mean = this.mean.update(tp);
    if (mean === undefined) return undefined;
    const dev = tp - mean;
    const meanDev = this.meanDev.update(Math.abs(dev));
    if (meanDev === undefined) return undefined;
    return (this.v = dev / (this.factor * meanDev));
  }

  reset(): void {
    this.mean.reset();
    this.meanDev.reset();
    this.v = undefined;
  }
}
