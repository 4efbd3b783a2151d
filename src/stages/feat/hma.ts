// HMA(n) as backtrader's HullMovingAverage: WMA(2 WMA(x, n // 2) - WMA(x, n), floor(sqrt n)),
// in that order of operations. First value on bar n + floor(sqrt n) - 1 (34 for n = 30).

import { checkPeriod } from './indicator.ts';
import type { StreamingIndicator } from './indicator.ts';
import { Wma } from './wma.ts';

export class Hma implements StreamingIndicator {
  readonly warmup: number;
  private readonly full: Wma;
  private readonly half: Wma;
  private readonly outer: Wma;
  private v: number | undefined;

  constructor(period: number) {
    checkPeriod('HMA', period, 2);
    const root = Math.floor(Math.sqrt(period));
    this.warmup = period + root - 1;
    this.full = new Wma(period);
    this.half = new Wma(Math.floor(period / 2));
    this.outer = new Wma(root);
  }

  get value(): number | undefined {
    return this.v;
  }

  update(x: number): number | undefined {
    const h = this.half.update(x);
    const f = this.full.update(x);
    if (f === undefined || h === undefined) return undefined;
    const v = this.outer.update(2.0 * h - f);
    if (v === undefined) return undefined;
    return (this.v = v);
  }

  reset(): void {
    this.full.reset();
    this.half.reset();
    this.outer.reset();
    this.v = undefined;
  }
}
