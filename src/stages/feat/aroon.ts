// Aroon as backtrader's AroonUpDownOscillator, over a window of n + 1 bars:
//   up = (100 / n) * (n - bars since the highest high)   (the most recent one on a tie)
//   down = (100 / n) * (n - bars since the lowest low); osc = up - down
// All first on bar n + 1.

import { checkFinite, checkPeriod } from './indicator.ts';
import { Ring } from './ring.ts';

export class Aroon {
  readonly period: number;
  readonly warmup: number;
  private readonly scale: number;
  private readonly highs: Ring;
  private readonly lows: Ring;
  up: number | undefined;
  down: number | undefined;
  osc: number | undefined;

  constructor(period = 14) {
    checkPeriod('Aroon', period);
    this.period = period;
    this.warmup = period + 1;
    this.scale = 100.0 / period;
    this.highs = new Ring(period + 1);
    this.lows = new Ring(period + 1);
  }

  /** Feeds a bar; true once the lines have values. */
  update(high: number, low: number): boolean {
    checkFinite('Aroon', high);
    checkFinite('Aroon', low);
    this.highs.push(high);
    this.lows.push(low);
    if (!this.highs.full) return false;
    const up = this.scale * (this.period - agoOfExtreme(this.highs, 1));
    const down = this.scale * (this.period - agoOfExtreme(this.lows, -1));
    this.up = up;
    this.down = down;
    this.osc = up - down;
    return true;
  }

  reset(): void {
    this.highs.reset();
    this.lows.reset();
    this.up = this.down = this.osc = undefined;
  }
}

/** Bars back to the most recent maximum (sign 1) or minimum (sign -1) of a full window. */
function agoOfExtreme(w: Ring, sign: 1 | -1): number {
  let best = 0;
  let bestValue = sign * w.ago(0);
  for (let ago = 1; ago < w.size; ago++) {
    const v = sign * w.ago(ago);
    if (v > bestValue) {
      bestValue = v;
      best = ago;
    }
  }
  return best;
}
