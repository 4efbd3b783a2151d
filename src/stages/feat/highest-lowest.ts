// Highest / lowest over the last n values, as backtrader's Highest (MaxN) and Lowest (MinN):
// Python's max / min over the window, first on bar n. A Donchian channel is
// highest(high, n) and lowest(low, n). O(n) memory and a scan of the window per bar.

import { checkFinite, checkPeriod } from './indicator.ts';
import type { StreamingIndicator } from './indicator.ts';
import { Ring } from './ring.ts';

abstract class WindowExtreme implements StreamingIndicator {
  readonly period: number;
  readonly warmup: number;
  protected readonly window: Ring;
  private v: number | undefined;

  constructor(what: string, period: number) {
    checkPeriod(what, period);
    this.period = period;
    this.warmup = period;
    this.window = new Ring(period);
  }

  get value(): number | undefined {
    return this.v;
  }

  update(x: number): number | undefined {
    checkFinite('Highest/Lowest', x);
    this.window.push(x);
    if (!this.window.full) return undefined;
    return (this.v = this.extreme());
  }

  protected abstract extreme(): number;

  reset(): void {
    this.window.reset();
    this.v = undefined;
  }
}

export class Highest extends WindowExtreme {
  constructor(period: number) {
    super('Highest', period);
  }

  protected extreme(): number {
    return this.window.max();
  }
}

export class Lowest extends WindowExtreme {
  constructor(period: number) {
    super('Lowest', period);
  }

  protected extreme(): number {
    return this.window.min();
  }
}
