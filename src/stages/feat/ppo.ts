// PPO as backtrader's PercentagePriceOscillator: ppo = 100 (EMA(x, fast) - EMA(x, slow)) /
// EMA(x, slow) (the long average as denominator, backtrader's default), signal = EMA(ppo,
// signalPeriod) seeded with its SMA, histo = ppo - signal.

import { Ema } from './ema.ts';

export class Ppo {
  readonly warmup: number;
  private readonly fast: Ema;
  private readonly slow: Ema;
  private readonly signalEma: Ema;
  ppo: number | undefined;
  signal: number | undefined;
  histo: number | undefined;

  constructor(fastPeriod = 12, slowPeriod = 26, signalPeriod = 9) {
    this.fast = new Ema(fastPeriod);
    this.slow = new Ema(slowPeriod);
    this.signalEma = new Ema(signalPeriod);
    this.warmup = Math.max(fastPeriod, slowPeriod) + signalPeriod - 1;
  }

  /** Feeds x; true once the ppo line has a value (signal and histo come later). */
  update(x: number): boolean {
    const f = this.fast.update(x);
    const s = this.slow.update(x);
    if (f === undefined || s === undefined) return false;
    const ppo = (100.0 * (f - s)) / s;
    this.ppo = ppo;
    const signal = this.signalEma.update(ppo);
    if (signal !== undefined) {
      this.signal = signal;
      this.histo = ppo - signal;
    }
    return true;
  }

  reset(): void {
    this.fast.reset();
    this.slow.reset();
    this.signalEma.reset();
    this.ppo = this.signal = this.histo = undefined;
  }
}
