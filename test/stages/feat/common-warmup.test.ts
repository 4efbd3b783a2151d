// The common warm-up (SIG_WARMUP_MODE=common, backtrader's rule for several datas): no vector
// is warm until every symbol of the run has been, and the timestamp that completes the
// warm-up is warm for every symbol with a bar on it, whatever their order within it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FeatureStage } from '../../../src/stages/feat/feature-stage.ts';
import { CommonWarmup } from '../../../src/stages/feat/common-warmup.ts';
import type { Bar } from '../../../src/domain/market.ts';
import type { FeatureVector } from '../../../src/domain/features.ts';
import { makeCtx } from '../ing/fixtures.ts';

const bar = (symbol: string, ts: number, close: number): Bar => ({ symbol, ts, open: close, high: close, low: close, close, volume: 0 });
const SMA3 = [{ kind: 'sma', name: 's', period: 3 }] as const;

/** A on ts 1..6, B from ts 3 on (warm, with SMA(3), at ts 3 and 5); each timestamp's bars in `order`. */
function timestamps(order: 'AB' | 'BA'): Bar[][] {
  const out: Bar[][] = [];
  for (let ts = 1; ts <= 6; ts++) {
    const bars = [bar('A', ts, ts), ...(ts >= 3 ? [bar('B', ts, 10 * ts)] : [])];
    out.push(order === 'AB' ? bars : bars.reverse());
  }
  return out;
}

/** "ts:symbol" of every warm vector, FEAT run cycle by cycle. */
function warmOf(stage: FeatureStage, order: 'AB' | 'BA'): string[] {
  const warm: string[] = [];
  for (const bars of timestamps(order)) {
    const ts = bars[0]!.ts;
    const vectors: FeatureVector[] = stage.run(makeCtx({ cycleTime: ts, stage: 'FEAT', data: { ING: { asOf: ts, bars, stale: false } as never } })).vectors;
    for (const v of vectors) if (v.warm) warm.push(`${v.ts}:${v.symbol}`);
  }
  return warm.sort();
}

test('per-symbol: each symbol is warm from its own third bar', () => {
  assert.deepEqual(warmOf(new FeatureStage({ features: SMA3 }), 'AB'), ['3:A', '4:A', '5:A', '5:B', '6:A', '6:B']);
});

test('common: nothing is warm until B is; from then on both, whichever comes first within the bar', () => {
  for (const order of ['AB', 'BA'] as const) {
    assert.deepEqual(warmOf(new FeatureStage({ features: SMA3, commonWarmup: ['A', 'B'] }), order), ['5:A', '5:B', '6:A', '6:B'], order);
  }
});

test('common: the features keep their values while the vectors wait (only warm is held back)', () => {
  const stage = new FeatureStage({ features: SMA3, commonWarmup: ['A', 'B'] });
  const [v] = stage.onBars([bar('A', 1, 1)]);
  assert.equal(v!.warm, false);
  stage.onBars([bar('A', 2, 2)]);
  const [a3] = stage.onBars([bar('A', 3, 3)]);
  assert.equal(a3!.features.s, 2);
  assert.equal(a3!.warm, false, 'B has not been warm yet');
});

test('common: a symbol with no bar at all keeps the gate shut (as a data that never reaches its minimum period)', () => {
  const gate = new CommonWarmup(['A', 'B', 'C']);
  const v = (symbol: string, warm: boolean): FeatureVector => ({ symbol, ts: 1, tf: '1d', featureVersion: 'f', features: {}, warm });
  assert.deepEqual(gate.admit([v('A', true), v('B', true)]).map((x) => x.warm), [false, false]);
  assert.equal(gate.open, false);
  const given = [v('C', true), v('A', true)];
  assert.equal(gate.admit(given), given, 'the vectors that open the gate pass as they are');
  assert.equal(gate.open, true);
  assert.deepEqual(gate.admit([v('B', false)]).map((x) => x.warm), [false], 'once open, warm is each symbol\'s own');
});
