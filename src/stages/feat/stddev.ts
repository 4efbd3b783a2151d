// Standard deviation as backtrader's StandardDeviation (safepow, its default): the
// POPULATION deviation over n bars, from two simple averages,
//   sqrt(|SMA(x^2, n) - SMA(x, n)^2|)
// (not a two-pass sum of squared deviations: the operations, and so the last bits, are
// backtrader's; the absolute value guards the rounding that can make the difference < 0).

import { checkPeriod } from './indicator.ts';
import type { StreamingIndicator } from './indicator.ts';
import { Sma } from './sma.ts';

export class StdDev implements StreamingIndicator {
  readonly warmup: number;
  private readonly meanOf: Sma;
  private readonly meanSquareOf: Sma;
  private v: number | undefined;

  constructor(period: number) {
    checkPeriod('StdDev', period);
    this.warmup = period;
    this.meanOf = new Sma(period);
    this.meanSquareOf = new Sma(period);
  }

  get value(): number | undefined {
    return this.v;
  }

  /** The latest SMA(x, n), the mean the deviation is taken from (Bollinger's mid band). */
  get mean(): number | undefined {
    return this.meanOf.value;
  }

  update(x: number): number | undefined {
    const mean = this.meanOf.update(x);
    const meanSquare = this.meanSquareOf.update(x * x);
    if (mean === undefined || meanSquare === undefined) return undefined;
    return (this.v = Math.sqrt(Math.abs(meanSquare - mean * mean)));
  }

  reset(): void {
    this.meanOf.reset();
    this.meanSquareOf.reset();
    this.v = undefined;
  }
}
