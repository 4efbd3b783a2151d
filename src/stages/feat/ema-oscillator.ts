// The two EMA oscillators of backtrader, one computation with a different line:
//   MACD (MACDHisto):                     line = EMA(x, fast) - EMA(x, slow)
//   PPO (PercentagePriceOscillator):      line = 100 (EMA(x, fast) - EMA(x, slow)) / EMA(x, slow)
//                                         (the long average as denominator, backtrader's default)
// The line has its first value once both averages do (bar max(fast, slow)); signal =
// EMA(line, signalPeriod), seeded with the SMA of the first signalPeriod line values;
// histo = line - signal.

import { Ema } from './ema.ts';

/** How the oscillator's line is made from the fast and the slow average. */
export type OscillatorLine = (fast: number, slow: number) => number;

export const MACD_LINE: OscillatorLine = (fast, slow) => fast - slow;
export const PPO_LINE: OscillatorLine = (fast, slow) => (100.0 * (fast - slow)) / slow;

export class EmaOscillator {
  readonly warmup: number;
  private readonly fast: Ema;
  private readonly slow: Ema;
  private readonly signalEma: Ema;
  line: number | undefined;
  signal: number | undefined;
  histo: number | undefined;

  constructor(
    private readonly lineOf: OscillatorLine,
    fastPeriod = 12,
    slowPeriod = 26,
    signalPeriod = 9,
  ) {
    this.fast = new Ema(fastPeriod);
    this.slow = new Ema(slowPeriod);
    this.signalEma = new Ema(signalPeriod);
    this.warmup = Math.max(fastPeriod, slowPeriod) + signalPeriod - 1;
  }

  /** Feeds x; true once the line has a value (signal and histo come later). */
  update(x: number): boolean {
    const f = this.fast.update(x);
    const s = this.slow.update(x);
    if (f === undefined || s === undefined) return false;
    const line = this.lineOf(f, s);
    this.line = line;
    const signal = this.signalEma.update(line);
    if (signal !== undefined) {
      this.signal = signal;
      this.histo = line - signal;
    }
    return true;
  }

  reset(): void {
    this.fast.reset();
    this.slow.reset();
    this.signalEma.reset();
    this.line = this.signal = this.histo = undefined;
  }
}
