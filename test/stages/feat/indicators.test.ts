import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Sma } from '../../../src/stages/feat/sma.ts';
import { Ema, Smma } from '../../../src/stages/feat/ema.ts';
import { Rsi } from '../../../src/stages/feat/rsi.ts';
import { Atr } from '../../../src/stages/feat/atr.ts';
import { CrossOver } from '../../../src/stages/feat/crossover.ts';
import type { Cross } from '../../../src/stages/feat/crossover.ts';
import { fsum } from '../../../src/stages/feat/fsum.ts';
import { readBarsFile } from '../../../src/adapters/data/csv-bars.ts';
import { OrdinisError } from '../../../src/errors.ts';
import { DAY, ORCL, SPY, isoDate, refCases } from '../ing/fixtures.ts';
import type { Bar } from '../../../src/domain/market.ts';
import { join } from 'node:path';

const SHARED_ROOT = new URL('../../../../shared/', import.meta.url).pathname;

interface Series {
  dates: string[];
  values: (number | undefined)[];
}

function run(bars: Bar[], f: (b: Bar) => number | undefined): Series {
  return { dates: bars.map((b) => isoDate(b.ts)), values: bars.map(f) };
}

function firstDefined(s: Series): number {
  return s.values.findIndex((v) => v !== undefined) + 1;
}

function at(s: Series, date: string): number | undefined {
  const i = s.dates.indexOf(date);
  assert.ok(i >= 0, `date ${date} in the data`);
  return s.values[i];
}

describe('reference indicator checkpoints (backtest_cases.json), exact on the real files', () => {
  for (const c of refCases()) {
    const symbol = c.symbols[0]!;
    const checkpoints = c.expected.indicator_checkpoints[symbol]!;
    const bars = readBarsFile(join(SHARED_ROOT, c.data_files[0]!)).bars;
    const series: Record<string, Series> = {};
    if (checkpoints['sma_fast']) {
      const fast = new Sma(15);
      const slow = new Sma(30);
      const cross = new CrossOver();
      const rows = bars.map((b) => {
        const a = fast.update(b.close);
        const s = slow.update(b.close);
        return { a, s, x: cross.update(a, s) };
      });
      series['sma_fast'] = { dates: bars.map((b) => isoDate(b.ts)), values: rows.map((r) => r.a) };
      series['sma_slow'] = { dates: bars.map((b) => isoDate(b.ts)), values: rows.map((r) => r.s) };
      series['crossover'] = { dates: bars.map((b) => isoDate(b.ts)), values: rows.map((r) => r.x) };
    } else {
      const sma = new Sma(15);
      const cross = new CrossOver();
      const rows = bars.map((b) => {
        const s = sma.update(b.close);
        return { s, x: cross.update(b.close, s) };
      });
      series['sma'] = { dates: bars.map((b) => isoDate(b.ts)), values: rows.map((r) => r.s) };
      series['crossover'] = { dates: bars.map((b) => isoDate(b.ts)), values: rows.map((r) => r.x) };
    }
    for (const [name, cp] of Object.entries(checkpoints)) {
      test(`${c.id}: ${name} first valid on bar ${cp.first_valid_bar_1based} (${cp.first_valid_date}), values ===`, () => {
        const s = series[name]!;
        assert.ok(s, `series ${name}`);
        assert.equal(firstDefined(s), cp.first_valid_bar_1based);
        assert.equal(s.dates[cp.first_valid_bar_1based - 1], cp.first_valid_date);
        for (const [date, want] of Object.entries(cp.values)) assert.equal(at(s, date), want, `${name} on ${date}`);
      });
    }
    test(`${c.id}: the first decision bar is ${c.warmup.first_decision_bar_1based} (${c.warmup.first_decision_date})`, () => {
      const s = series['crossover']!;
      assert.equal(firstDefined(s), c.warmup.first_decision_bar_1based);
      assert.equal(s.dates[c.warmup.first_decision_bar_1based - 1], c.warmup.first_decision_date);
    });
  }
});

describe('ORCL 2005-09-14: SMA15 === SMA30 === 13.254, no cross that bar', () => {
  const bars = readBarsFile(ORCL).bars;
  const idx = bars.findIndex((b) => isoDate(b.ts) === '2005-09-14');

  test('fsum SMAs are exactly equal; the cross comes on 2005-09-15', () => {
    const fast = new Sma(15);
    const slow = new Sma(30);
    const cross = new CrossOver();
    const out: { a?: number; s?: number; x?: Cross }[] = [];
    for (const b of bars) {
      const a = fast.update(b.close);
      const s = slow.update(b.close);
      const x = cross.update(a, s);
      out.push({ ...(a !== undefined ? { a } : {}), ...(s !== undefined ? { s } : {}), ...(x !== undefined ? { x } : {}) });
    }
    assert.equal(out[idx]!.a, 13.254);
    assert.equal(out[idx]!.s, 13.254);
    assert.ok(out[idx - 1]!.a! < out[idx - 1]!.s!, 'below the day before');
    assert.equal(out[idx]!.x, 0, 'equal bar skipped');
    assert.equal(out[idx + 1]!.x, 1, 'up-cross on the next bar');
  });

  test('a running add/subtract sum breaks the tie (why the SMA must not use one)', () => {
    const runningSma = (n: number): ((x: number) => number | undefined) => {
      const w: number[] = [];
      let sum = 0;
      return (x) => {
        w.push(x);
        sum += x;
        if (w.length > n) sum -= w.shift()!;
        return w.length === n ? sum / n : undefined;
      };
    };
    const f = runningSma(15);
    const s = runningSma(30);
    let diff = 0;
    bars.forEach((b, i) => {
      const a = f(b.close);
      const c = s(b.close);
      if (i === idx) diff = a! - c!;
    });
    assert.notEqual(diff, 0);
    assert.ok(Math.abs(diff) < 1e-12);
  });
});

describe('CrossOver semantics', () => {
  const seq = (a: (number | undefined)[], b: (number | undefined)[]): (Cross | undefined)[] => {
    const c = new CrossOver();
    return a.map((x, i) => c.update(x, b[i]));
  };

  test('below, equal, above: one up-cross on the "above" bar; below, equal, below: none', () => {
    assert.deepEqual(seq([1, 2, 3], [2, 2, 2]), [undefined, 0, 1]);
    assert.deepEqual(seq([1, 2, 1], [2, 2, 2]), [undefined, 0, 0]);
    assert.deepEqual(seq([3, 2, 1], [2, 2, 2]), [undefined, 0, -1]);
    assert.deepEqual(seq([1, 2, 2, 2, 3], [2, 2, 2, 2, 2]), [undefined, 0, 0, 0, 1]);
  });

  test('seeded on the first bar both are defined (even with diff 0); the cross starts the bar after', () => {
    assert.deepEqual(seq([1, 5, 5, 1], [undefined, 5, 6, 0]), [undefined, undefined, 0, 1]);
    assert.deepEqual(seq([5, 7], [5, 6]), [undefined, 0], 'seed diff 0: nothing to cross from');
    assert.deepEqual(seq([4, 5, 7], [5, 5, 6]), [undefined, 0, 1], 'below remembered through the seed-equal bar');
    assert.equal(new CrossOver(15, 30).warmup, 31);
  });

  /** The rule as the case JSON words it, on whole arrays. */
  function reference(a: number[], b: number[], start: number): (Cross | undefined)[] {
    const out: (Cross | undefined)[] = a.map(() => undefined);
    for (let t = start + 1; t < a.length; t++) {
      let nzd = a[start]! - b[start]!;
      for (let s = start + 1; s < t; s++) if (a[s]! - b[s]! !== 0) nzd = a[s]! - b[s]!;
      out[t] = nzd < 0 && a[t]! > b[t]! ? 1 : nzd > 0 && a[t]! < b[t]! ? -1 : 0;
    }
    return out;
  }

  test('property: matches the JSON definition; crosses alternate in sign; +1 only above, -1 only below', () => {
    const small = fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })), { minLength: 1, maxLength: 60 });
    fc.assert(
      fc.property(small, fc.integer({ min: 0, max: 10 }), (pairs, lead) => {
        const a = pairs.map((p) => p[0]);
        const b = pairs.map((p) => p[1]);
        const start = Math.min(lead, a.length - 1);
        const got = seq(a, b.map((x, i) => (i < start ? undefined : x)));
        assert.deepEqual(got, reference(a, b, start));
        let last = 0;
        got.forEach((x, i) => {
          if (x === 1) assert.ok(a[i]! > b[i]!);
          if (x === -1) assert.ok(a[i]! < b[i]!);
          if (x === 1 || x === -1) {
            assert.notEqual(x, last, 'alternating');
            last = x;
          }
        });
      }),
      { numRuns: 2000 },
    );
  });
});

describe('SMA / EMA / SMMA', () => {
  test('SMA: window fsum / n, first on bar n; O(window) ring buffer gives the same as slicing', () => {
    const xs = Array.from({ length: 200 }, (_, i) => Math.round((Math.sin(i) * 10 + 20) * 1e6) / 1e6);
    const sma = new Sma(7);
    xs.forEach((x, i) => {
      const v = sma.update(x);
      if (i < 6) assert.equal(v, undefined);
      else assert.equal(v, fsum(xs.slice(i - 6, i + 1)) / 7);
    });
    sma.reset();
    assert.equal(sma.update(1), undefined);
    assert.equal(sma.value, undefined);
  });

  test('EMA and SMMA: seeded with the SMA of the first n, then prev*(1-alpha) + x*alpha', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7];
    const ema = new Ema(3);
    const out = xs.map((x) => ema.update(x));
    assert.deepEqual(out.slice(0, 2), [undefined, undefined]);
    assert.equal(out[2], 2);
    let prev = 2;
    for (let i = 3; i < xs.length; i++) {
      prev = prev * (1 - 0.5) + xs[i]! * 0.5;
      assert.equal(out[i], prev);
    }
    const smma = new Smma(4);
    assert.equal(smma.alpha, 0.25);
    assert.equal(new Ema(20).alpha, 2 / 21);
  });

  test('periods are checked (E_CFG_INVALID); NaN and Infinity inputs are rejected (E_FEAT_INVALID_INPUT)', () => {
    for (const p of [0, -1, 1.5, NaN]) assert.throws(() => new Sma(p), (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID');
    for (const bad of [NaN, Infinity, -Infinity]) {
      for (const ind of [new Sma(3), new Ema(3), new Rsi(3)]) {
        assert.throws(() => ind.update(bad), (e: unknown) => e instanceof OrdinisError && e.code === 'E_FEAT_INVALID_INPUT');
      }
      assert.throws(() => new Atr(3).update(bad, 1, 1), (e: unknown) => e instanceof OrdinisError && e.code === 'E_FEAT_INVALID_INPUT');
    }
  });
});

describe('RSI (Wilder) and ATR on SPY', () => {
  const bars = readBarsFile(SPY).bars;
  const closes = bars.map((b) => b.close);

  /** A straightforward whole-array RSI: moves, seed = mean of the first n moves, Wilder recursion. */
  function referenceRsi(xs: number[], n: number): (number | undefined)[] {
    const up: number[] = [];
    const down: number[] = [];
    for (let i = 1; i < xs.length; i++) {
      up.push(Math.max(xs[i]! - xs[i - 1]!, 0));
      down.push(Math.max(xs[i - 1]! - xs[i]!, 0));
    }
    const out: (number | undefined)[] = [undefined];
    let au = 0;
    let ad = 0;
    for (let k = 0; k < up.length; k++) {
      if (k < n - 1) {
        out.push(undefined);
        continue;
      }
      if (k === n - 1) {
        au = fsum(up.slice(0, n)) / n;
        ad = fsum(down.slice(0, n)) / n;
      } else {
        au = au * (1 - 1 / n) + up[k]! * (1 / n);
        ad = ad * (1 - 1 / n) + down[k]! * (1 / n);
      }
      const rs = ad === 0 ? (au === 0 ? 1 : Infinity) : au / ad;
      out.push(100 - 100 / (1 + rs));
    }
    return out;
  }

  test('RSI(14) equals the reference on all 5032 SPY bars, first value on bar 15', () => {
    const rsi = new Rsi(14);
    const got = closes.map((c) => rsi.update(c));
    const want = referenceRsi(closes, 14);
    assert.equal(got.findIndex((v) => v !== undefined), 14);
    assert.deepEqual(got, want);
    // The textbook form (prev*(n-1) + x)/n agrees to float noise, not bit for bit.
    let au = 0;
    let ad = 0;
    for (let i = 1; i < closes.length; i++) {
      const u = Math.max(closes[i]! - closes[i - 1]!, 0);
      const d = Math.max(closes[i - 1]! - closes[i]!, 0);
      if (i <= 14) {
        au += u / 14;
        ad += d / 14;
      } else {
        au = (au * 13 + u) / 14;
        ad = (ad * 13 + d) / 14;
      }
      if (i >= 14) assert.ok(Math.abs(100 - 100 / (1 + au / ad) - got[i]!) < 1e-9);
    }
  });

  // Independent oracle: the same definitions computed in Python with math.fsum (see the
  // commit that added this test); values copied as printed by repr().
  const oracle: [string, number, number, number | undefined][] = [
    ['2005-12-27', 44.6626667242198, 0.719563198350597, undefined],
    ['2005-12-28', 47.159638765459434, 0.6938842413468519, undefined],
    ['2006-05-02', 58.37848245627268, 0.8373772484105833, 90.65973681353184],
    ['2009-11-25', 61.57150055083993, 1.1603208679933739, 81.83852527062734],
    ['2017-11-06', 71.99127940682263, 1.0417586888758696, 225.55783601714526],
    ['2025-12-05', 60.15663582860512, 7.792901780080741, 676.431603842308],
  ];

  test('RSI(14), ATR(14), EMA(20) match a Python math.fsum implementation exactly', () => {
    const rsi = new Rsi(14);
    const atr = new Atr(14);
    const ema = new Ema(20);
    const rows = new Map(bars.map((b) => [isoDate(b.ts), { r: rsi.update(b.close), a: atr.update(b.high, b.low, b.close), e: ema.update(b.close) }]));
    for (const [date, r, a, e] of oracle) {
      const row = rows.get(date)!;
      assert.equal(row.r, r, `rsi ${date}`);
      assert.equal(row.a, a, `atr ${date}`);
      assert.equal(row.e, e, `ema ${date}`);
    }
    assert.equal(rows.get('2005-12-23')!.r, undefined, 'bar 14: RSI(14) not yet defined');
    assert.equal(rows.get(isoDate(bars[18]!.ts))!.e, undefined);
    assert.equal(rows.get(isoDate(bars[19]!.ts))!.e, 87.27831954956055, 'EMA seed on bar 20 = SMA of the first 20 closes');
  });

  test('zero average loss: 100 (backtrader safediv), flat prices: 50, only losses: 0', () => {
    const feed = (xs: number[], n: number): number | undefined => {
      const r = new Rsi(n);
      let v: number | undefined;
      for (const x of xs) v = r.update(x);
      return v;
    };
    assert.equal(feed([1, 2, 3, 4, 5], 3), 100);
    assert.equal(feed([2, 2, 2, 2, 2], 3), 50);
    assert.equal(feed([5, 4, 3, 2, 1], 3), 0);
    assert.equal(feed([1, 2, 3], 3), undefined);
    assert.equal(new Rsi(14).warmup, 15);
    assert.equal(new Atr(14).warmup, 15);
  });

  test('ATR: true range uses the previous close; first value on bar n + 1', () => {
    const atr = new Atr(2);
    assert.equal(atr.update(10, 8, 9), undefined);
    assert.equal(atr.update(12, 11, 11.5), undefined); // tr = 12 - 9 = 3
    assert.equal(atr.update(11, 7, 8), 3.75); // tr = 11.5 - 7 = 4.5; seed = (3 + 4.5) / 2
    assert.equal(atr.update(9, 8.5, 9), 3.75 * 0.5 + 1 * 0.5); // tr = 9 - 8 = 1
  });
});

test('2006-day-001: SMA(15) of Close first on 2006-01-20', () => {
  const bars = readBarsFile(DAY).bars;
  const s = run(bars, ((sma) => (b: Bar) => sma.update(b.close))(new Sma(15)));
  assert.equal(s.dates[firstDefined(s) - 1], '2006-01-20');
});
