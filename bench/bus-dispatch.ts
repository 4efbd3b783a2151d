// busDispatchUs: publish -> handler latency on the in-memory bus, paced at 10 000 events/s.
// One subscriber on `ordinis.market.*`, bus metrics wired to prom-client as an entry point
// wires them. The publisher builds each envelope with the EnvelopeFactory (not timed), then
// the clock starts just before `bus.publish()` and stops when the handler is entered. Between
// publishes the publisher yields to the event loop (setImmediate), as a real producer would.

import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { InMemoryBus } from '../src/bus/in-memory-bus.ts';
import { EnvelopeFactory } from '../src/bus/event-factory.ts';
import { systemClock } from '../src/core/clock.ts';
import { SeededRandom } from '../src/core/random.ts';
import { createOrchMetrics } from '../src/observability/metrics.ts';
import { percentiles } from './lib/stats.ts';

export interface BusDispatchResult {
  ratePerSec: number;
  p95: number;
}

export interface BusDispatchDetail extends BusDispatchResult {
  p50: number;
  p99: number;
  n: number;
  targetRatePerSec: number;
}

export async function benchBusDispatch(quick: boolean, targetRatePerSec = 10_000): Promise<BusDispatchDetail> {
  const seconds = quick ? 0.3 : 5;
  const warmupSeconds = quick ? 0.1 : 0.5;
  const metrics = createOrchMetrics();
  const bus = new InMemoryBus({ clock: systemClock, onMetric: metrics.bus.onBusMetric });
  const factory = new EnvelopeFactory({
    bus,
    clock: systemClock,
    random: new SeededRandom(3),
    source: 'ing.bench',
    tags: { instrument_type: 'equity', venue: 'paper', jurisdiction: 'US', env: 'paper' },
  });

  const total = Math.round((seconds + warmupSeconds) * targetRatePerSec);
  const warmup = Math.round(warmupSeconds * targetRatePerSec);
  const publishedAt = new Float64Array(total);
  const latencyUs = new Float64Array(total);
  let received = 0;
  bus.subscribe({ topic: 'ordinis.market.*', name: 'bench.consumer' }, (ev) => {
    const n = (ev.payload as { n: number }).n;
    latencyUs[n] = (performance.now() - publishedAt[n]!) * 1000;
    received++;
  });

  const intervalMs = 1000 / targetRatePerSec;
  const start = performance.now();
  let measuredFrom = start;
  for (let i = 0; i < total; i++) {
    const due = start + i * intervalMs;
    while (performance.now() < due) await yieldToLoop();
    if (i === warmup) measuredFrom = performance.now();
    const ev = factory.build('ordinis.market.bar.closed', { symbol: 'ORCL', close: 45.5, n: i }, { partitionKey: 'ORCL' });
    publishedAt[i] = performance.now();
    bus.publish(ev);
    await yieldToLoop();
  }
  await bus.drain();
  const elapsed = (performance.now() - measuredFrom) / 1000;
  bus.close();
  if (received !== total) throw new Error(`bus delivered ${received} of ${total} events`);
  const p = percentiles(latencyUs.subarray(warmup));
  return { ratePerSec: Math.round((total - warmup) / elapsed), p95: p.p95, p50: p.p50, p99: p.p99, n: p.n, targetRatePerSec };
}
