// Every catalogue indicator class starts over on reset(): fed the ORCL closes (or bars),
// reset part way, and fed again, it gives the same series as a fresh one, every output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readBarsFile } from '../../../src/adapters/data/csv-bars.ts';
import type { Bar } from '../../../src/domain/market.ts';
import { Aroon } from '../../../src/stages/feat/aroon.ts';
import { Bollinger } from '../../../src/stages/feat/bollinger.ts';
import { Cci } from '../../../src/stages/feat/cci.ts';
import { Dema } from '../../../src/stages/feat/dema.ts';
import { Dmi } from '../../../src/stages/feat/dmi.ts';
import { Highest, Lowest } from '../../../src/stages/feat/highest-lowest.ts';
import { Hma } from '../../../src/stages/feat/hma.ts';
import { Ichimoku } from '../../../src/stages/feat/ichimoku.ts';
import { Kama } from '../../../src/stages/feat/kama.ts';
import { Lag } from '../../../src/stages/feat/lag.ts';
import { EmaOscillator, MACD_LINE, PPO_LINE } from '../../../src/stages/feat/ema-oscillator.ts';
import { Momentum, RateOfChange } from '../../../src/stages/feat/momentum.ts';
import { StdDev } from '../../../src/stages/feat/stddev.ts';
import { Stochastic, StochasticFast } from '../../../src/stages/feat/stochastic.ts';
import { Tema } from '../../../src/stages/feat/tema.ts';
import { WilliamsR } from '../../../src/stages/feat/williams-r.ts';
import { Wma } from '../../../src/stages/feat/wma.ts';
import { Zlema } from '../../../src/stages/feat/zlema.ts';
import { BT } from '../ing/fixtures.ts';

const BARS = readBarsFile(join(BT, '2006-day-001.txt')).bars;

/** Something fed a bar that reports every output after it, and can reset. */
interface Probe {
  feed(b: Bar): (number | undefined)[];
  reset(): void;
}

const source = (ind: { update(x: number): number | undefined; reset(): void }): Probe => ({ feed: (b) => [ind.update(b.close)], reset: () => ind.reset() });

const probes: Record<string, () => Probe> = {
  wma: () => source(new Wma(10)),
  dema: () => source(new Dema(10)),
  tema: () => source(new Tema(10)),
  kama: () => source(new Kama(10, 2, 30)),
  hma: () => source(new Hma(16)),
  zlema: () => source(new Zlema(10)),
  stddev: () => source(new StdDev(10)),
  momentum: () => source(new Momentum(5)),
  roc: () => source(new RateOfChange(5)),
  highest: () => source(new Highest(7)),
  lowest: () => source(new Lowest(7)),
  lag: () => source(new Lag(3)),
  bollinger: () => {
    const x = new Bollinger(10, 2);
    return { feed: (b) => (x.update(b.close), [x.mid, x.top, x.bot, x.pctb]), reset: () => x.reset() };
  },
  macd: () => {
    const x = new EmaOscillator(MACD_LINE, 5, 10, 4);
    return { feed: (b) => (x.update(b.close), [x.line, x.signal, x.histo]), reset: () => x.reset() };
  },
  ppo: () => {
    const x = new EmaOscillator(PPO_LINE, 5, 10, 4);
    return { feed: (b) => (x.update(b.close), [x.line, x.signal, x.histo]), reset: () => x.reset() };
  },
  stochastic: () => {
    const x = new Stochastic(5, 3, 3);
    return { feed: (b) => (x.update(b.high, b.low, b.close), [x.k, x.d]), reset: () => x.reset() };
  },
  stochastic_fast: () => {
    const x = new StochasticFast(5, 3);
    return { feed: (b) => (x.update(b.high, b.low, b.close), [x.k, x.d]), reset: () => x.reset() };
  },
  williamsr: () => {
    const x = new WilliamsR(7);
    return { feed: (b) => [x.update(b.high, b.low, b.close)], reset: () => x.reset() };
  },
  cci: () => {
    const x = new Cci(7, 0.015);
    return { feed: (b) => [x.update(b.high, b.low, b.close)], reset: () => x.reset() };
  },
  dmi: () => {
    const x = new Dmi(5);
    return { feed: (b) => (x.update(b.high, b.low, b.close), [x.plus, x.minus, x.adx]), reset: () => x.reset() };
  },
  aroon: () => {
    const x = new Aroon(7);
    return { feed: (b) => (x.update(b.high, b.low), [x.up, x.down, x.osc]), reset: () => x.reset() };
  },
  ichimoku: () => {
    const x = new Ichimoku(3, 5, 9, 4);
    return { feed: (b) => (x.update(b.high, b.low), [x.tenkan, x.kijun, x.spanA, x.spanB]), reset: () => x.reset() };
  },
};

for (const [kind, make] of Object.entries(probes)) {
  test(`${kind}: reset() part way starts over (the same series as a fresh one, every output)`, () => {
    const fresh = make();
    const want = BARS.map((b) => fresh.feed(b));
    const reused = make();
    for (const b of BARS.slice(0, 40)) reused.feed(b);
    reused.reset();
    const got = BARS.map((b) => reused.feed(b));
    assert.deepEqual(got, want);
    assert.ok(want.at(-1)!.every((v) => typeof v === 'number' && Number.isFinite(v)), 'every output has a value by the last bar');
  });
}
