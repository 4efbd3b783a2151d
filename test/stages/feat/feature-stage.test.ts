import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { FeatureStage } from '../../../src/stages/feat/feature-stage.ts';
import { featureVersionOf, validateFeatureSpecs, warmupBarsOf, type FeatureSpec } from '../../../src/domain/feature-spec.ts';
import { IngestStage } from '../../../src/stages/ing/ingest-stage.ts';
import { ArrayBarSource } from '../../../src/adapters/data/array-bar-source.ts';
import { FileReplaySource } from '../../../src/adapters/data/file-replay-source.ts';
import { createStrategyRegistry } from '../../../src/stages/sig/registry.ts';
import { OrdinisError } from '../../../src/errors.ts';
import type { Bar, MarketSnapshot } from '../../../src/domain/market.ts';
import type { FeatureVector } from '../../../src/domain/features.ts';
import { DAY, NVDA, ORCL, isoDate, makeCtx, refCases } from '../ing/fixtures.ts';

const bar = (symbol: string, ts: number, close: number): Bar => ({ symbol, ts, open: close, high: close, low: close, close, volume: 0 });

function feat(stage: FeatureStage, snap: MarketSnapshot, attempt = 1): FeatureVector[] {
  return stage.run(makeCtx({ cycleTime: snap.asOf, stage: 'FEAT', data: { ING: snap }, attempt })).vectors;
}

/** Runs ING -> FEAT over a whole file replay; returns every vector. */
function replay(files: string[], symbols: string[], specs: readonly FeatureSpec[]): FeatureVector[] {
  const src = new FileReplaySource({ files, symbols });
  const ts = [...src.timestamps()];
  const ing = new IngestStage({ source: src });
  const fs = new FeatureStage({ features: specs });
  const out: FeatureVector[] = [];
  ts.forEach((t, i) => {
    const snap = ing.run(makeCtx({ cycleTime: t, cycleIndex: i }));
    out.push(...feat(fs, snap));
  });
  return out;
}

describe('FeatureStage on the reference cases', () => {
  const reg = createStrategyRegistry();
  const cases = refCases();
  const a = cases.find((c) => c.id.startsWith('a_'))!;
  const e = cases.find((c) => c.id.startsWith('e_'))!;

  test('case a through ING -> FEAT with sma-cross(15, 30): checkpoints exact, warm from bar 31', () => {
    const strat = reg.resolve('sma-cross', { fast: 15, slow: 30 });
    const vs = replay([ORCL], ['ORCL'], strat.features);
    assert.equal(vs.length, 5036);
    const cp = a.expected.indicator_checkpoints['ORCL']!;
    const byDate = new Map(vs.map((v) => [isoDate(v.ts), v]));
    for (const [d, want] of Object.entries(cp['sma_fast']!.values)) assert.equal(byDate.get(d)!.features['sma_fast'], want);
    for (const [d, want] of Object.entries(cp['sma_slow']!.values)) assert.equal(byDate.get(d)!.features['sma_slow'], want);
    for (const [d, want] of Object.entries(cp['crossover']!.values)) assert.equal(byDate.get(d)!.features['cross'], want);
    assert.equal(vs.findIndex((v) => v.warm) + 1, 31);
    assert.equal(isoDate(vs.find((v) => v.warm)!.ts), '1995-02-14');
    assert.ok(vs.slice(30).every((v) => v.warm));
    assert.equal(byDate.get('2005-09-14')!.features['sma_fast'], byDate.get('2005-09-14')!.features['sma_slow']);
    assert.equal(vs[0]!.featureVersion, 'feat_v1:sma_fast=sma(close,15),sma_slow=sma(close,30),cross=crossover(sma_fast,sma_slow)');
    assert.equal(vs[0]!.tf, '1d');
    assert.deepEqual(vs[0]!.features, { sma_fast: undefined, sma_slow: undefined, cross: undefined });
  });

  test('case e through ING -> FEAT with close-sma(15): checkpoints exact, warm from bar 16', () => {
    const strat = reg.resolve('close-sma', { period: 15 });
    const vs = replay([DAY], ['2006-day-001'], strat.features);
    const cp = e.expected.indicator_checkpoints['2006-day-001']!;
    const byDate = new Map(vs.map((v) => [isoDate(v.ts), v]));
    for (const [d, want] of Object.entries(cp['sma']!.values)) assert.equal(byDate.get(d)!.features['sma'], want);
    for (const [d, want] of Object.entries(cp['crossover']!.values)) assert.equal(byDate.get(d)!.features['cross'], want);
    assert.equal(vs.findIndex((v) => v.warm) + 1, 16);
    assert.equal(strat.warmupBars, 16);
  });

  test('two symbols keep separate state: ORCL features are the same with or without NVDA alongside', () => {
    const specs: FeatureSpec[] = [{ kind: 'sma', name: 'sma', period: 10 }, { kind: 'rsi', name: 'rsi', period: 14 }];
    const alone = replay([ORCL], ['ORCL'], specs);
    const both = replay([ORCL, NVDA], ['ORCL', 'NVDA'], specs);
    assert.deepEqual(both.filter((v) => v.symbol === 'ORCL'), alone);
    const nv = both.filter((v) => v.symbol === 'NVDA');
    assert.equal(nv.length, 4012);
    assert.equal(nv.findIndex((v) => v.warm) + 1, 15, 'NVDA warms from its own first bar');
  });
});

describe('FeatureStage input checks', () => {
  const specs: FeatureSpec[] = [{ kind: 'sma', name: 'sma', period: 2 }];
  const snap = (bars: Bar[], asOf = 100): MarketSnapshot => ({ asOf, bars });

  test('NaN / Infinity / non-positive prices: E_FEAT_INVALID_INPUT naming symbol and time, before any state changes', () => {
    const fs = new FeatureStage({ features: specs });
    for (const [field, v] of [['close', NaN], ['open', Infinity], ['high', -Infinity], ['low', 0], ['volume', NaN]] as const) {
      const b = { ...bar('ORCL', 86_400_000, 1), [field]: v };
      assert.throws(
        () => feat(fs, snap([bar('AAA', 86_400_000, 1), b], 86_400_000)),
        (e: unknown) => e instanceof OrdinisError && e.code === 'E_FEAT_INVALID_INPUT' && e.message.includes('ORCL at 1970-01-02T00:00:00.000Z') && e.message.includes(field),
      );
    }
    // Nothing was fed: AAA's first good bar is still its first.
    const vs = feat(fs, snap([bar('AAA', 86_400_000, 1)], 86_400_000));
    assert.equal(vs[0]!.features['sma'], undefined);
    assert.equal(feat(fs, snap([bar('AAA', 2 * 86_400_000, 3)], 2 * 86_400_000))[0]!.features['sma'], 2);
  });

  test('a bar later than the cycle time is refused (look-ahead guard); going back in time is refused', () => {
    const fs = new FeatureStage({ features: specs });
    assert.throws(() => feat(fs, snap([bar('A', 101, 1)], 100)), /look-ahead/);
    feat(fs, snap([bar('A', 50, 1)], 100));
    assert.throws(() => feat(fs, snap([bar('A', 40, 1)], 100)), /not after the previous one/);
  });

  test('a retried attempt returns the same vectors without feeding the indicators twice', () => {
    const fs = new FeatureStage({ features: specs });
    const s1 = snap([bar('A', 1, 1)], 1);
    const s2 = snap([bar('A', 2, 3)], 2);
    feat(fs, s1);
    const first = feat(fs, s2);
    const again = feat(fs, s2, 2);
    assert.deepEqual(again, first);
    assert.equal(feat(fs, snap([bar('A', 3, 5)], 3))[0]!.features['sma'], 4);
  });

  test('missing ING output is E_FEAT_COMPUTE_FAILED; a throwing custom feature is E_FEAT_COMPUTE_FAILED', () => {
    const fs = new FeatureStage({ features: specs });
    assert.throws(() => fs.run(makeCtx({ cycleTime: 1, stage: 'FEAT' })), (e: unknown) => e instanceof OrdinisError && e.code === 'E_FEAT_COMPUTE_FAILED');
    const boom = new FeatureStage({ features: [{ kind: 'custom', name: 'x', id: 'boom@1', create: () => ({ update: () => { throw new Error('kaput'); } }) }] });
    assert.throws(() => feat(boom, snap([bar('A', 1, 1)], 1)), (e: unknown) => e instanceof OrdinisError && e.code === 'E_FEAT_COMPUTE_FAILED' && /A at .*: kaput/.test(e.message));
  });
});

describe('feature specs', () => {
  test('composition: a field, SMA of RSI, EMA, ATR, crossover of close with an EMA, a custom indicator', () => {
    const specs: FeatureSpec[] = [
      { kind: 'field', name: 'c', field: 'close' },
      { kind: 'rsi', name: 'rsi', period: 3 },
      { kind: 'sma', name: 'rsi_avg', period: 2, source: 'rsi' },
      { kind: 'ema', name: 'ema', period: 3 },
      { kind: 'atr', name: 'atr', period: 2 },
      { kind: 'crossover', name: 'x', a: 'close', b: 'ema' },
      { kind: 'custom', name: 'n', id: 'count@1', warmup: 1, create: () => { let k = 0; return { update: () => ++k }; } },
    ];
    assert.equal(warmupBarsOf(specs), 5); // rsi on bar 4, its SMA(2) on bar 5
    const fs = new FeatureStage({ features: specs });
    const closes = [10, 11, 10.5, 12, 13, 12.5, 9];
    const vs = closes.map((c, i) => feat(fs, { asOf: i, bars: [bar('A', i, c)] })[0]!);
    assert.deepEqual(vs.map((v) => v.warm), [false, false, false, false, true, true, true]);
    assert.equal(vs[3]!.features['rsi_avg'], undefined);
    assert.equal(vs[4]!.features['rsi_avg'], (vs[3]!.features['rsi']! + vs[4]!.features['rsi']!) / 2);
    assert.equal(vs[6]!.features['n'], 7);
    assert.equal(vs[6]!.features['c'], 9);
    assert.equal(vs[6]!.features['x'], -1, 'close 9 falls below its EMA');
    assert.equal(fs.warmupBars, 5);
  });

  test('every features record has the spec names as its keys, in spec order, warm or not', () => {
    const specs: FeatureSpec[] = [
      { kind: 'sma', name: 'zeta', period: 2 },
      { kind: 'field', name: 'alpha', field: 'volume' },
      { kind: 'crossover', name: 'mid', a: 'close', b: 'zeta' },
    ];
    const fs = new FeatureStage({ features: specs });
    const vs = [1, 2, 3].map((c, i) => feat(fs, { asOf: i, bars: [bar('A', i, c)] })[0]!);
    for (const v of vs) assert.deepEqual(Object.keys(v.features), ['zeta', 'alpha', 'mid']);
    assert.equal(JSON.stringify(vs[2]!.features), '{"zeta":2.5,"alpha":0,"mid":0}');
  });

  test('invalid specs are E_CFG_INVALID with a clear reason', () => {
    const bad: [unknown, RegExp][] = [
      [[{ kind: 'sma', name: 's', period: 0 }], /period must be a whole number >= 1/],
      [[{ kind: 'sma', name: 's', period: 3, source: 'nope' }], /source 'nope' is neither a bar field/],
      [[{ kind: 'crossover', name: 'x', a: 'fast', b: 'close' }, { kind: 'sma', name: 'fast', period: 3 }], /'x': a 'fast'/],
      [[{ kind: 'sma', name: 'close', period: 3 }], /clashes with a bar field/],
      [[{ kind: 'sma', name: 's', period: 3 }, { kind: 'ema', name: 's', period: 3 }], /declared twice/],
      [[{ kind: 'vwma', name: 'w', period: 3 }], /'w': unknown kind 'vwma'/],
      [[{ kind: 'sma', name: '1x', period: 3 }], /bad feature name/],
      [[{ kind: 'crossover', name: 'x', a: 'close', b: 'close' }], /with itself/],
    ];
    for (const [specs, re] of bad) {
      assert.throws(() => validateFeatureSpecs(specs as FeatureSpec[]), (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID' && re.test(e.message), JSON.stringify(specs));
    }
  });

  test('featureVersion is deterministic and changes with what is computed', () => {
    const a: FeatureSpec[] = [{ kind: 'sma', name: 's', period: 3 }];
    assert.equal(featureVersionOf(a), featureVersionOf([{ kind: 'sma', name: 's', period: 3, source: 'close' }]));
    assert.notEqual(featureVersionOf(a), featureVersionOf([{ kind: 'sma', name: 's', period: 4 }]));
    assert.equal(new FeatureStage({ features: a, tf: '5m' }).tf, '5m');
  });

  test('summarize counts vectors and warm ones', () => {
    const fs = new FeatureStage({ features: [{ kind: 'sma', name: 's', period: 1 }] });
    const src = new ArrayBarSource([bar('A', 1, 1), bar('B', 1, 2)]);
    const ing = new IngestStage({ source: src });
    const out = fs.run(makeCtx({ cycleTime: 1, data: { ING: ing.run(makeCtx({ cycleTime: 1 })) } }));
    assert.deepEqual(fs.summarize(out), { vectors: 2, warm: 2, featureVersion: 'feat_v1:s=sma(close,1)' });
  });
});
