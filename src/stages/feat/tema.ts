// TEMA(n) as backtrader's TripleExponentialMovingAverage: 3 e1 - 3 e2 + e3 (in that order of
// operations), e1 = EMA(x), e2 = EMA(e1), e3 = EMA(e2), each seeded with its SMA.

import { Ema } from './ema.ts';
import { checkPeriod } from './indicator.ts';
import type { StreamingIndicator } from './indicator.ts';

export class Tema implements StreamingIndicator {
  readonly warmup: number;
  private readonly ema1: Ema;
  private readonly ema2: Ema;
  private readonly ema3: Ema;
  private v: number | undefined;

  constructor(period: number) {
    checkPeriod('TEMA', period);
    this.warmup = 3 * period - 2;
    this.ema1 = new Ema(period);
    this.ema2 = new Ema(period);
    this.ema3 = new Ema(period);
  }

  get value(): number | undefined {
    return this.v;
  }

  update(x: number): number | undefined {
    const e1 = this.ema1.update(x);
    if (e1 === undefined) return undefined;
    const e2 = this.ema2.update(e1);
    if (e2 === undefined) return undefined;
    const e3 = this.ema3.update(e2);
    if (e3 === undefined) return undefined;
    return (this.v = 3.0 * e1 - 3.0 * e2 + e3);
  }

  reset(): void {
    this.ema1.reset();
    this.ema2.reset();
    this.ema3.reset();
    this.v = undefined;
  }
}
