import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CsvBarReader, parseBarsCsv, readBarsFile, symbolFromPath } from '../../../src/adapters/data/csv-bars.ts';
import { parseIsoDate } from '../../../src/adapters/data/bar-time.ts';
import { OrdinisError } from '../../../src/errors.ts';
import { DAY, MIN1, MIN5, NVDA, ORCL, SPY, YHOO, tempCsv, utc } from '../../stages/ing/fixtures.ts';

const iso = (ts: number): string => new Date(ts).toISOString();

describe('every shared data file parses with its quirks', () => {
  const cases: [string, number, string, string][] = [
    [ORCL, 5036, '1995-01-03T00:00:00.000Z', '2014-12-31T00:00:00.000Z'],
    [NVDA, 4012, '1999-01-22T00:00:00.000Z', '2014-12-31T00:00:00.000Z'],
    [YHOO, 4713, '1996-04-12T00:00:00.000Z', '2014-12-31T00:00:00.000Z'],
    [DAY, 255, '2006-01-02T00:00:00.000Z', '2006-12-29T00:00:00.000Z'],
    [MIN5, 2142, '2006-01-02T09:05:00.000Z', '2006-01-30T17:30:00.000Z'],
    [MIN1, 30889, '2006-01-02T09:01:00.000Z', '2006-02-27T22:00:00.000Z'],
    [SPY, 5032, '2005-12-06T00:00:00.000Z', '2025-12-05T00:00:00.000Z'],
  ];
  for (const [file, rows, first, last] of cases) {
    test(`${symbolFromPath(file)}: ${rows} rows, ${first.slice(0, 10)} .. ${last.slice(0, 10)}`, () => {
      const r = readBarsFile(file);
      assert.equal(r.bars.length, rows);
      assert.equal(r.skipped.length, 0);
      assert.equal(iso(r.bars[0]!.ts), first);
      assert.equal(iso(r.bars.at(-1)!.ts), last);
      for (let i = 1; i < r.bars.length; i++) assert.ok(r.bars[i]!.ts > r.bars[i - 1]!.ts);
      for (const b of r.bars) {
        assert.equal(b.symbol, symbolFromPath(file));
        assert.ok(b.low <= Math.min(b.open, b.close) && b.high >= Math.max(b.open, b.close) && b.low > 0);
      }
    });
  }

  test('Yahoo files: raw Open/High/Low/Close columns, Adj Close ignored, Volume used', () => {
    const b = readBarsFile(ORCL).bars[0]!;
    assert.deepEqual(b, { symbol: 'orcl-1995-2014', ts: utc('1995-01-03'), open: 2.179012, high: 2.191358, low: 2.117284, close: 2.117284, volume: 36301200 });
  });

  test('minute file with the header lacking Time (CRLF): rows date,time,O,H,L,C,V,OI', () => {
    const r = readBarsFile(MIN1);
    assert.deepEqual(r.bars[0], { symbol: '2006-01-02-volume-min-001', ts: Date.UTC(2006, 0, 2, 9, 1), open: 3602, high: 3603, low: 3597, close: 3599, volume: 5699 });
    // 2006-01-02 has 584 bars ending 20:04; 2006-01-16 has 653.
    const on = (d: string): number => r.bars.filter((b) => iso(b.ts).startsWith(d)).length;
    assert.equal(on('2006-01-02'), 584);
    assert.equal(on('2006-01-16'), 653);
    assert.equal(iso(r.bars.filter((b) => iso(b.ts).startsWith('2006-01-02')).at(-1)!.ts), '2006-01-02T20:04:00.000Z');
    assert.ok(r.bars.every((b) => b.volume > 0));
  });

  test('5-minute file with Date and Time columns: 102 bars a day, 09:05 .. 17:30', () => {
    const r = readBarsFile(MIN5);
    const days = new Map<string, number>();
    for (const b of r.bars) days.set(iso(b.ts).slice(0, 10), (days.get(iso(b.ts).slice(0, 10)) ?? 0) + 1);
    assert.equal(days.size, 21);
    assert.ok([...days.values()].every((n) => n === 102));
  });

  test('SPY: lower-case header; a High one ulp below Close (2013-01-25) is within the OHLC slack', () => {
    const r = readBarsFile(SPY);
    const b = r.bars.find((x) => x.ts === utc('2013-01-25'))!;
    assert.equal(b.high, b.close);
    assert.throws(() => readBarsFile(SPY, { ohlcTolerance: 0 }), /SPY_daily_2005-2025\.csv:1797: high 120\.30888366699217 < max\(open, close\)/);
  });
});

describe('bad rows: E_ING_NORMALIZE_FAILED naming file, line, field and value', () => {
  const HEADER = 'Date,Open,High,Low,Close,Volume\n';
  const GOOD = '2020-01-02,10,11,9,10.5,100\n';
  const bad: [string, string, RegExp][] = [
    ['wrong field count', '2020-01-03,10,11,9,10.5\n', /expected 6 fields, found 5/],
    ['unparsable date', '2020-13-03,10,11,9,10.5,100\n', /field 'date' value '2020-13-03' is not a valid date/],
    ['impossible date', '2020-02-30,10,11,9,10.5,100\n', /field 'date' value '2020-02-30'/],
    ['empty field', '2020-01-03,10,,9,10.5,100\n', /field 'high' is empty/],
    ['NaN', '2020-01-03,10,11,9,NaN,100\n', /field 'close' value 'NaN' is not a finite number/],
    ['Infinity', '2020-01-03,10,Infinity,9,10.5,100\n', /field 'high' value 'Infinity'/],
    ['overflow to infinity', '2020-01-03,10,1e400,9,10.5,100\n', /field 'high' value '1e400' is not finite/],
    ['negative price', '2020-01-03,-10,11,9,10.5,100\n', /field 'open' value '-10' must be > 0/],
    ['zero price', '2020-01-03,10,11,0,10.5,100\n', /field 'low' value '0' must be > 0/],
    ['high < low', '2020-01-03,10,8,9,10.5,100\n', /high 8 < low 9/],
    ['high < max(open, close)', '2020-01-03,10,10.2,9,10.5,100\n', /high 10\.2 < max\(open, close\) 10\.5/],
    ['low > min(open, close)', '2020-01-03,10,11,10.1,10.5,100\n', /low 10\.1 > min\(open, close\) 10/],
    ['negative volume', '2020-01-03,10,11,9,10.5,-1\n', /field 'volume' value '-1' is negative/],
    ['duplicate timestamp', '2020-01-02,10,11,9,10.5,100\n', /timestamp 2020-01-02T00:00:00.000Z duplicates line 2/],
    ['out-of-order timestamp', '2020-01-01,10,11,9,10.5,100\n', /is earlier than line 2's/],
  ];
  for (const [what, row, re] of bad) {
    test(`${what}: policy fail throws at line 3; policy skip drops and counts it`, () => {
      const file = tempCsv(`bad-${what.replace(/\W+/g, '-')}.csv`, HEADER + GOOD + row + '2020-01-06,10,11,9,10.5,100\n');
      const err = (() => {
        try {
          readBarsFile(file);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      assert.ok(err instanceof OrdinisError, 'throws an OrdinisError');
      assert.equal(err.code, 'E_ING_NORMALIZE_FAILED');
      assert.ok(err.message.includes(`${file}:3: `), err.message);
      assert.match(err.message, re);
      assert.equal(err.details?.['line'], 3);
      assert.equal(err.details?.['file'], file);

      const r = readBarsFile(file, { policy: 'skip' });
      assert.equal(r.bars.length, 2);
      assert.equal(r.skipped.length, 1);
      assert.equal(r.skipped[0]!.line, 3);
      assert.match(r.skipped[0]!.reason, re);
    });
  }

  test('a header without a required column fails on line 1', () => {
    const file = tempCsv('nohigh.csv', 'Date,Open,Low,Close\n2020-01-02,1,1,1\n');
    assert.throws(() => readBarsFile(file), (e: unknown) => e instanceof OrdinisError && e.code === 'E_ING_NORMALIZE_FAILED' && /nohigh\.csv:1: header lacks a 'high' column/.test(e.message));
  });

  test('an empty file and a missing file', () => {
    assert.throws(() => readBarsFile(tempCsv('empty.csv', '\n\n')), /empty file: no header row/);
    assert.throws(() => readBarsFile('/nonexistent/x.csv'), (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID');
  });

  test('skip policy keeps going past several bad rows and reports them in order', () => {
    const text = HEADER + GOOD + 'x\n2020-01-03,10,11,9,10.5,100\n2020-01-03,10,11,9,10.5,100\n2020-01-06,10,11,9,abc,1\n2020-01-07,10,11,9,10.5,100\n';
    const r = parseBarsCsv(text, { symbol: 'X', policy: 'skip', file: 'mem.csv' });
    assert.deepEqual(
      r.bars.map((b) => iso(b.ts).slice(0, 10)),
      ['2020-01-02', '2020-01-03', '2020-01-07'],
    );
    assert.deepEqual(
      r.skipped.map((s) => s.line),
      [3, 5, 6],
    );
  });
});

describe('shapes and options', () => {
  test('case-insensitive header, extra columns ignored, no volume column -> 0, quotes, BOM, CRLF, blank lines', () => {
    const text = '\uFEFF"DATE", OPEN ,High,low,CLOSE,Adj Close\r\n2020-01-02,1,2,0.5,1.5,1.4\r\n\r\n"2020-01-03","1.5","2","1","1.8","1.7"\r\n';
    const r = parseBarsCsv(text, { symbol: 'S' });
    assert.deepEqual(r.bars, [
      { symbol: 'S', ts: utc('2020-01-02'), open: 1, high: 2, low: 0.5, close: 1.5, volume: 0 },
      { symbol: 'S', ts: utc('2020-01-03'), open: 1.5, high: 2, low: 1, close: 1.8, volume: 0 },
    ]);
  });

  test('date+time in one column, in a Time column, and the shifted quirk all give UTC times', () => {
    const one = parseBarsCsv('Datetime,Open,High,Low,Close\n2020-01-02 09:30:00,1,1,1,1\n2020-01-02T09:31:00.250Z,1,1,1,1\n', { symbol: 'A' });
    assert.deepEqual(one.bars.map((b) => b.ts), [Date.UTC(2020, 0, 2, 9, 30), Date.UTC(2020, 0, 2, 9, 31, 0, 250)]);
    const two = parseBarsCsv('Date,Time,Open,High,Low,Close\n2020-01-02,09:30,1,1,1,1\n', { symbol: 'A' });
    assert.equal(two.bars[0]!.ts, Date.UTC(2020, 0, 2, 9, 30));
    const quirk = parseBarsCsv('Date,Open,High,Low,Close,Volume\n2020-01-02,09:30:00,1,2,1,1,7\n2020-01-02,09:31:00,1,2,1,1,8\n', { symbol: 'A' });
    assert.deepEqual(quirk.bars.map((b) => [b.ts, b.high, b.volume]), [
      [Date.UTC(2020, 0, 2, 9, 30), 2, 7],
      [Date.UTC(2020, 0, 2, 9, 31), 2, 8],
    ]);
    // Once the quirk is settled, a row without the time is a wrong field count.
    assert.throws(() => parseBarsCsv('Date,Open,High,Low,Close,Volume\n2020-01-02,09:30:00,1,2,1,1,7\n2020-01-03,1,2,1,1,8\n', { symbol: 'A', file: 'q.csv' }), /q\.csv:3: expected 7 fields, found 6/);
    assert.throws(() => parseBarsCsv('Date,Time,Open,High,Low,Close\n2020-01-02,25:00,1,1,1,1\n', { symbol: 'A' }), /field 'time' value '25:00'/);
  });

  test('from/to filter by date, inclusive, also for intraday bars', () => {
    const r = readBarsFile(MIN5, { from: '2006-01-03', to: '2006-01-04' });
    assert.equal(r.bars.length, 204);
    assert.equal(iso(r.bars[0]!.ts), '2006-01-03T09:05:00.000Z');
    assert.equal(iso(r.bars.at(-1)!.ts), '2006-01-04T17:30:00.000Z');
    const d = readBarsFile(ORCL, { from: '2014-12-30', to: '2014-12-31' });
    assert.equal(d.bars.length, 2);
    assert.throws(() => readBarsFile(ORCL, { from: '2014-13-01' }), (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID');
    assert.throws(() => readBarsFile(ORCL, { from: '2014-12-31', to: '2014-01-01' }), /is after/);
  });

  test('incremental reader: peek does not consume, next advances, bars identical to a whole-text parse', async () => {
    const r = CsvBarReader.open(MIN1);
    const first = r.peek();
    assert.deepEqual(r.peek(), first);
    assert.deepEqual(r.next(), first);
    let n = 1;
    while (r.next() !== undefined) n++;
    assert.equal(n, 30889);
    assert.equal(r.next(), undefined);
    const { readFileSync } = await import('node:fs');
    const whole = parseBarsCsv(readFileSync(MIN1, 'utf8'), { symbol: 'x' });
    const streamed = readBarsFile(MIN1, { symbol: 'x' });
    assert.deepEqual(streamed.bars, whole.bars);
  });

  test('helpers: symbolFromPath, parseIsoDate', () => {
    assert.equal(symbolFromPath('/a/b/orcl-1995-2014.txt'), 'orcl-1995-2014');
    assert.equal(symbolFromPath('SPY'), 'SPY');
    assert.equal(parseIsoDate('2006-01-02'), Date.UTC(2006, 0, 2));
    assert.equal(parseIsoDate('20060102'), Date.UTC(2006, 0, 2));
    assert.equal(parseIsoDate('2006-02-29'), undefined);
    assert.equal(parseIsoDate('2006-01/02'), undefined);
  });
});
