import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { FileReplaySource } from '../../../src/adapters/data/file-replay-source.ts';
import { readBarsFile } from '../../../src/adapters/data/csv-bars.ts';
import { OrdinisError } from '../../../src/errors.ts';
import { NVDA, ORCL, YHOO, isoDate, tempCsv, utc } from '../../stages/ing/fixtures.ts';
import { drainAll } from './drain-source.ts';

describe('FileReplaySource', () => {
  test('ORCL + NVDA aligned by timestamp: no forward fill, symbol order kept', () => {
    const src = new FileReplaySource({ files: [ORCL, NVDA] });
    assert.deepEqual(src.symbols, ['orcl-1995-2014', 'nvda-1999-2014']);
    const batches = drainAll(src);
    // NVDA's 4012 dates are all ORCL dates: one batch per ORCL date.
    assert.equal(batches.length, 5036);
    const both = batches.filter((b) => b.bars.length === 2);
    assert.equal(both.length, 4012);
    assert.equal(isoDate(both[0]!.ts), '1999-01-22');
    for (const b of batches) {
      assert.ok(b.bars.every((x) => x.ts === b.ts));
      if (b.ts < utc('1999-01-22')) assert.deepEqual(b.bars.map((x) => x.symbol), ['orcl-1995-2014']);
      else assert.deepEqual(b.bars.map((x) => x.symbol), ['orcl-1995-2014', 'nvda-1999-2014']);
    }
    for (let i = 1; i < batches.length; i++) assert.ok(batches[i]!.ts > batches[i - 1]!.ts);
    assert.equal(src.peekTs(), undefined);
    assert.equal(src.next(), undefined);
  });

  test('explicit symbols rename the files, in the given order; NVDA first puts NVDA first', () => {
    const src = new FileReplaySource({ files: [NVDA, ORCL], symbols: ['NVDA', 'ORCL'], from: '2005-01-03', to: '2005-01-07' });
    const batches = drainAll(src);
    assert.deepEqual(batches.map((b) => isoDate(b.ts)), ['2005-01-03', '2005-01-04', '2005-01-05', '2005-01-06', '2005-01-07']);
    assert.ok(batches.every((b) => b.bars.map((x) => x.symbol).join() === 'NVDA,ORCL'));
  });

  test('YHOO and ORCL share every YHOO date', () => {
    const batches = drainAll(new FileReplaySource({ files: [ORCL, YHOO], symbols: ['ORCL', 'YHOO'], from: '1996-04-12' }));
    assert.equal(batches.length, 4713);
    assert.ok(batches.every((b) => b.bars.length === 2));
  });

  test('a symbol with a gap is absent from that batch (no forward fill)', () => {
    const a = tempCsv('gap-a.csv', 'Date,Open,High,Low,Close\n2020-01-02,1,1,1,1\n2020-01-03,2,2,2,2\n2020-01-06,3,3,3,3\n');
    const b = tempCsv('gap-b.csv', 'Date,Open,High,Low,Close\n2020-01-02,5,5,5,5\n2020-01-06,6,6,6,6\n2020-01-07,7,7,7,7\n');
    const batches = drainAll(new FileReplaySource({ files: [a, b], symbols: ['A', 'B'] }));
    assert.deepEqual(
      batches.map((x) => [isoDate(x.ts), x.bars.map((y) => `${y.symbol}${y.close}`).join(' ')]),
      [
        ['2020-01-02', 'A1 B5'],
        ['2020-01-03', 'A2'],
        ['2020-01-06', 'A3 B6'],
        ['2020-01-07', 'B7'],
      ],
    );
  });

  test('timestamps() is an independent pass; reset() rewinds', () => {
    const src = new FileReplaySource({ files: [ORCL, NVDA], to: '1995-01-31' });
    src.next();
    const ts = [...src.timestamps()];
    assert.equal(ts.length, 21); // January 1995 trading days
    assert.equal(isoDate(ts[0]!), '1995-01-03');
    assert.equal(isoDate(src.peekTs()!), '1995-01-04');
    src.reset();
    assert.equal(isoDate(src.peekTs()!), '1995-01-03');
    src.close();
  });

  test('configuration errors are E_CFG_INVALID', () => {
    const cfg = (f: () => unknown): void => assert.throws(f, (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID');
    cfg(() => new FileReplaySource({ files: [] }));
    cfg(() => new FileReplaySource({ files: [ORCL, NVDA], symbols: ['ORCL'] }));
    cfg(() => new FileReplaySource({ files: [ORCL, NVDA], symbols: ['X', 'X'] }));
    cfg(() => new FileReplaySource({ files: [ORCL], from: 'yesterday' }));
    cfg(() => new FileReplaySource({ files: ['/no/such/file.csv'] }));
  });

  test('skip policy: skipped rows are reported per file; fail policy throws when the cursor reaches the row', () => {
    const f = tempCsv('bad-mid.csv', 'Date,Open,High,Low,Close\n2020-01-02,1,1,1,1\n2020-01-03,1,1,1,oops\n2020-01-06,1,1,1,1\n');
    const skip = new FileReplaySource({ files: [f], symbols: ['B'], policy: 'skip' });
    assert.equal(drainAll(skip).length, 2);
    assert.deepEqual(skip.skipped(), [{ line: 3, reason: "field 'close' value 'oops' is not a finite number", symbol: 'B', file: f }]);
    const fail = new FileReplaySource({ files: [f], symbols: ['B'] });
    assert.equal(fail.next()!.bars.length, 1);
    assert.throws(() => fail.next(), /bad-mid\.csv:3: field 'close' value 'oops'/);
    assert.throws(() => fail.peekTs(), /bad-mid\.csv:3/, 'the failure is sticky, not a silent end of data');
  });
});

test('file replay equals parsing the file whole (ORCL)', () => {
  const whole = readBarsFile(ORCL, { symbol: 'ORCL' }).bars;
  const replay = drainAll(new FileReplaySource({ files: [ORCL], symbols: ['ORCL'] })).flatMap((b) => b.bars);
  assert.deepEqual(replay, whole);
});
