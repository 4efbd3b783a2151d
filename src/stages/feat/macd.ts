// MACD as backtrader's MACDHisto: macd = EMA(x, fast) - EMA(x, slow) (first once both are,
// bar max(fast, slow)); signal = EMA(macd, signalPeriod), seeded with the SMA of the first
// signalPeriod macd values; histo = macd - signal.

import { Ema } from './ema.ts';

export class Macd {
  readonly warmup: number;
  private readonly fast: Ema;
  private readonly slow: Ema;
  private readonly signalEma: Ema;
  macd: number | undefined;
  signal: number | undefined;
  histo: number | undefined;

  constructor(fastPeriod = 12, slowPeriod = 26, signalPeriod = 9) {
    this.fast = new Ema(fastPeriod);
    this.slow = new Ema(slowPeriod);
    this.signalEma = new Ema(signalPeriod);
    this.warmup = Math.max(fastPeriod, slowPeriod) + signalPeriod - 1;
  }

  /** Feeds x; true once the macd line has a value (signal and histo come later). */
  update(x: number): boolean {
    const f = this.fast.update(x);
    const s = this.slow.update(x);
    if (f === undefined || s === undefined) return false;
    const macd = f - s;
    this.macd = macd;
    const signal = this.signalEma.update(macd);
    if (signal !== undefined) {
      this.signal = signal;
      this.histo = macd - signal;
    }
    return true;
  }

  reset(): void {
    this.fast.reset();
    this.slow.reset();
    this.signalEma.reset();
    this.macd = this.signal = this.histo = undefined;
  }
}
