import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IngestStage } from '../../../src/stages/ing/ingest-stage.ts';
import { ArrayBarSource } from '../../../src/adapters/data/array-bar-source.ts';
import { FileReplaySource } from '../../../src/adapters/data/file-replay-source.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import type { Bar, MarketListener, MarketSnapshot } from '../../../src/domain/market.ts';
import { NVDA, ORCL, isoDate, makeCtx, utc } from './fixtures.ts';

const bar = (symbol: string, ts: number, close = 1): Bar => ({ symbol, ts, open: close, high: close, low: close, close, volume: 0 });

/** Every number-valued `ts` anywhere inside a value. */
function allTimestamps(x: unknown, out: number[] = []): number[] {
  if (Array.isArray(x)) for (const v of x) allTimestamps(v, out);
  else if (x !== null && typeof x === 'object') {
    for (const [k, v] of Object.entries(x)) {
      if (k === 'ts' && typeof v === 'number') out.push(v);
      else allTimestamps(v, out);
    }
  }
  return out;
}

describe('IngestStage', () => {
  test('a cycle gets exactly the bars at its time, in symbol order; listeners see them first', () => {
    const seen: string[] = [];
    const listener: MarketListener = { onBar: (b) => seen.push(`${b.symbol}@${isoDate(b.ts)}`) };
    const ing = new IngestStage({ source: new FileReplaySource({ files: [ORCL, NVDA], symbols: ['ORCL', 'NVDA'], from: '1999-01-21' }), listeners: [listener] });
    const s1 = ing.run(makeCtx({ cycleTime: utc('1999-01-21') }));
    assert.deepEqual(s1.bars.map((b) => b.symbol), ['ORCL']);
    assert.deepEqual(seen, ['ORCL@1999-01-21']);
    const s2 = ing.run(makeCtx({ cycleTime: utc('1999-01-22') }));
    assert.equal(s2.asOf, utc('1999-01-22'));
    assert.deepEqual(s2.bars.map((b) => b.symbol), ['ORCL', 'NVDA']);
    assert.deepEqual(seen, ['ORCL@1999-01-21', 'ORCL@1999-01-22', 'NVDA@1999-01-22']);
    assert.equal(s2.exhausted, undefined);
    assert.equal(s2.stale, undefined);
  });

  test('look-ahead is impossible: given a cycle time, no later bar is visible anywhere in the snapshot', () => {
    const ing = new IngestStage({ source: new FileReplaySource({ files: [ORCL, NVDA] }) });
    const t = utc('2005-09-14');
    const snap = ing.run(makeCtx({ cycleTime: t }));
    // The first call catches up on every earlier batch (nothing is lost) and stops at t.
    assert.ok(snap.bars.length > 0);
    const ts = allTimestamps(snap);
    assert.ok(ts.length > 0);
    assert.ok(ts.every((x) => x <= t), 'no bar later than the cycle time');
    assert.ok(JSON.stringify(snap).indexOf('2005-09-15') < 0);
    assert.equal(Math.max(...ts), t);
    // The next cycle sees 2005-09-15 only once its time has come.
    const early = ing.run(makeCtx({ cycleTime: t + 3600_000 }));
    assert.deepEqual(early.bars, []);
    const next = ing.run(makeCtx({ cycleTime: utc('2005-09-15') }));
    assert.ok(next.bars.length === 2 && next.bars.every((b) => b.ts === utc('2005-09-15')));
  });

  test('property: over any schedule of cycle times, every snapshot holds only bars <= its time, each bar exactly once, in order', () => {
    const barsArb = fc
      .uniqueArray(fc.tuple(fc.constantFrom('A', 'B', 'C'), fc.integer({ min: 0, max: 200 })), { selector: ([s, t]) => `${s}:${t}`, maxLength: 120 })
      .map((xs) => xs.map(([s, t]) => bar(s, t)));
    fc.assert(
      fc.property(barsArb, fc.array(fc.integer({ min: -5, max: 210 }), { maxLength: 60 }), (bars, times) => {
        const sortedTimes = [...times].sort((a, b) => a - b);
        const listened: Bar[] = [];
        const ing = new IngestStage({ source: new ArrayBarSource(bars, ['A', 'B', 'C']), listeners: [{ onBar: (b) => listened.push(b) }] });
        const delivered: Bar[] = [];
        for (const [i, t] of sortedTimes.entries()) {
          const snap = ing.run(makeCtx({ cycleTime: t, cycleIndex: i }));
          for (const b of snap.bars) assert.ok(b.ts <= t, `bar at ${b.ts} in cycle ${t}`);
          delivered.push(...snap.bars);
        }
        const last = sortedTimes.at(-1) ?? Number.NEGATIVE_INFINITY;
        const expected = bars.filter((b) => b.ts <= last).sort((a, b) => a.ts - b.ts || a.symbol.localeCompare(b.symbol));
        assert.deepEqual(delivered, expected);
        assert.deepEqual(listened, expected);
      }),
      { numRuns: 300 },
    );
  });

  test('exhausted is set on the cycle that hands out the last bar, and after', () => {
    const ing = new IngestStage({ source: new ArrayBarSource([bar('A', 1), bar('A', 2)]) });
    assert.equal(ing.run(makeCtx({ cycleTime: 1 })).exhausted, undefined);
    const last = ing.run(makeCtx({ cycleTime: 2 }));
    assert.equal(last.exhausted, true);
    assert.equal(last.bars.length, 1);
    const after = ing.run(makeCtx({ cycleTime: 3 }));
    assert.deepEqual(after, { asOf: 3, bars: [], exhausted: true });
    assert.equal(ing.barsDelivered, 2);
  });

  test('staleness: checked in paper/live by the clock, never in backtest, never throws', () => {
    const mk = (): IngestStage => new IngestStage({ source: new ArrayBarSource([bar('A', 10_000)]), maxStalenessMs: 2000 });
    const clock = new ManualClock(11_000);
    const paper = mk();
    const fresh = paper.run(makeCtx({ cycleTime: 11_000, mode: 'paper', clock }));
    assert.equal(fresh.stale, undefined);
    clock.set(12_001);
    const stale = paper.run(makeCtx({ cycleTime: 12_001, mode: 'paper', clock }));
    assert.equal(stale.stale?.lagMs, 2001);
    assert.match(stale.stale!.reason, /newest bar 1970-01-01T00:00:10.000Z is 2001 ms old/);
    const live = mk();
    clock.set(50_000);
    assert.equal(live.run(makeCtx({ cycleTime: 50_000, mode: 'live', clock })).stale?.lagMs, 40_000);
    const bt = mk();
    assert.equal(bt.run(makeCtx({ cycleTime: 50_000, mode: 'backtest', clock })).stale, undefined);
    // Default threshold 2000 ms; an explicit clock overrides the context's.
    const own = new IngestStage({ source: new ArrayBarSource([bar('A', 0)]), clock: new ManualClock(1999) });
    assert.equal(own.run(makeCtx({ cycleTime: 0, mode: 'paper', clock: new ManualClock(10 ** 9) })).stale, undefined);
  });

  test('no data at all in paper mode turns stale once the threshold has passed since the first cycle', () => {
    const clock = new ManualClock(1_000_000);
    const ing = new IngestStage({ source: new ArrayBarSource([]), maxStalenessMs: 100 });
    assert.equal(ing.run(makeCtx({ cycleTime: 1_000_000, mode: 'paper', clock })).stale, undefined);
    clock.advance(101);
    assert.match(ing.run(makeCtx({ cycleTime: 1_000_101, mode: 'paper', clock })).stale!.reason, /no market data received in 101 ms/);
  });

  test('a retried attempt of the same cycle gets the same bars; a failed listener resumes where it failed', () => {
    const calls: string[] = [];
    let failOnce = true;
    const a: MarketListener = { onBar: (b) => calls.push(`a:${b.symbol}`) };
    const flaky: MarketListener = {
      onBar: (b) => {
        if (b.symbol === 'B' && failOnce) {
          failOnce = false;
          throw new Error('venue hiccup');
        }
        calls.push(`f:${b.symbol}`);
      },
    };
    const ing = new IngestStage({ source: new ArrayBarSource([bar('A', 5), bar('B', 5)]), listeners: [a, flaky] });
    assert.throws(() => ing.run(makeCtx({ cycleTime: 5 })), /venue hiccup/);
    const snap: MarketSnapshot = ing.run(makeCtx({ cycleTime: 5, attempt: 2 }));
    assert.deepEqual(snap.bars.map((b) => b.symbol), ['A', 'B']);
    assert.deepEqual(calls, ['a:A', 'f:A', 'a:B', 'f:B']);
    assert.deepEqual(ing.run(makeCtx({ cycleTime: 5, attempt: 3 })).bars, snap.bars);
    assert.equal(calls.length, 4);
    // A new cycle at the same time (attempt 1, next index) gets nothing new.
    assert.deepEqual(ing.run(makeCtx({ cycleTime: 5, cycleIndex: 1 })).bars, []);
  });

  test('a failed cycle that is not retried: its bars lead the next cycle, listeners resume', () => {
    const calls: string[] = [];
    let fail = true;
    const flaky: MarketListener = {
      onBar: (b) => {
        if (b.symbol === 'B' && fail) {
          fail = false;
          throw new Error('down');
        }
        calls.push(`${b.symbol}${b.ts}`);
      },
    };
    const ing = new IngestStage({ source: new ArrayBarSource([bar('A', 5), bar('B', 5), bar('A', 6)]), listeners: [flaky] });
    assert.throws(() => ing.run(makeCtx({ cycleTime: 5, cycleIndex: 0 })));
    const next = ing.run(makeCtx({ cycleTime: 6, cycleIndex: 1 }));
    assert.deepEqual(next.bars.map((b) => `${b.symbol}${b.ts}`), ['A5', 'B5', 'A6']);
    assert.deepEqual(calls, ['A5', 'B5', 'A6']);
    assert.equal(ing.barsDelivered, 3);
  });

  test('summarize is small and serialisable', () => {
    const ing = new IngestStage({ source: new ArrayBarSource([bar('A', 1)]) });
    const out = ing.run(makeCtx({ cycleTime: 1 }));
    assert.deepEqual(ing.summarize(out), { asOf: 1, bars: 1, exhausted: true });
  });
});
