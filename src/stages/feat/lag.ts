// A feature's value n bars back (backtrader's line(-n)): first n bars after its input's first.
// `BarsBack` is the shared shape of every indicator made of the input now and n bars ago
// (Lag here; Momentum and ROC in momentum.ts): a ring of n + 1 values, first on bar n + 1.

import { checkFinite, checkPeriod } from './indicator.ts';
import type { StreamingIndicator } from './indicator.ts';
import { Ring } from './ring.ts';

export abstract class BarsBack implements StreamingIndicator {
  readonly period: number;
  readonly warmup: number;
  private readonly xs: Ring;
  private v: number | undefined;

  constructor(
    private readonly what: string,
    period: number,
  ) {
    checkPeriod(what, period);
    this.period = period;
    this.warmup = period + 1;
    this.xs = new Ring(period + 1);
  }

  get value(): number | undefined {
    return this.v;
  }

  update(x: number): number | undefined {
    checkFinite(this.what, x);
    this.xs.push(x);
    if (!this.xs.full) return undefined;
    return (this.v = this.of(x, this.xs.ago(this.period)));
  }

  /** The value from the input now and `period` bars ago. */
  protected abstract of(x: number, before: number): number;

  reset(): void {
    this.xs.reset();
    this.v = undefined;
  }
}

export class Lag extends BarsBack {
  constructor(period = 1) {
    super('Lag', period);
  }

  protected of(_x: number, before: number): number {
    return before;
  }
}
