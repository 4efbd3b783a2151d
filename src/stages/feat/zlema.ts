// ZLEMA(n) as backtrader's ZeroLagExponentialMovingAverage (alias ZLEMA):
//   EMA(2 x_t - x_{t-lag}, n), lag = (n - 1) // 2
// The EMA (seeded with its SMA) starts once the lagged input exists, so the first value is on
// bar lag + n. (Not backtrader's ZeroLagIndicator, Ehlers' error-correcting EMA: that one
// is named ZLIndicator / EC there, and ZLEMA is the indicator the issue lists.)

import { Ema } from './ema.ts';
import { checkFinite, checkPeriod } from './indicator.ts';
import type { StreamingIndicator } from './indicator.ts';
import { Ring } from './ring.ts';

export class Zlema implements StreamingIndicator {
  readonly lag: number;
  readonly warmup: number;
  private readonly xs: Ring;
  private readonly ema: Ema;
  private v: number | undefined;

  constructor(period: number) {
    checkPeriod('ZLEMA', period);
    this.lag = Math.floor((period - 1) / 2);
    this.warmup = this.lag + period;
    this.xs = new Ring(this.lag + 1);
    this.ema = new Ema(period);
  }

  get value(): number | undefined {
    return this.v;
  }

  update(x: number): number | undefined {
    checkFinite('ZLEMA', x);
    this.xs.push(x);
    if (!this.xs.full) return undefined;
    const v = this.ema.update(2 * x - this.xs.ago(this.lag));
    if (v === undefined) return undefined;
    return (this.v = v);
  }

  reset(): void {
    this.xs.reset();
    this.ema.reset();
    this.v = undefined;
  }
}
