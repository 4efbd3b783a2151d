// backtrader's CrossOver(a, b), exactly:
//   diff_t = a_t - b_t; nzd ("last non-zero difference") is seeded on the first bar where
//   a and b are both defined with nzd = diff (even if 0); afterwards nzd_t = diff_t if
//   diff_t != 0 else nzd_{t-1}. From the next bar on:
//     cross_t = +1 if nzd_{t-1} < 0 and a_t > b_t; -1 if nzd_{t-1} > 0 and a_t < b_t; else 0.
// A bar where a == b exactly is skipped and the sign before it remembered: below, equal,
// above is one up-cross on the "above" bar; below, equal, below is none.

import { checkFinite } from './indicator.ts';
import type { StreamingIndicator } from './indicator.ts';

export type Cross = -1 | 0 | 1;

export class CrossOver implements StreamingIndicator {
  /** 1-based first bar with a value: one after both inputs are defined. */
  readonly warmup: number;
  private nzd = 0;
  private seeded = false;
  private v: Cross | undefined;

  /** `warmupA`/`warmupB`: the 1-based first bars of the two inputs (for `warmup` only). */
  constructor(warmupA = 1, warmupB = 1) {
    this.warmup = Math.max(warmupA, warmupB) + 1;
  }

  get value(): Cross | undefined {
    return this.v;
  }

  /** Feed the two lines' values of this bar (undefined while either is warming up). */
  update(a: number | undefined, b: number | undefined): Cross | undefined {
    if (a === undefined || b === undefined) return undefined;
    checkFinite('CrossOver', a);
    checkFinite('CrossOver', b);
    const diff = a - b;
    if (!this.seeded) {
      this.seeded = true;
      this.nzd = diff;
      return undefined;
    }
    const before = this.nzd;
    const cross: Cross = before < 0 && a > b ? 1 : before > 0 && a < b ? -1 : 0;
    if (diff !== 0) this.nzd = diff;
    return (this.v = cross);
  }

  reset(): void {
    this.nzd = 0;
    this.seeded = false;
    this.v = undefined;
  }
}
