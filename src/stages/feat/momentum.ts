// Momentum and rate of change as backtrader's Momentum and RateOfChange (ROC):
//   momentum = x_t - x_{t-n};  roc = (x_t - x_{t-n}) / x_{t-n}   (a fraction, not percent)
// Both first on bar n + 1.

import { checkFinite, checkPeriod } from './indicator.ts';
import type { StreamingIndicator } from './indicator.ts';
import { Ring } from './ring.ts';

abstract class Change implements StreamingIndicator {
  readonly period: number;
  readonly warmup: number;
  private readonly xs: Ring;
  private v: number | undefined;

  constructor(what: string, period: number) {
    checkPeriod(what, period);
    this.period = period;
    this.warmup = period + 1;
    this.xs = new Ring(period + 1);
  }

  get value(): number | undefined {
    return this.v;
  }

  update(x: number): number | undefined {
    checkFinite('Momentum/ROC', x);
    this.xs.push(x);
    if (!this.xs.full) return undefined;
    return (this.v = this.of(x, this.xs.ago(this.period)));
  }

  protected abstract of(x: number, before: number): number;

  reset(): void {
    this.xs.reset();
    this.v = undefined;
  }
}

export class Momentum extends Change {
  constructor(period = 12) {
    super('Momentum', period);
  }

  protected of(x: number, before: number): number {
    return x - before;
  }
}

export class RateOfChange extends Change {
  constructor(period = 12) {
    super('ROC', period);
  }

  protected of(x: number, before: number): number {
    return (x - before) / before;
  }
}
