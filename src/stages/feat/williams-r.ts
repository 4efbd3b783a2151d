// Williams %R as backtrader's WilliamsR: -100 * (HH - close) / (HH - LL) over n bars (in
// that order of operations), first on bar n.

import { Highest, Lowest } from './highest-lowest.ts';
import type { StreamingIndicator } from './indicator.ts';

export class WilliamsR implements StreamingIndicator {
  readonly warmup: number;
  private readonly hh: Highest;
  private readonly ll: Lowest;
  private v: number | undefined;

  constructor(period = 14) {
    this.hh = new Highest(period);
    this.ll = new Lowest(period);
    this.warmup = period;
  }

  get value(): number | undefined {
    return this.v;
  }

  update(high: number, low: number, close: number): number | undefined {
    const h = this.hh.update(high);
    const l = this.ll.update(low);
    if (h === undefined || l === undefined) return undefined;
    return (this.v = (-100.0 * (h - close)) / (h - l));
  }

  reset(): void {
    this.hh.reset();
    this.ll.reset();
    this.v = undefined;
  }
}
