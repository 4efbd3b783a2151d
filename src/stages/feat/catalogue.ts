// How FEAT runs a catalogue kind (domain/indicator-kinds.ts): each spec becomes one
// CatalogueState, fed once per bar with the bar and its resolved inputs, its outputs read
// in the catalogue's order (one value slot each, see feature-plan.ts). The indicators
// themselves are plain classes, a file each; this file only binds their inputs and outputs.

import type { Bar } from '../../domain/market.ts';
import type { IndicatorSpec } from '../../domain/feature-spec.ts';
import { paramsOf } from '../../domain/indicator-kinds.ts';
import { difference, ratio, scale } from './arithmetic.ts';
import { Aroon } from './aroon.ts';
import { Bollinger } from './bollinger.ts';
import { Cci } from './cci.ts';
import { Dema } from './dema.ts';
import { Dmi } from './dmi.ts';
import { Highest, Lowest } from './highest-lowest.ts';
import { Hma } from './hma.ts';
import { Ichimoku } from './ichimoku.ts';
import { Kama } from './kama.ts';
import { Lag } from './lag.ts';
import { EmaOscillator, MACD_LINE, PPO_LINE } from './ema-oscillator.ts';
import { Momentum, RateOfChange } from './momentum.ts';
import { StdDev } from './stddev.ts';
import { Stochastic, StochasticFast } from './stochastic.ts';
import { Tema } from './tema.ts';
import { WilliamsR } from './williams-r.ts';
import { Wma } from './wma.ts';
import { Zlema } from './zlema.ts';

/** One catalogue feature's per-symbol state. */
export interface CatalogueState {
  /** Feeds this bar; `a` / `b` are the source (or pair) inputs, undefined while they warm up. */
  step(bar: Bar, a: number | undefined, b: number | undefined): void;
  /** The outputs after the last step, in the catalogue's order; undefined until warm. */
  readonly out: (number | undefined)[];
}

/** An indicator of one input and one value. */
interface SourceIndicator {
  update(x: number): number | undefined;
}

/**
 * One input, one value. On a bar where the input has no value (a feature still warming up)
 * it is not fed and holds its last value, as backtrader's indicator-on-indicator does.
 */
class FromSource implements CatalogueState {
  readonly out: (number | undefined)[] = [undefined];
  constructor(private readonly ind: SourceIndicator) {}

  step(_bar: Bar, a: number | undefined): void {
    if (a !== undefined) this.out[0] = this.ind.update(a);
  }
}

/** One input, several outputs: `read` copies them after each update. */
class FromSourceMulti<T extends { update(x: number): unknown }> implements CatalogueState {
  readonly out: (number | undefined)[];
  constructor(
    private readonly ind: T,
    outputs: number,
    private readonly read: (ind: T, out: (number | undefined)[]) => void,
  ) {
    this.out = Array(outputs).fill(undefined);
  }

  step(_bar: Bar, a: number | undefined): void {
    if (a === undefined) return;
    this.ind.update(a);
    this.read(this.ind, this.out);
  }
}

/** Reads the bar itself (high, low, close). */
class FromBar<T> implements CatalogueState {
  readonly out: (number | undefined)[];
  constructor(
    private readonly ind: T,
    outputs: number,
    private readonly feed: (ind: T, bar: Bar, out: (number | undefined)[]) => void,
  ) {
    this.out = Array(outputs).fill(undefined);
  }

  step(bar: Bar): void {
    this.feed(this.ind, bar, this.out);
  }
}

/** Two inputs, combined on every bar where both have a value. */
class FromPair implements CatalogueState {
  readonly out: (number | undefined)[] = [undefined];
  constructor(private readonly op: (a: number, b: number) => number) {}

  step(_bar: Bar, a: number | undefined, b: number | undefined): void {
    this.out[0] = a === undefined || b === undefined ? undefined : this.op(a, b);
  }
}

/** A fresh per-symbol state for a validated catalogue spec. */
export function createCatalogueState(spec: IndicatorSpec): CatalogueState {
  const p = paramsOf(spec.kind, spec);
  switch (spec.kind) {
    case 'wma':
      return new FromSource(new Wma(p.period!));
    case 'dema':
      return new FromSource(new Dema(p.period!));
    case 'tema':
      return new FromSource(new Tema(p.period!));
    case 'hma':
      return new FromSource(new Hma(p.period!));
    case 'zlema':
      return new FromSource(new Zlema(p.period!));
    case 'kama':
      return new FromSource(new Kama(p.period!, p.fast!, p.slow!));
    case 'stddev':
      return new FromSource(new StdDev(p.period!));
    case 'momentum':
      return new FromSource(new Momentum(p.period!));
    case 'roc':
      return new FromSource(new RateOfChange(p.period!));
    case 'highest':
      return new FromSource(new Highest(p.period!));
    case 'lowest':
      return new FromSource(new Lowest(p.period!));
    case 'lag':
      return new FromSource(new Lag(p.period!));
    case 'scale': {
      const factor = p.factor!;
      return new FromSource({ update: (x) => scale(factor, x) });
    }
    case 'bollinger':
      return new FromSourceMulti(new Bollinger(p.period!, p.devfactor!), 4, (b, out) => {
        out[0] = b.mid;
        out[1] = b.top;
        out[2] = b.bot;
        out[3] = b.pctb;
      });
    case 'macd':
    case 'ppo':
      return new FromSourceMulti(new EmaOscillator(spec.kind === 'macd' ? MACD_LINE : PPO_LINE, p.fastPeriod!, p.slowPeriod!, p.signalPeriod!), 3, (m, out) => {
        out[0] = m.line;
        out[1] = m.signal;
        out[2] = m.histo;
      });
    case 'stochastic':
      return new FromBar(new Stochastic(p.period!, p.periodDFast!, p.periodDSlow!), 2, (s, bar, out) => {
        s.update(bar.high, bar.low, bar.close);
        out[0] = s.k;
        out[1] = s.d;
      });
    case 'stochastic_fast':
      return new FromBar(new StochasticFast(p.period!, p.periodDFast!), 2, (s, bar, out) => {
        s.update(bar.high, bar.low, bar.close);
        out[0] = s.k;
        out[1] = s.d;
      });
    case 'williamsr':
      return new FromBar(new WilliamsR(p.period!), 1, (w, bar, out) => {
        out[0] = w.update(bar.high, bar.low, bar.close);
      });
    case 'cci':
      return new FromBar(new Cci(p.period!, p.factor!), 1, (c, bar, out) => {
        out[0] = c.update(bar.high, bar.low, bar.close);
      });
    case 'dmi':
      return new FromBar(new Dmi(p.period!), 3, (d, bar, out) => {
        d.update(bar.high, bar.low, bar.close);
        out[0] = d.plus;
        out[1] = d.minus;
        out[2] = d.adx;
      });
    case 'aroon':
      return new FromBar(new Aroon(p.period!), 3, (a, bar, out) => {
        a.update(bar.high, bar.low);
        out[0] = a.up;
        out[1] = a.down;
        out[2] = a.osc;
      });
    case 'ichimoku':
      return new FromBar(new Ichimoku(p.tenkan!, p.kijun!, p.senkou!, p.senkouLead!), 4, (ich, bar, out) => {
        ich.update(bar.high, bar.low);
        out[0] = ich.tenkan;
        out[1] = ich.kijun;
        out[2] = ich.spanA;
        out[3] = ich.spanB;
      });
    case 'diff':
      return new FromPair(difference);
    case 'ratio':
      return new FromPair(ratio);
  }
}
