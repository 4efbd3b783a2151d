// KAMA as backtrader's AdaptiveMovingAverage (Kaufman):
//   er_t = |(x_t - x_{t-n}) / fsum(|x_i - x_{i-1}|, last n)|     (efficiency ratio)
//   sc_t = (er_t (fast - slow) + slow)^2, fast = 2 / (fastPeriod + 1), slow = 2 / (slowPeriod + 1)
//   kama_t = kama_{t-1} (1 - sc_t) + x_t sc_t
// backtrader's quirk, matched: the first value is on bar n + 1 (er needs n + 1 values) and is
// the simple average of the LAST n inputs (bars 2..n+1), not of the first n; the ratio is
// never used for the seed. A window without movement (volatility 0, so direction 0 too)
// raises ZeroDivisionError in backtrader; here its efficiency counts as 0 (slowest smoothing).

import { fsum } from './fsum.ts';
import { checkFinite, checkPeriod } from './indicator.ts';
import type { StreamingIndicator } from './indicator.ts';
import { Ring } from './ring.ts';

export class Kama implements StreamingIndicator {
  readonly period: number;
  readonly warmup: number;
  private readonly fast: number;
  private readonly slow: number;
  /** The last n + 1 inputs. */
  private readonly xs: Ring;
  /** The last n absolute moves |x_t - x_{t-1}|. */
  private readonly moves: Ring;
  private readonly scratch: Float64Array;
  private v: number | undefined;

  constructor(period: number, fastPeriod = 2, slowPeriod = 30) {
    checkPeriod('KAMA', period);
    checkPeriod('KAMA fast', fastPeriod);
    checkPeriod('KAMA slow', slowPeriod);
    this.period = period;
    this.warmup = period + 1;
    this.fast = 2.0 / (fastPeriod + 1.0);
    this.slow = 2.0 / (slowPeriod + 1.0);
    this.xs = new Ring(period + 1);
    this.moves = new Ring(period);
    this.scratch = new Float64Array(period);
  }

  get value(): number | undefined {
    return this.v;
  }

  update(x: number): number | undefined {
    checkFinite('KAMA', x);
    if (this.xs.count > 0) this.moves.push(Math.abs(x - this.xs.ago(0)));
    this.xs.push(x);
    if (!this.xs.full) return undefined;
    const n = this.period;
    if (this.v === undefined) {
      for (let ago = 0; ago < n; ago++) this.scratch[ago] = this.xs.ago(ago);
      return (this.v = fsum(this.scratch) / n);
    }
    for (let ago = 0; ago < n; ago++) this.scratch[ago] = this.moves.ago(ago);
    const volatility = fsum(this.scratch);
    const direction = x - this.xs.ago(n);
    const er = volatility === 0 ? 0 : Math.abs(direction / volatility);
    const base = er * (this.fast - this.slow) + this.slow;
    const sc = base * base;
    return (this.v = this.v * (1.0 - sc) + x * sc);
  }

  reset(): void {
    this.xs.reset();
    this.moves.reset();
    this.v = undefined;
  }
}
