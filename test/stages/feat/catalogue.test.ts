// The indicator catalogue as a strategy pack declares it: validation (bad parameters and
// unknown fields named, E_CFG_INVALID), multi-output naming, features fed by other
// features (including an output of a multi-output one), the feature version, the warm-up,
// and values FEAT refuses (a division by zero, as backtrader raises).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FeatureStage } from '../../../src/stages/feat/feature-stage.ts';
import { featureNamesOf, featureVersionOf, validateFeatureSpecs, warmupBarsOf, type FeatureSpec } from '../../../src/domain/feature-spec.ts';
import { INDICATOR_KINDS } from '../../../src/domain/indicator-kinds.ts';
import { EmaOscillator, MACD_LINE } from '../../../src/stages/feat/ema-oscillator.ts';
import { Rsi } from '../../../src/stages/feat/rsi.ts';
import { Sma } from '../../../src/stages/feat/sma.ts';
import { Wma } from '../../../src/stages/feat/wma.ts';
import { Bollinger } from '../../../src/stages/feat/bollinger.ts';
import { readBarsFile } from '../../../src/adapters/data/csv-bars.ts';
import { OrdinisError } from '../../../src/errors.ts';
import type { Bar } from '../../../src/domain/market.ts';
import { BT } from '../ing/fixtures.ts';

const ORCL_BARS = readBarsFile(join(BT, 'orcl-1995-2014.txt')).bars;

function rejects(specs: unknown[], re: RegExp): void {
  assert.throws(
    () => validateFeatureSpecs(specs as FeatureSpec[]),
    (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID' && re.test(e.message),
    `${JSON.stringify(specs)} should be refused with ${re}`,
  );
  // The stage refuses it the same way, before any bar.
  assert.throws(() => new FeatureStage({ features: specs as FeatureSpec[] }), (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID');
}

describe('catalogue specs: validation', () => {
  test('bad parameters are E_CFG_INVALID naming the feature and the field', () => {
    rejects([{ kind: 'wma', name: 'w', period: 0 }], /'w': period must be a whole number >= 1, got 0/);
    rejects([{ kind: 'kama', name: 'k', fast: 2.5 }], /'k': fast must be a whole number >= 1, got 2\.5/);
    rejects([{ kind: 'macd', name: 'm', signalPeriod: '9' }], /'m': signalPeriod must be a whole number >= 1, got "9"/);
    rejects([{ kind: 'hma', name: 'h', period: 1 }], /'h': period must be a whole number >= 2, got 1/);
    rejects([{ kind: 'bollinger', name: 'bb', devfactor: Number.NaN }], /'bb': devfactor must be a finite number, got null/);
    rejects([{ kind: 'cci', name: 'c', factor: 0 }], /'c': factor must be a number > 0, got 0/);
    rejects([{ kind: 'ichimoku', name: 'i', senkouLead: -1 }], /'i': senkouLead must be a whole number >= 0, got -1/);
    rejects([{ kind: 'scale', name: 's' }], /'s': scale needs 'factor'/);
  });

  test('an unknown field is named with the fields the kind takes; an unknown kind is named', () => {
    rejects([{ kind: 'stochastic', name: 'st', perod: 14 }], /'st': unknown field 'perod' for kind 'stochastic' \(fields: period, periodDFast, periodDSlow\)/);
    rejects([{ kind: 'dmi', name: 'd', source: 'close' }], /'d': unknown field 'source' for kind 'dmi'/);
    rejects([{ kind: 'supertrend', name: 'st' }], /'st': unknown kind 'supertrend'/);
  });

  test('inputs must be bar fields or features declared before', () => {
    rejects([{ kind: 'diff', name: 'd', a: 'close', b: 'nope' }], /'d': b 'nope' is neither a bar field/);
    rejects([{ kind: 'lag', name: 'l', source: 'later' }, { kind: 'sma', name: 'later', period: 3 }], /'l': source 'later'/);
    // A multi-output feature's own name is not a value: its outputs are.
    rejects([{ kind: 'macd', name: 'm' }, { kind: 'sma', name: 's', period: 3, source: 'm' }], /'s': source 'm'/);
  });

  test('output names may not clash with other features, either way round', () => {
    rejects([{ kind: 'sma', name: 'bb_mid', period: 3 }, { kind: 'bollinger', name: 'bb' }], /'bb': output 'bb_mid' clashes/);
    rejects([{ kind: 'bollinger', name: 'bb' }, { kind: 'sma', name: 'bb_mid', period: 3 }], /feature 'bb_mid' declared twice/);
    rejects([{ kind: 'bollinger', name: 'bb' }, { kind: 'sma', name: 'bb', period: 3 }], /feature 'bb' declared twice/);
  });

  test('every catalogue kind validates with its defaults alone (scale and the pairs with their inputs)', () => {
    for (const kind of Object.keys(INDICATOR_KINDS)) {
      const spec = kind === 'diff' || kind === 'ratio' ? { kind, name: 'x', a: 'close', b: 'open' } : kind === 'scale' ? { kind, name: 'x', factor: 2 } : { kind, name: 'x' };
      assert.doesNotThrow(() => validateFeatureSpecs([spec as FeatureSpec]), kind);
    }
  });
});

describe('catalogue specs: naming, version, warm-up', () => {
  test('a multi-output spec exposes <name>_<output> values, in the catalogue order', () => {
    assert.deepEqual(featureNamesOf({ kind: 'bollinger', name: 'bb' }), ['bb_mid', 'bb_top', 'bb_bot', 'bb_pctb']);
    assert.deepEqual(featureNamesOf({ kind: 'dmi', name: 'dm' }), ['dm_plus', 'dm_minus', 'dm_adx']);
    assert.deepEqual(featureNamesOf({ kind: 'ichimoku', name: 'ich' }), ['ich_tenkan', 'ich_kijun', 'ich_span_a', 'ich_span_b']);
    assert.deepEqual(featureNamesOf({ kind: 'wma', name: 'w' }), ['w']);
    const stage = new FeatureStage({ features: [{ kind: 'sma', name: 's', period: 2 }, { kind: 'macd', name: 'm' }, { kind: 'aroon', name: 'ar' }] });
    assert.deepEqual(Object.keys(stage.onBar(ORCL_BARS[0]!).features), ['s', 'm_macd', 'm_signal', 'm_histo', 'ar_up', 'ar_down', 'ar_osc']);
  });

  test('the feature version lists inputs and every parameter, defaults filled in', () => {
    assert.equal(featureVersionOf([{ kind: 'bollinger', name: 'bb' }]), 'feat_v1:bb=bollinger(close,20,2)');
    assert.equal(featureVersionOf([{ kind: 'bollinger', name: 'bb' }]), featureVersionOf([{ kind: 'bollinger', name: 'bb', period: 20, devfactor: 2, source: 'close' }]));
    assert.notEqual(featureVersionOf([{ kind: 'bollinger', name: 'bb' }]), featureVersionOf([{ kind: 'bollinger', name: 'bb', devfactor: 2.5 }]));
    assert.equal(featureVersionOf([{ kind: 'ema', name: 'e', period: 3 }, { kind: 'diff', name: 'd', a: 'close', b: 'e' }]), 'feat_v1:e=ema(close,3),d=diff(close,e)');
    assert.equal(featureVersionOf([{ kind: 'ichimoku', name: 'i' }]), 'feat_v1:i=ichimoku(9,26,52,26)');
  });

  test('warm-up of features on features: WMA(10) of RSI(14) first on bar 24, SMA(3) of MACD histo on bar 36', () => {
    const specs: FeatureSpec[] = [
      { kind: 'rsi', name: 'r', period: 14 },
      { kind: 'wma', name: 'wr', period: 10, source: 'r' },
      { kind: 'macd', name: 'm' },
      { kind: 'sma', name: 'sh', period: 3, source: 'm_histo' },
    ];
    assert.equal(warmupBarsOf(specs), 36);
    const stage = new FeatureStage({ features: specs });
    const vs = ORCL_BARS.map((b) => stage.onBar(b));
    const first = (n: string): number => vs.findIndex((v) => v.features[n] !== undefined) + 1;
    assert.equal(first('wr'), 24);
    assert.equal(first('sh'), 36);
    assert.equal(vs.findIndex((v) => v.warm) + 1, 36);
    // The values are the indicators composed by hand: WMA over RSI, SMA over the histogram.
    const rsi = new Rsi(14);
    const wma = new Wma(10);
    const macd = new EmaOscillator(MACD_LINE);
    const sma = new Sma(3);
    ORCL_BARS.forEach((b, i) => {
      const r = rsi.update(b.close);
      const wr = r === undefined ? undefined : wma.update(r);
      macd.update(b.close);
      const sh = macd.histo === undefined ? undefined : sma.update(macd.histo);
      assert.equal(vs[i]!.features['wr'], wr, `wr bar ${i + 1}`);
      assert.equal(vs[i]!.features['sh'], sh, `sh bar ${i + 1}`);
    });
  });

  test('a crossover of two outputs of one feature (MACD line over its signal)', () => {
    const stage = new FeatureStage({ features: [{ kind: 'macd', name: 'm' }, { kind: 'crossover', name: 'x', a: 'm_macd', b: 'm_signal' }] });
    const vs = ORCL_BARS.map((b) => stage.onBar(b));
    assert.equal(vs.findIndex((v) => v.features['x'] !== undefined) + 1, 35);
    const ups = vs.filter((v) => v.features['x'] === 1).length;
    const downs = vs.filter((v) => v.features['x'] === -1).length;
    assert.ok(ups > 50 && Math.abs(ups - downs) <= 1, `${ups} up, ${downs} down`);
    for (let i = 35; i < vs.length; i++) {
      const [p, c] = [vs[i - 1]!.features, vs[i]!.features];
      if (c['x'] === 1) assert.ok(c['m_macd']! > c['m_signal']! && p['m_macd']! <= p['m_signal']!, `bar ${i + 1}`);
    }
  });

  test('each symbol has its own state: two symbols interleaved give what each gives alone', () => {
    const specs: FeatureSpec[] = [{ kind: 'bollinger', name: 'bb', period: 5 }, { kind: 'dmi', name: 'd', period: 4 }, { kind: 'lag', name: 'l', source: 'bb_top', period: 2 }];
    const day = readBarsFile(join(BT, '2006-day-001.txt'), { symbol: 'DAY' }).bars;
    const orcl = ORCL_BARS.slice(0, day.length).map((b, i) => ({ ...b, symbol: 'ORCL', ts: day[i]!.ts }));
    const alone = (bars: Bar[]) => {
      const st = new FeatureStage({ features: specs });
      return bars.map((b) => st.onBar(b).features);
    };
    const both = new FeatureStage({ features: specs });
    const mixed = day.map((b, i) => [both.onBar(b).features, both.onBar(orcl[i]!).features]);
    assert.deepEqual(mixed.map((m) => m[0]), alone(day));
    assert.deepEqual(mixed.map((m) => m[1]), alone(orcl));
  });

  test('Bollinger outputs hold their definitions on every bar', () => {
    const b = new Bollinger(20, 2);
    for (const bar of ORCL_BARS) {
      if (!b.update(bar.close)) continue;
      assert.ok(b.top! >= b.mid! && b.mid! >= b.bot!);
      assert.equal(b.pctb, (bar.close - b.bot!) / (b.top! - b.bot!));
    }
  });
});

describe('catalogue specs: values FEAT refuses', () => {
  const flat = (n: number): Bar[] => Array.from({ length: n }, (_, i) => ({ symbol: 'F', ts: Date.UTC(2020, 0, 1 + i), open: 10, high: 10, low: 10, close: 10, volume: 0 }));

  test('a stochastic over a flat window divides by zero: E_FEAT_COMPUTE_FAILED naming the output', () => {
    const stage = new FeatureStage({ features: [{ kind: 'stochastic_fast', name: 'st', period: 3 }] });
    const bars = flat(3);
    stage.onBar(bars[0]!);
    stage.onBar(bars[1]!);
    assert.throws(() => stage.onBar(bars[2]!), (e: unknown) => e instanceof OrdinisError && e.code === 'E_FEAT_COMPUTE_FAILED' && /feature 'st_k' computed NaN/.test(e.message));
  });

  test('a ratio over a zero denominator: E_FEAT_COMPUTE_FAILED naming the feature', () => {
    const stage = new FeatureStage({ features: [{ kind: 'diff', name: 'zero', a: 'close', b: 'open' }, { kind: 'ratio', name: 'r', a: 'close', b: 'zero' }] });
    assert.throws(() => stage.onBar(flat(1)[0]!), (e: unknown) => e instanceof OrdinisError && e.code === 'E_FEAT_COMPUTE_FAILED' && /feature 'r' computed Infinity/.test(e.message));
  });

  test('DMI with no directional movement at all: ADX refused, not a silent number', () => {
    const stage = new FeatureStage({ features: [{ kind: 'dmi', name: 'd', period: 2 }] });
    const bars = flat(4);
    stage.onBar(bars[0]!);
    stage.onBar(bars[1]!);
    assert.throws(() => stage.onBar(bars[2]!), (e: unknown) => e instanceof OrdinisError && e.code === 'E_FEAT_COMPUTE_FAILED' && /feature 'd_plus' computed NaN|feature 'd_adx' computed NaN/.test(e.message));
  });
});
