// Exponential smoothing as backtrader's ExponentialSmoothing: seeded on bar n with the
// simple average of the first n inputs (fsum / n), then
//   value_t = value_{t-1} * (1 - alpha) + x_t * alpha
// in exactly that operation order (it decides the last bit). EMA uses alpha = 2 / (n + 1);
// Wilder's smoothed moving average (SMMA, used by RSI and ATR) alpha = 1 / n.

import { fsum } from './fsum.ts';
import { checkFinite, checkPeriod } from './indicator.ts';
import type { StreamingIndicator } from './indicator.ts';

class ExponentialSmoothing implements StreamingIndicator {
  readonly period: number;
  readonly alpha: number;
  readonly warmup: number;
  private readonly alpha1: number;
  private readonly seed: Float64Array;
  private count = 0;
  private v: number | undefined;

  constructor(period: number, alpha: number, name = 'ExponentialSmoothing') {
    checkPeriod(name, period);
    this.period = period;
    this.alpha = alpha;
    this.alpha1 = 1.0 - alpha;
    this.warmup = period;
    this.seed = new Float64Array(period);
  }

  get value(): number | undefined {
    return this.v;
  }

  update(x: number): number | undefined {
    checkFinite('smoothing', x);
    if (this.v !== undefined) return (this.v = this.v * this.alpha1 + x * this.alpha);
    this.seed[this.count++] = x;
    if (this.count < this.period) return undefined;
    return (this.v = fsum(this.seed) / this.period);
  }

  reset(): void {
    this.count = 0;
    this.v = undefined;
  }
}

/** EMA(n): alpha = 2 / (1 + n), seeded with SMA(n). */
export class Ema extends ExponentialSmoothing {
  constructor(period: number) {
    super(period, 2.0 / (1.0 + period), 'EMA');
  }
}

/** Wilder's smoothed moving average SMMA(n): alpha = 1 / n, seeded with SMA(n). */
export class Smma extends ExponentialSmoothing {
  constructor(period: number) {
    super(period, 1.0 / period, 'SMMA');
  }
}
