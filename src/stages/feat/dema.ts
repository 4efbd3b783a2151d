// DEMA(n) as backtrader's DoubleExponentialMovingAverage: 2 EMA(x) - EMA(EMA(x)), each EMA
// seeded with its SMA (so the outer one starts on bar 2n - 1).

import { Ema } from './ema.ts';
import { checkPeriod } from './indicator.ts';
import type { StreamingIndicator } from './indicator.ts';

export class Dema implements StreamingIndicator {
  readonly warmup: number;
  private readonly ema1: Ema;
  private readonly ema2: Ema;
  private v: number | undefined;

  constructor(period: number) {
    checkPeriod('DEMA', period);
    this.warmup = 2 * period - 1;
    this.ema1 = new Ema(period);
    this.ema2 = new Ema(period);
  }

  get value(): number | undefined {
    return this.v;
  }

  update(x: number): number | undefined {
    const e1 = this.ema1.update(x);
    if (e1 === undefined) return undefined;
    const e2 = this.ema2.update(e1);
    if (e2 === undefined) return undefined;
    return (this.v = 2.0 * e1 - e2);
  }

  reset(): void {
    this.ema1.reset();
    this.ema2.reset();
    this.v = undefined;
  }
}
