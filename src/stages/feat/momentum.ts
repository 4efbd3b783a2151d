// Momentum and rate of change as backtrader's Momentum and RateOfChange (ROC):
//   momentum = x_t - x_{t-n};  roc = (x_t - x_{t-n}) / x_{t-n}   (a fraction, not percent)
// Both first on bar n + 1.

import { BarsBack } from './lag.ts';

export class Momentum extends BarsBack {
  constructor(period = 12) {
    super('Momentum', period);
  }

  protected of(x: number, before: number): number {
    return x - before;
  }
}

export class RateOfChange extends BarsBack {
  constructor(period = 12) {
    super('ROC', period);
  }

  protected of(x: number, before: number): number {
    return (x - before) / before;
  }
}
