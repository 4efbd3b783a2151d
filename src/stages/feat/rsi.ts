// RSI(n) as backtrader's RelativeStrengthIndex (Wilder): up = max(x_t - x_{t-1}, 0),
// down = max(x_{t-1} - x_t, 0), each smoothed by SMMA(n) (alpha 1/n, seeded with the
// simple average of the first n moves), rs = up / down, rsi = 100 - 100 / (1 + rs).
// First value on bar n + 1. With a zero average loss backtrader's default raises
// ZeroDivisionError; we return what its `safediv` mode returns: 100 when the average gain is
// positive (rs = inf), 50 when both are zero (0/0).

import { Smma } from './ema.ts';
import { checkFinite, checkPeriod } from './indicator.ts';
import type { StreamingIndicator } from './indicator.ts';

export class Rsi implements StreamingIndicator {
  readonly period: number;
  readonly warmup: number;
  private readonly up: Smma;
  private readonly down: Smma;
  private prev: number | undefined;
  private v: number | undefined;

  constructor(period: number) {
    checkPeriod('RSI', period);
    this.period = period;
    this.warmup = period + 1;
    this.up = new Smma(period);
    this.down = new Smma(period);
  }

  get value(): number | undefined {
    return this.v;
  }

  update(x: number): number | undefined {
    checkFinite('RSI', x);
    const prev = this.prev;
    this.prev = x;
    if (prev === undefined) return undefined;
    const maUp = this.up.update(Math.max(x - prev, 0.0));
    const maDown = this.down.update(Math.max(prev - x, 0.0));
    if (maUp === undefined || maDown === undefined) return undefined;
    return (this.v = rsiFrom(maUp, maDown));
  }

  reset(): void {
    this.up.reset();
    this.down.reset();
    this.prev = undefined;
    this.v = undefined;
  }
}

/** 100 - 100 / (1 + up/down), with backtrader's safediv answers for a zero `down`. */
function rsiFrom(maUp: number, maDown: number): number {
  const rs = maDown === 0 ? (maUp !== 0 ? Number.POSITIVE_INFINITY : 1.0) : maUp / maDown;
  return 100.0 - 100.0 / (1.0 + rs);
}
