// ATR(n) as backtrader's AverageTrueRange (Wilder): true range
//   tr_t = max(high_t, close_{t-1}) - min(low_t, close_{t-1})
// (first on bar 2), smoothed by SMMA(n) (alpha 1/n, seeded with the simple average of the
// first n true ranges). First value on bar n + 1.

import { Smma } from './ema.ts';
import { checkFinite, checkPeriod } from './indicator.ts';
import type { StreamingIndicator } from './indicator.ts';

export class Atr implements StreamingIndicator {
  readonly period: number;
  readonly warmup: number;
  private readonly smma: Smma;
  private prevClose: number | undefined;
  private v: number | undefined;

  constructor(period: number) {
    checkPeriod('ATR', period);
    this.period = period;
    this.warmup = period + 1;
    this.smma = new Smma(period);
  }

  get value(): number | undefined {
    return this.v;
  }

  update(high: number, low: number, close: number): number | undefined {
    checkFinite('ATR', high);
    checkFinite('ATR', low);
    checkFinite('ATR', close);
    const pc = this.prevClose;
    this.prevClose = close;
    if (pc === undefined) return undefined;
    const tr = Math.max(high, pc) - Math.min(low, pc);
    const a = this.smma.update(tr);
    if (a === undefined) return undefined;
    return (this.v = a);
  }

  reset(): void {
    this.smma.reset();
    this.prevClose = undefined;
    this.v = undefined;
  }
}
