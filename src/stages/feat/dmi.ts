// DMI / ADX as backtrader's DirectionalMovementIndex (Wilder):
//   up = high_t - high_{t-1}; down = low_{t-1} - low_t          (from bar 2)
//   +DM = up if up > down and up > 0 else 0; -DM likewise
//   +DI = 100 * SMMA(+DM, n) / ATR(n); -DI likewise            (first on bar n + 1)
//   ADX = 100 * SMMA(|+DI - -DI| / (+DI + -DI), n)            (first on bar 2n)
// SMMA is Wilder's smoothing seeded with an SMA (ema.ts), ATR is atr.ts: both backtrader's.

import { Atr } from './atr.ts';
import { Smma } from './ema.ts';
import { checkPeriod } from './indicator.ts';

export class Dmi {
  readonly warmup: number;
  private readonly atr: Atr;
  private readonly plusDm: Smma;
  private readonly minusDm: Smma;
  private readonly dx: Smma;
  private prevHigh: number | undefined;
  private prevLow = 0;
  plus: number | undefined;
  minus: number | undefined;
  adx: number | undefined;

  constructor(period = 14) {
    checkPeriod('DMI', period);
    this.atr = new Atr(period);
    this.plusDm = new Smma(period);
    this.minusDm = new Smma(period);
    this.dx = new Smma(period);
    this.warmup = 2 * period;
  }

  /** Feeds a bar; true once +DI and -DI have values (ADX comes later). */
  update(high: number, low: number, close: number): boolean {
    const atr = this.atr.update(high, low, close);
    const prevHigh = this.prevHigh;
    const prevLow = this.prevLow;
    this.prevHigh = high;
    this.prevLow = low;
    if (prevHigh === undefined) return false;
    const up = high - prevHigh;
    const down = prevLow - low;
    const plusAv = this.plusDm.update(up > down && up > 0.0 ? up : 0.0);
    const minusAv = this.minusDm.update(down > up && down > 0.0 ? down : 0.0);
    if (atr === undefined || plusAv === undefined || minusAv === undefined) return false;
    const plus = (100.0 * plusAv) / atr;
    const minus = (100.0 * minusAv) / atr;
    this.plus = plus;
    this.minus = minus;
    const dx = Math.abs(plus - minus) / (plus + minus);
    // No direction at all (0 / 0): backtrader raises; the NaN goes on so FEAT refuses the bar.
    if (!Number.isFinite(dx)) this.adx = Number.NaN;
    else {
      const adx = this.dx.update(dx);
      if (adx !== undefined) this.adx = 100.0 * adx;
    }
    return true;
  }

  reset(): void {
    this.atr.reset();
    this.plusDm.reset();
    this.minusDm.reset();
    this.dx.reset();
    this.prevHigh = undefined;
    this.plus = this.minus = this.adx = undefined;
  }
}
