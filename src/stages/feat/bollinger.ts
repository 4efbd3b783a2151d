// Bollinger Bands as backtrader's BollingerBandsPct:
//   mid = SMA(x, n); dev = devfactor * StdDev(x, n) (population, see stddev.ts)
//   top = mid + dev; bot = mid - dev; pctb = (x - bot) / (top - bot)
// All four first on bar n.

import { checkFinite } from './indicator.ts';
import { StdDev } from './stddev.ts';

export class Bollinger {
  readonly warmup: number;
  readonly devfactor: number;
  private readonly sd: StdDev;
  mid: number | undefined;
  top: number | undefined;
  bot: number | undefined;
  pctb: number | undefined;

  constructor(period: number, devfactor = 2.0) {
    this.sd = new StdDev(period);
    checkFinite('Bollinger devfactor', devfactor);
    this.devfactor = devfactor;
    this.warmup = period;
  }

  /** Feeds x; true once the bands have values. */
  update(x: number): boolean {
    const sd = this.sd.update(x);
    if (sd === undefined) return false;
    const mid = this.sd.mean!;
    const dev = this.devfactor * sd;
    const top = mid + dev;
    const bot = mid - dev;
    this.mid = mid;
    this.top = top;
    this.bot = bot;
    this.pctb = (x - bot) / (top - bot);
    return true;
  }

  reset(): void {
    this.sd.reset();
    this.mid = this.top = this.bot = this.pctb = undefined;
  }
}
