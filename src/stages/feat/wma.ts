// WMA(n) as backtrader's WeightedMovingAverage (AverageWeighted): weights 1..n from the
// oldest value to the newest, each product rounded, the n products summed exactly (fsum),
// then ONE multiplication by coef = 2 / (n (n + 1)). O(n) per bar, as backtrader's.

import { fsum } from './fsum.ts';
import { checkFinite, checkPeriod } from './indicator.ts';
import type { StreamingIndicator } from './indicator.ts';
import { Ring } from './ring.ts';

export class Wma implements StreamingIndicator {
  readonly period: number;
  readonly warmup: number;
  private readonly coef: number;
  private readonly window: Ring;
  private readonly products: Float64Array;
  private v: number | undefined;

  constructor(period: number) {
    checkPeriod('WMA', period);
    this.period = period;
    this.warmup = period;
    this.coef = 2.0 / (period * (period + 1.0));
    this.window = new Ring(period);
    this.products = new Float64Array(period);
  }

  get value(): number | undefined {
    return this.v;
  }

  update(x: number): number | undefined {
    checkFinite('WMA', x);
    this.window.push(x);
    if (!this.window.full) return undefined;
    const n = this.period;
    // weight n for the newest (ago 0) down to 1 for the oldest; fsum does not care about order.
    for (let ago = 0; ago < n; ago++) this.products[ago] = this.window.ago(ago) * (n - ago);
    return (this.v = this.coef * fsum(this.products));
  }

  reset(): void {
    this.window.reset();
    this.v = undefined;
  }
}
