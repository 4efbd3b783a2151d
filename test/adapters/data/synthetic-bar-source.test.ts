import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { SyntheticBarSource } from '../../../src/adapters/data/synthetic-bar-source.ts';
import { SeededRandom } from '../../../src/core/random.ts';
import { drainAll } from './drain-source.ts';

describe('SyntheticBarSource', () => {
  test('N symbols x M bars, valid OHLC, deterministic per seed', () => {
    const a = drainAll(new SyntheticBarSource({ symbols: 3, bars: 500, seed: 42 }));
    const b = drainAll(new SyntheticBarSource({ symbols: 3, bars: 500, seed: 42 }));
    const c = drainAll(new SyntheticBarSource({ symbols: 3, bars: 500, seed: 43 }));
    assert.equal(a.length, 500);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    for (const batch of a) {
      assert.deepEqual(batch.bars.map((x) => x.symbol), ['SYN000', 'SYN001', 'SYN002']);
      for (const x of batch.bars) {
        assert.ok(x.low > 0 && x.low <= Math.min(x.open, x.close) && x.high >= Math.max(x.open, x.close), JSON.stringify(x));
        assert.ok(Number.isInteger(x.volume) && x.volume > 0);
      }
    }
  });

  test('the same bars as ever for a seed (fingerprint): the benchmarks and the equivalence tests depend on them', () => {
    const h = createHash('sha256');
    for (const b of drainAll(new SyntheticBarSource({ symbols: 3, bars: 501, seed: 42 }))) h.update(JSON.stringify(b));
    // Taken before Box-Muller's spare value became a NaN-sentinel double (an odd bar count
    // ends on a spare draw): a change of representation, not of a single bit of output.
    assert.equal(h.digest('hex'), '30dc76785a44fd597fe3e2bc21410c84587513f1a97d19650bb666321f62fcd1');
  });

  test('property: every generated bar is valid for any seed and volatility', () => {
    fc.assert(
      fc.property(fc.integer(), fc.double({ min: 0, max: 0.5, noNaN: true }), (seed, volatility) => {
        const s = new SyntheticBarSource({ symbols: ['X', 'Y'], bars: 50, random: new SeededRandom(seed), volatility });
        const ts = [...s.timestamps()];
        const batches = drainAll(s);
        assert.deepEqual(batches.map((b) => b.ts), ts);
        for (const b of batches) for (const x of b.bars) assert.ok(x.low > 0 && x.low <= Math.min(x.open, x.close) && x.high >= Math.max(x.open, x.close) && Number.isFinite(x.high));
      }),
      { numRuns: 100 },
    );
  });
});
