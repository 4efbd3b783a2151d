// A strategy pack declares every catalogue kind (backtrader's default parameters) and runs
// over the ORCL file through the real default pipeline (runStrategy: ING, FEAT, SIG, RISK,
// EXEC, PORT, the simulated venue). What the pack's decide() sees is checked against
// backtrader's series, on every bar it decides, and the decisions trade.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runStrategy } from '../../../src/testing/index.ts';
import { defineStrategyPack } from '../../../src/stages/sig/strategy-pack.ts';
import { INDICATOR_KINDS } from '../../../src/domain/indicator-kinds.ts';
import { featureNamesOf, warmupBarsOf, type FeatureSpec } from '../../../src/domain/feature-spec.ts';
import { readBarsFile } from '../../../src/adapters/data/csv-bars.ts';
import type { FeatureVector } from '../../../src/domain/features.ts';
import { BT, isoDate } from '../ing/fixtures.ts';
import { TOLERANCE } from './backtrader-series.ts';

const FIXTURE = new URL('../../fixtures/backtrader/indicators/orcl-1995-2014.json', import.meta.url).pathname;

/** Every kind with its defaults; the pairs and scale read bar fields (their fixture's second set does). */
function everyKind(): FeatureSpec[] {
  return Object.keys(INDICATOR_KINDS).map((kind) => {
    if (kind === 'diff' || kind === 'ratio') return { kind, name: kind, a: kind === 'diff' ? 'close' : 'high', b: kind === 'diff' ? 'open' : 'low' } as FeatureSpec;
    if (kind === 'scale') return { kind, name: kind, factor: 100 } as FeatureSpec;
    return { kind, name: kind } as FeatureSpec;
  });
}

test('a pack declaring every catalogue kind: decide() sees backtrader\'s values on every bar, from bar 88, and trades', async () => {
  const features = everyKind();
  const seen: FeatureVector[] = [];
  const pack = defineStrategyPack({
    id: 'every-indicator',
    version: '1.0.0',
    features: () => features,
    decide(v) {
      seen.push(v);
      const f = v.features;
      if (f['bollinger_pctb']! < 0.2 && f['macd_histo']! > 0) return { direction: 'LONG', reason: 'low_in_band_rising' };
      if (f['bollinger_pctb']! > 0.8 || f['dmi_minus']! > f['dmi_plus']! + 10) return { direction: 'FLAT', reason: 'high_in_band_or_falling' };
      return null;
    },
  });
  const { bars } = readBarsFile(join(BT, 'orcl-1995-2014.txt'), { symbol: 'ORCL' });
  const run = await runStrategy(pack, { bars });

  // TEMA(30) is the last to warm: 3 * 29 + 1 = 88; decide() runs on every bar from there.
  assert.equal(warmupBarsOf(features), 88);
  assert.equal(seen.length, bars.length - 87);
  assert.equal(isoDate(seen[0]!.ts), isoDate(bars[87]!.ts));

  const fx = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { indicators: Record<string, { params: Record<string, unknown>; lines: Record<string, (number | null)[]> }[]> };
  for (const spec of features) {
    const sets = fx.indicators[spec.kind]!;
    // diff/ratio/scale as declared here are their fixture's second set (bar fields), the rest the defaults.
    const set = spec.kind === 'diff' || spec.kind === 'ratio' ? sets[1]! : sets[0]!;
    const lines = Object.values(set.lines);
    const names = featureNamesOf(spec);
    assert.equal(names.length, lines.length, spec.kind);
    names.forEach((name, j) => {
      seen.forEach((v, i) => {
        const want = lines[j]![87 + i]!;
        const got = v.features[name]!;
        assert.ok(Math.abs(got - want) <= TOLERANCE * Math.max(1, Math.abs(want)), `${name} on ${isoDate(v.ts)}: ${got} vs backtrader ${want}`);
      });
    });
  }

  assert.ok(run.fills.length >= 20, `${run.fills.length} fills`);
  assert.ok(run.fills.some((f) => f.side === 'buy') && run.fills.some((f) => f.side === 'sell'));
});
