// A live feed with the process's bus (what `ordinis paper --feed` and `ordinis live` run): each
// closed bar is published as `ordinis.market.bar.closed` and ING's buffer takes it from the
// bus, so any other subscriber hears the same bars, and a bar another publisher puts on the
// bus is traded the same way. The engine itself is not given the bus: it runs no cycle of its
// own per bar (every cycle is the scheduler's, which the resume cursor follows).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ManualClock } from '../../../src/core/clock.ts';
import { SeededRandom } from '../../../src/core/random.ts';
import { createBus, createModeEmitter } from '../../../src/bus/create-bus.ts';
import type { EventEnvelope } from '../../../src/bus/contract.ts';
import { FileReplaySource } from '../../../src/adapters/data/file-replay-source.ts';
import { ManualBarFeed } from '../../../src/adapters/data/live-bar-feed.ts';
import { MARKET_BAR_CLOSED, barToPayload } from '../../../src/adapters/data/market-bar-event.ts';
import type { Bar } from '../../../src/domain/market.ts';
import type { CycleResult } from '../../../src/kernel/cycle-result.ts';
import { SAMPLE_DATA, openPaper, tempDir, testConfig } from './paper-support.ts';

test('live bars travel over the bus: published as ordinis.market.bar.closed, heard by others, buffered for ING; an outside publisher\'s bar is traded too; no extra cycles', async (t) => {
  const source = new FileReplaySource({ files: [SAMPLE_DATA], symbols: ['ORCL'], to: '1995-03-31' });
  const bars: Bar[] = [];
  for (let b = source.next(); b; b = source.next()) bars.push(...b.bars);
  source.close();
  assert.ok(bars.length >= 21);

  const clock = new ManualClock(bars[0]!.ts);
  const bus = createBus(testConfig(), { clock });
  const events = createModeEmitter({ bus, config: { ORCH_PROFILE: 'paper' }, clock, random: new SeededRandom(1), source: 'orch.paper', venue: 'paper' });
  const heard: EventEnvelope[] = [];
  bus.subscribe({ topic: MARKET_BAR_CLOSED, name: 'test.listener' }, (ev) => void heard.push(ev));

  const feed = new ManualBarFeed(['ORCL']);
  const taken: number[] = [];
  const observer = { cycleFinished: (r: CycleResult) => void taken.push(Number(r.stageResults.find((s) => s.stage === 'ING')?.output?.bars ?? -1)) };
  const { rt } = await openPaper(t, join(tempDir(t), 'live-bus.db'), { data: { kind: 'live', feed, clock, cadence: { kind: 'interval', ms: 5 } }, observer, bus, events });
  const run = rt.run();
  const cycles = () => rt.schedulerStats()?.cycles ?? 0;
  const waitCycles = async (n: number) => {
    const deadline = Date.now() + 10_000;
    while (cycles() < n) {
      if (Date.now() > deadline) throw new Error(`only ${cycles()} of ${n} cycles ran`);
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  // Twenty bars from the feed, in bursts of four; the twenty-first from another publisher.
  for (let i = 0; i < 20; i += 4) {
    clock.set(bars[i + 3]!.ts + 1000);
    const before = cycles();
    for (const b of bars.slice(i, i + 4)) feed.emit(b);
    await waitCycles(before + 2);
  }
  clock.set(bars[20]!.ts + 1000);
  const before = cycles();
  bus.publish(outsideEnvelope(bars[20]!, clock.now()));
  await waitCycles(before + 2);
  await rt.stop();
  const summary = await run;

  assert.equal(heard.length, 21, 'the listener heard the feed\'s twenty bars and the outside one');
  assert.deepEqual(heard.slice(0, 20).map((e) => e.payload), bars.slice(0, 20).map(barToPayload), 'each published as it closed, in order');
  assert.equal(taken.reduce((a, n) => a + n, 0), 21, 'every bar reached ING once, through the bus');
  assert.equal(summary.lastBarTime, new Date(bars[20]!.ts).toISOString(), 'the outside bar was traded');
  assert.equal(summary.cycles.total, cycles(), 'every cycle was the scheduler\'s: the engine ran none per bar event');
});

/** A bar as another process's market-data publisher would put it on the bus. */
function outsideEnvelope(bar: Bar, now: number): EventEnvelope {
  const at = new Date(now).toISOString();
  return {
    event_id: '00000000-0000-4000-8000-000000000021',
    event_type: MARKET_BAR_CLOSED,
    schema_version: '1.0.0',
    source: 'md.outside',
    ts_event: new Date(bar.ts).toISOString(),
    ts_ingest: at,
    trace_id: '0'.repeat(32),
    span_id: '0'.repeat(16),
    correlation_id: 'outside-1',
    partition_key: bar.symbol,
    tags: { instrument_type: 'equity', venue: 'paper', jurisdiction: 'US', env: 'paper' },
    payload: barToPayload(bar),
  };
}
