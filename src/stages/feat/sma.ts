// Simple moving average as backtrader computes it: the window summed with an exactly
// rounded sum (math.fsum), then ONE division by n. Never a running `sum += new - old`: on
// ORCL 2005-09-14 SMA(15) and SMA(30) are exactly equal (13.254) and a running sum's
// accumulated error (+4.97e-14) breaks the tie and signals a cross one bar early.
// O(n) per bar over a ring buffer; the sum is order-independent, so the ring needs no
// unrolling.

import { fsum } from './fsum.ts';
import { checkFinite, checkPeriod } from './indicator.ts';
import type { StreamingIndicator } from './indicator.ts';

export class Sma implements StreamingIndicator {
  readonly period: number;
  readonly warmup: number;
  private readonly window: Float64Array;
  private count = 0;
  private pos = 0;
  private v: number | undefined;

  constructor(period: number) {
    checkPeriod('SMA', period);
    this.period = period;
    this.warmup = period;
    this.window = new Float64Array(period);
  }

  get value(): number | undefined {
    return this.v;
  }

  update(x: number): number | undefined {
    checkFinite('SMA', x);
    this.window[this.pos] = x;
    this.pos = this.pos + 1 === this.period ? 0 : this.pos + 1;
    if (this.count < this.period) this.count++;
    if (this.count < this.period) return undefined;
    return (this.v = fsum(this.window) / this.period);
  }

  reset(): void {
    this.count = 0;
    this.pos = 0;
    this.v = undefined;
    this.window.fill(0);
  }
}
