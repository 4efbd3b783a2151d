// Simple moving average as backtrader computes it: the window summed with an exactly
// rounded sum (math.fsum), then ONE division by n. Never a running `sum += new - old`: on
// ORCL 2005-09-14 SMA(15) and SMA(30) are exactly equal (13.254) and a running sum's
// accumulated error (+4.97e-14) breaks the tie and signals a cross one bar early.
//
// The window's exact sum is kept incrementally (ExactSum: add the new value, take the
// leaving one out, in one step when their difference is exact, see ExactSum.replace), which
// is exact, not a float running sum: the partials hold the window's
// sum with no rounding at all, and value() rounds it once, giving bit for bit fsum(window).
// That holds while no partial sum can overflow, which is guaranteed while every value in the
// window is at most `safeMax` in magnitude; a window holding a larger value is summed by
// fsum directly (and the running sum rebuilt once it has left).

import { ExactSum, fsum } from './fsum.ts';
import { checkFinite, checkPeriod } from './indicator.ts';
import type { StreamingIndicator } from './indicator.ts';

export class Sma implements StreamingIndicator {
  readonly period: number;
  readonly warmup: number;
  private readonly window: Float64Array;
  private count = 0;
  private pos = 0;
  private v: number | undefined;
  private readonly sum = new ExactSum();
  /** True while `sum` holds exactly the window's values. */
  private sumValid = true;
  /** Values in the window above `safeMax` in magnitude. */
  private big = 0;
  /**
   * With every |value| <= safeMax, every sum the partials algorithm forms while sliding (at
   * most period + 3 values' worth, counting TwoSum's intermediates twice) stays below
   * Number.MAX_VALUE, so nothing overflows and the running sum stays exact.
   */
  private readonly safeMax: number;

  constructor(period: number) {
    checkPeriod('SMA', period);
    this.period = period;
    this.warmup = period;
    this.window = new Float64Array(period);
    this.safeMax = Number.MAX_VALUE / (4 * (period + 3));
  }

  get value(): number | undefined {
    return this.v;
  }

  update(x: number): number | undefined {
    checkFinite('SMA', x);
    const full = this.count === this.period;
    const old = this.window[this.pos]!;
    this.window[this.pos] = x;
    this.pos = this.pos + 1 === this.period ? 0 : this.pos + 1;
    if (this.count < this.period) this.count++;
    if (full && Math.abs(old) > this.safeMax) this.big--;
    if (Math.abs(x) > this.safeMax) this.big++;
    if (this.big > 0) this.sumValid = false;
    else if (!this.sumValid || !(full ? this.sum.replace(old, x) : this.sum.add(x))) this.rebuildSum();
    if (this.count < this.period) return undefined;
    return (this.v = (this.sumValid ? this.sum.value() : fsum(this.window)) / this.period);
  }

  reset(): void {
    this.count = 0;
    this.pos = 0;
    this.v = undefined;
    this.window.fill(0);
    this.sum.reset();
    this.sumValid = true;
    this.big = 0;
  }

  /** The running sum from scratch: every value in the window (empty slots are 0). */
  private rebuildSum(): void {
    this.sum.reset();
    let ok = true;
    for (let k = 0; k < this.period && ok; k++) ok = this.sum.add(this.window[k]!);
    this.sumValid = ok;
  }
}
