// A feature's value n bars back (backtrader's line(-n)): first n bars after its input's first.

import { checkFinite, checkPeriod } from './indicator.ts';
import type { StreamingIndicator } from './indicator.ts';
import { Ring } from './ring.ts';

export class Lag implements StreamingIndicator {
  readonly period: number;
  readonly warmup: number;
  private readonly xs: Ring;
  private v: number | undefined;

  constructor(period = 1) {
    checkPeriod('Lag', period);
    this.period = period;
    this.warmup = period + 1;
    this.xs = new Ring(period + 1);
  }

  get value(): number | undefined {
    return this.v;
  }

  update(x: number): number | undefined {
    checkFinite('Lag', x);
    this.xs.push(x);
    if (!this.xs.full) return undefined;
    return (this.v = this.xs.ago(this.period));
  }

  reset(): void {
    this.xs.reset();
    this.v = undefined;
  }
}
