import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../../src/core/clock.ts';
import { InMemoryBus } from '../../../src/bus/in-memory-bus.ts';
import type { CycleResult } from '../../../src/kernel/cycle-result.ts';
import { createEngineObserver } from '../../../src/observability/engine-observer.ts';
import { createOrchMetrics } from '../../../src/observability/metrics.ts';
import { IngestStage } from '../../../src/stages/ing/ingest-stage.ts';
import type { Stage, StageContext } from '../../../src/kernel/stage-contract.ts';
import type { Bar, MarketSnapshot } from '../../../src/domain/market.ts';
import { BufferedBarSource } from '../../../src/adapters/data/buffered-bar-source.ts';
import { CycleScheduler, cadenceFromSchedule } from '../../../src/modes/paper/cycle-scheduler.ts';
import { parseSchedule } from '../../../src/config/schedule.ts';
import { EMPTY_OUTPUTS, makeEngine, scriptedStages } from '../../support/engine-harness.ts';
import { sampleEvent } from '../../bus/sample-events.ts';

const FAR_FUTURE = Date.UTC(2100, 0, 1);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function until(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('condition not reached in time');
    await sleep(5);
  }
}

async function skippedMetric(metrics: ReturnType<typeof createOrchMetrics>, reason: string): Promise<number> {
  const m = await metrics.raw.cyclesSkippedTotal.get();
  return m.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

test('overlap: ticks that find a cycle running are skipped and counted, never run concurrently', async () => {
  let running = 0;
  let maxRunning = 0;
  const metrics = createOrchMetrics();
  const { engine } = makeEngine({
    observer: createEngineObserver({ metrics }),
    behaviours: {
      SIG: async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await sleep(60);
        running--;
        return [];
      },
    },
  });
  engine.start();
  const results: CycleResult[] = [];
  const scheduler = new CycleScheduler({ engine, cadence: { kind: 'interval', ms: 10 }, onCycle: (r) => results.push(r) });
  scheduler.start();
  await until(() => results.length >= 3);
  await scheduler.stop();

  assert.equal(maxRunning, 1, 'two cycles ran at once');
  const stats = scheduler.stats();
  assert.ok(stats.skipped >= 5, `expected skipped ticks, got ${stats.skipped}`);
  assert.equal(engine.status().counts.skipped, stats.skipped, 'the engine counted every refused tick');
  assert.equal(await skippedMetric(metrics, 'cycle_in_progress'), stats.skipped, 'ordinis_cycles_skipped_total{reason="cycle_in_progress"}');
  assert.ok(results.every((r) => r.status === 'ok'));
  assert.equal(scheduler.status, 'stopped');
});

test('a stalled stage is cut at its budget and the scheduler keeps going', async () => {
  const { engine } = makeEngine({
    settings: { stageBudgetMs: { FEAT: 40 }, cycleBudgetMs: 2000 },
    behaviours: { FEAT: () => new Promise(() => {}) },
  });
  engine.start();
  const results: CycleResult[] = [];
  const scheduler = new CycleScheduler({ engine, cadence: { kind: 'interval', ms: 15 }, tickAtStart: true, onCycle: (r) => results.push(r) });
  const t0 = Date.now();
  scheduler.start();
  await until(() => results.length >= 4);
  const elapsed = Date.now() - t0;
  await scheduler.stop();

  for (const r of results.slice(0, 4)) {
    const feat = r.stageResults.find((s) => s.stage === 'FEAT')!;
    assert.equal(feat.status, 'timed_out');
    assert.equal(feat.errorCode, 'E_ORCH_TIMEOUT');
    assert.ok(feat.durationMs >= 35 && feat.durationMs < 400, `FEAT cut near its 40 ms budget, took ${feat.durationMs}`);
    assert.equal(r.status, 'failed');
  }
  assert.ok(elapsed < 2000, `four budget-cut cycles took ${elapsed} ms`);
  assert.ok(scheduler.stats().skipped > 0, 'ticks during the stalled cycles were skipped');
});

test('stop() stops ticking and waits for the running cycle to finish', async () => {
  let finished = 0;
  const { engine } = makeEngine({
    behaviours: {
      PORT: async () => {
        await sleep(80);
        finished++;
        return EMPTY_OUTPUTS.PORT;
      },
    },
  });
  engine.start();
  const results: CycleResult[] = [];
  const scheduler = new CycleScheduler({ engine, cadence: { kind: 'interval', ms: 10 }, tickAtStart: true, onCycle: (r) => results.push(r) });
  scheduler.start();
  await until(() => engine.isBusy);
  await scheduler.stop();
  assert.equal(finished, 1, 'the running cycle finished before stop() resolved');
  assert.equal(results.length, 1, 'its result was delivered');
  assert.equal(engine.status().state, 'stopped');
  await sleep(40);
  assert.equal(results.length, 1, 'no cycle after stop');
  assert.equal(await scheduler.done, 'stopped');
});

test('continuous cadence runs back to back until plan says done', async () => {
  const { engine } = makeEngine();
  engine.start();
  let n = 0;
  const scheduler = new CycleScheduler({
    engine,
    cadence: { kind: 'continuous' },
    plan: () => (n >= 5 ? 'done' : { trigger: { kind: 'timer', at: Date.UTC(2024, 0, 2) + ++n }, options: { correlationId: `c-${n}` } }),
  });
  scheduler.start();
  assert.equal(await scheduler.done, 'done');
  assert.equal(scheduler.stats().cycles, 5);
  assert.equal(scheduler.stats().skipped, 0);
  assert.equal(engine.status().state, 'stopped');
});

test('market cadence with buffered bars: bars arriving during a cycle reach the next one, none lost', async () => {
  const bus = new InMemoryBus({ clock: systemClock });
  const buffer = new BufferedBarSource({ symbols: ['AAA', 'BBB'] });
  const calls: string[] = [];
  const stages = scriptedStages(calls, {
    SIG: async () => {
      await sleep(50);
      return [];
    },
  });
  const seen: number[][] = [];
  const ingest = new IngestStage({ source: buffer, stalenessModes: [] });
  stages.ING = {
    name: 'ING',
    run: (ctx: StageContext): MarketSnapshot => {
      const snap = ingest.run(ctx);
      seen.push(snap.bars.map((b) => b.ts));
      return snap;
    },
  } as Stage<'ING'>;
  const { engine } = makeEngine({ stages });
  engine.start();
  const scheduler = new CycleScheduler({
    engine,
    cadence: { kind: 'market' },
    market: { bus, buffer },
    plan: (tick) => ({ trigger: { kind: 'market', at: FAR_FUTURE, ...(tick.eventId ? { eventId: tick.eventId } : {}) } }),
  });
  scheduler.start();
  const bar = (symbol: string, ts: number): Bar => ({ symbol, ts, open: 10, high: 11, low: 9, close: 10.5, volume: 100 });
  const publish = (b: Bar, n: number) => bus.publish(sampleEvent({ event_id: `bar-${n}`, partition_key: b.symbol, payload: { ...b } }, n));
  publish(bar('AAA', 1000), 1);
  await until(() => engine.isBusy);
  // A burst while the first cycle runs: buffered, their ticks skipped.
  publish(bar('AAA', 2000), 2);
  publish(bar('BBB', 2000), 3);
  publish(bar('AAA', 3000), 4);
  publish(bar('AAA', 500), 5); // late: before a batch already handed out
  bus.publish(sampleEvent({ event_id: 'bad', payload: { symbol: 'AAA', close: 1 } }, 6)); // not a bar
  await until(() => scheduler.stats().cycles >= 2 && !engine.isBusy);
  await sleep(20);
  await scheduler.stop();

  assert.deepEqual(seen.flat(), [1000, 2000, 2000, 3000], 'every bar once, in time order');
  assert.deepEqual(seen[0], [1000]);
  assert.equal(scheduler.stats().cycles, 2, 'one catch-up cycle took the whole burst');
  assert.ok(scheduler.stats().skipped >= 3);
  assert.equal(scheduler.stats().badBarEvents, 1);
  assert.equal(buffer.stats().late, 1);
});

test('timer + buffered bars: the bus only buffers, the timer runs the cycles', async () => {
  const bus = new InMemoryBus({ clock: systemClock });
  const buffer = new BufferedBarSource();
  const taken: number[] = [];
  const calls: string[] = [];
  const stages = scriptedStages(calls);
  const ingest = new IngestStage({ source: buffer, stalenessModes: [] });
  stages.ING = { name: 'ING', run: (ctx: StageContext) => { const s = ingest.run(ctx); taken.push(s.bars.length); return s; } } as Stage<'ING'>;
  const { engine } = makeEngine({ stages });
  engine.start();
  const scheduler = new CycleScheduler({
    engine,
    cadence: { kind: 'interval', ms: 40 },
    market: { bus, buffer },
    plan: () => ({ trigger: { kind: 'timer', at: FAR_FUTURE } }),
  });
  scheduler.start();
  for (let i = 1; i <= 3; i++) bus.publish(sampleEvent({ event_id: `b${i}`, payload: { symbol: 'AAA', ts: i * 1000, open: 1, high: 1, low: 1, close: 1, volume: 1 } }, i));
  await bus.drain();
  assert.equal(engine.status().counts.ok, 0, 'bar events alone trigger nothing');
  await until(() => scheduler.stats().cycles >= 1);
  await scheduler.stop();
  assert.equal(taken[0], 3, 'the first timer cycle took every buffered bar');
});

test('cron cadence (croner, seconds field) runs cycles on the expression', async () => {
  const { engine } = makeEngine();
  engine.start();
  const sched = parseSchedule('* * * * * *');
  assert.ok(sched.ok);
  const scheduler = new CycleScheduler({ engine, cadence: cadenceFromSchedule(sched.schedule) });
  scheduler.start();
  await until(() => scheduler.stats().cycles >= 1, 2500);
  await scheduler.stop();
  assert.equal(scheduler.stats().cadence, 'cron');
  assert.equal(cadenceFromSchedule({ kind: 'interval', ms: 30000 }).kind, 'interval');
});

test('BufferedBarSource: time batches in symbol order, late and duplicate bars dropped, floor', () => {
  const b = new BufferedBarSource({ symbols: ['X', 'Y'], floorTs: 100 });
  const bar = (symbol: string, ts: number): Bar => ({ symbol, ts, open: 1, high: 1, low: 1, close: 1, volume: 0 });
  assert.equal(b.push(bar('Y', 300)), 'accepted');
  assert.equal(b.push(bar('X', 300)), 'accepted');
  assert.equal(b.push(bar('X', 200)), 'accepted');
  assert.equal(b.push(bar('X', 100)), 'late');
  assert.equal(b.push(bar('X', 200)), 'duplicate');
  assert.equal(b.push(bar('Z', 400)), 'unknown_symbol');
  assert.equal(b.peekTs(), 200);
  assert.deepEqual(b.next()!.bars.map((x) => x.symbol), ['X']);
  assert.deepEqual(b.next()!.bars.map((x) => x.symbol), ['X', 'Y']);
  assert.equal(b.next(), undefined);
  assert.equal(b.push(bar('X', 250)), 'late', 'behind the last batch handed out');
  assert.equal(b.floorTs, 300);
  b.push(bar('X', 500));
  b.advanceFloor(600);
  assert.equal(b.peekTs(), undefined);
  assert.deepEqual(b.stats(), { buffered: 0, accepted: 4, late: 3, duplicates: 1, unknownSymbol: 1, overflow: 0 });
});

test('an async onCycle (live reconciliation) holds the next cycle: ticks meanwhile wait, none is skipped or overlaps it', async () => {
  const { engine } = makeEngine({});
  engine.start();
  let inOnCycle = false;
  let cycleDuringOnCycle = false;
  let finished = 0;
  const scheduler = new CycleScheduler({
    engine,
    cadence: { kind: 'interval', ms: 5 },
    plan: () => {
      if (inOnCycle) cycleDuringOnCycle = true;
      return { trigger: { kind: 'timer' } };
    },
    onCycle: async () => {
      inOnCycle = true;
      await sleep(40);
      inOnCycle = false;
      finished++;
    },
  });
  scheduler.start();
  await until(() => finished >= 3);
  await scheduler.stop();
  assert.equal(cycleDuringOnCycle, false, 'a cycle was planned while the last one\'s onCycle work ran');
  assert.equal(scheduler.stats().skipped, 0);
  assert.ok(scheduler.stats().cycles >= 3);
});
