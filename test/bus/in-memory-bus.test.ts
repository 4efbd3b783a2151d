import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import type { BusMetric } from '../../src/bus/bus-metric.ts';
import type { DeadLetter, EventEnvelope } from '../../src/bus/contract.ts';
import { InMemoryBus } from '../../src/bus/in-memory-bus.ts';
import type { InMemoryBusOptions } from '../../src/bus/bus-options.ts';
import { MemoryDeadLetterSink } from '../../src/bus/memory-dead-letter-sink.ts';
import { OrdinisError } from '../../src/errors.ts';
import type { ErrorCode } from '../../src/errors.ts';
import { deferred, sampleEvent, ticks } from './sample-events.ts';

const T0 = Date.UTC(2024, 0, 2, 15, 4, 5);

function newBus(options: Partial<InMemoryBusOptions> = {}) {
  const clock = new ManualClock(T0);
  const deadLetters = new MemoryDeadLetterSink();
  const bus = new InMemoryBus({ clock, deadLetters, retryBackoffMs: 1, ...options });
  return { bus, clock, deadLetters };
}

function bar(n: number, overrides: Partial<EventEnvelope> = {}): EventEnvelope {
  return sampleEvent(overrides, n);
}

function isCode(code: ErrorCode) {
  return (e: unknown) => e instanceof OrdinisError && e.code === code;
}

test('publish acks and delivers asynchronously to every matching subscriber', async () => {
  const { bus } = newBus();
  const got: Record<string, string[]> = { exact: [], tail: [], inner: [], other: [] };
  bus.subscribe({ topic: 'ordinis.market.bar.closed', name: 'exact' }, (e) => void got.exact.push(e.event_id));
  bus.subscribe({ topic: 'ordinis.market.*', name: 'tail' }, (e) => void got.tail.push(e.event_id));
  bus.subscribe({ topic: 'ordinis.*.bar.closed', name: 'inner' }, async (e) => void got.inner.push(e.event_id));
  bus.subscribe({ topic: 'ordinis.features.*', name: 'other' }, (e) => void got.other.push(e.event_id));

  const ack = bus.publish(bar(1));
  assert.deepEqual(ack, { ok: true, event_id: 'evt-1', ts_published: '2024-01-02T15:04:05.000Z' });
  assert.deepEqual(got.exact, [], 'nothing is delivered inside publish()');
  assert.equal(bus.health().queued, 3);

  await bus.drain();
  assert.deepEqual(got, { exact: ['evt-1'], tail: ['evt-1'], inner: ['evt-1'], other: [] });
  const h = bus.health();
  assert.equal(h.published, 1);
  assert.equal(h.delivered, 3);
  assert.equal(h.queued, 0);
  assert.equal(h.inFlight, 0);
  assert.equal(h.subscribers, 4);
});

test('an event nobody subscribed to is accepted and counted as unrouted', async () => {
  const { bus } = newBus();
  bus.publish(bar(1));
  await bus.drain();
  assert.equal(bus.health().published, 1);
  assert.equal(bus.health().unrouted, 1);
});

test('a partition_key filter delivers only that partition', async () => {
  const { bus } = newBus();
  const aapl: number[] = [];
  const all: number[] = [];
  bus.subscribe({ topic: 'ordinis.market.*', partition_key: 'AAPL' }, (e) => void aapl.push(e.payload.n as number));
  bus.subscribe({ topic: 'ordinis.market.*' }, (e) => void all.push(e.payload.n as number));
  for (let n = 0; n < 6; n++) bus.publish(bar(n, { partition_key: n % 2 === 0 ? 'AAPL' : 'MSFT' }));
  await bus.drain();
  assert.deepEqual(aapl, [0, 2, 4]);
  assert.deepEqual(all, [0, 1, 2, 3, 4, 5]);
});

test('a subscriber with maxInFlight 1 sees its events one at a time, in publish order', async () => {
  const { bus } = newBus();
  const seen: number[] = [];
  let running = 0;
  let maxRunning = 0;
  bus.subscribe({ topic: 'ordinis.market.*' }, async (e) => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    const n = e.payload.n as number;
    await ticks((n * 7) % 4); // varied durations would reorder a concurrent handler
    seen.push(n);
    running--;
  });
  for (let n = 0; n < 100; n++) bus.publish(bar(n));
  await bus.drain();
  assert.deepEqual(seen, [...Array(100).keys()]);
  assert.equal(maxRunning, 1);
});

test('the published event is a snapshot: later changes by the publisher do not reach subscribers', async () => {
  const { bus } = newBus();
  let received: EventEnvelope | undefined;
  bus.subscribe({ topic: 'ordinis.market.*' }, (e) => void (received = e));
  const event = bar(1);
  bus.publish(event);
  event.event_type = 'ordinis.market.bar.opened';
  event.tags.venue = 'changed';
  await bus.drain();
  assert.equal(received?.event_type, 'ordinis.market.bar.closed');
  assert.equal(received?.tags.venue, 'paper');
});

test('an invalid event is refused with E_SB_SCHEMA_REJECT, its validation error as the cause', async () => {
  const { bus } = newBus();
  let calls = 0;
  bus.subscribe({ topic: 'ordinis.market.*' }, () => void calls++);
  const bad = bar(1, { tags: { instrument_type: 'equity', venue: 'paper', env: 'paper' } });
  assert.throws(
    () => bus.publish(bad),
    (e: unknown) =>
      e instanceof OrdinisError &&
      e.code === 'E_SB_SCHEMA_REJECT' &&
      !e.retryable &&
      e.cause instanceof OrdinisError &&
      e.cause.code === 'E_EVT_TAGS_MISSING' &&
      e.message.includes('tags.jurisdiction'),
  );
  assert.throws(() => bus.publish(null as unknown as EventEnvelope), isCode('E_SB_SCHEMA_REJECT'));
  await bus.drain();
  assert.equal(calls, 0);
  assert.equal(bus.health().rejected, 2);
  assert.equal(bus.health().published, 0);
});

test('a failing handler is retried with exponential backoff, then dead-lettered with every attempt counted', async () => {
  const metrics: BusMetric[] = [];
  const { bus, deadLetters } = newBus({ maxRetries: 3, retryBackoffMs: 2, onMetric: (m) => void metrics.push(m) });
  let calls = 0;
  const id = bus.subscribe({ topic: 'ordinis.market.*', name: 'flaky-writer' }, () => {
    calls++;
    throw new Error('disk full');
  });
  bus.publish(bar(1));
  await bus.drain();

  assert.equal(calls, 4, 'the first attempt and three retries');
  const delays = metrics.filter((m) => m.kind === 'retry_scheduled').map((m) => m.delayMs);
  assert.deepEqual(delays, [2, 4, 8]);
  assert.equal(deadLetters.size, 1);
  const dl = deadLetters.entries()[0] as DeadLetter;
  assert.equal(dl.event.event_id, 'evt-1');
  assert.equal(dl.subscriptionId, id);
  assert.equal(dl.subscriptionName, 'flaky-writer');
  assert.equal(dl.topicPattern, 'ordinis.market.*');
  assert.equal(dl.errorCode, 'E_SB_HANDLER_FAILED');
  assert.equal(dl.errorMessage, 'disk full');
  assert.equal(dl.attempts, 4);
  assert.equal(dl.ts, '2024-01-02T15:04:05.000Z');
  const h = bus.health();
  assert.deepEqual([h.failed, h.retried, h.dlq, h.delivered, h.waitingRetry], [4, 3, 1, 0, 0]);
});

test('a rejected promise counts as a failure; a later success ends the retries', async () => {
  const { bus, deadLetters } = newBus({ maxRetries: 3 });
  const attemptsById = new Map<string, number>();
  const order: string[] = [];
  bus.subscribe({ topic: 'ordinis.market.*' }, async (e) => {
    const attempt = (attemptsById.get(e.event_id) ?? 0) + 1;
    attemptsById.set(e.event_id, attempt);
    if (e.event_id === 'evt-1' && attempt < 3) throw new Error('not yet');
    order.push(e.event_id);
  });
  bus.publish(bar(1));
  bus.publish(bar(2));
  await bus.drain();
  assert.deepEqual(order, ['evt-1', 'evt-2'], 'evt-2 waits behind evt-1 while it is retried');
  assert.equal(attemptsById.get('evt-1'), 3);
  assert.equal(attemptsById.get('evt-2'), 1);
  assert.equal(deadLetters.size, 0);
  assert.equal(bus.health().delivered, 2);
});

test('with maxRetries 0 a failure is dead-lettered at once', async () => {
  const { bus, deadLetters } = newBus({ maxRetries: 0 });
  bus.subscribe({ topic: 'ordinis.market.*' }, () => Promise.reject('plain string reason'));
  bus.publish(bar(1));
  await bus.drain();
  assert.equal(deadLetters.entries()[0]?.attempts, 1);
  assert.equal(deadLetters.entries()[0]?.errorMessage, 'plain string reason');
});

test('a dead-letter sink that throws is counted, and delivery carries on', async () => {
  const { bus } = newBus({ maxRetries: 0, deadLetters: { put: () => { throw new Error('db down'); } } });
  let good = 0;
  bus.subscribe({ topic: 'ordinis.market.*' }, () => { throw new Error('bad'); });
  bus.subscribe({ topic: 'ordinis.market.*' }, () => void good++);
  bus.publish(bar(1));
  bus.publish(bar(2));
  await bus.drain();
  assert.equal(good, 2);
  assert.equal(bus.health().deadLetterWriteFailures, 2);
  assert.equal(bus.health().dlq, 0);
});

test('at the queue cap publish throws E_SB_BACKPRESSURE and enqueues nothing, for no subscriber', async () => {
  const { bus } = newBus({ maxQueueDepth: 3 });
  const gate = deferred();
  const all: string[] = [];
  const msft: string[] = [];
  bus.subscribe({ topic: 'ordinis.market.*', name: 'all' }, async (e) => {
    await gate.promise;
    all.push(e.event_id);
  });
  bus.subscribe({ topic: 'ordinis.market.bar.closed', partition_key: 'MSFT', name: 'msft' }, (e) => void msft.push(e.event_id));

  for (let n = 0; n < 3; n++) bus.publish(bar(n)); // AAPL: only "all" takes these
  const queuedBefore = bus.health().queued;
  assert.throws(
    () => bus.publish(bar(3, { partition_key: 'MSFT' })),
    (e: unknown) =>
      e instanceof OrdinisError && e.code === 'E_SB_BACKPRESSURE' && e.retryable && /subscriber all/.test(e.message),
  );
  assert.equal(bus.health().queued, queuedBefore, 'nothing was enqueued for "msft" either');
  assert.equal(bus.health().backpressured, 1);

  // The cap is per topic: another topic still gets through.
  bus.publish(bar(4, { event_type: 'ordinis.market.bar.opened' }));

  gate.resolve();
  await bus.drain();
  assert.deepEqual(msft, []);
  assert.deepEqual(all, ['evt-0', 'evt-1', 'evt-2', 'evt-4']);
  // Backpressure is transient: once the queue drains, the same publish succeeds.
  bus.publish(bar(3, { partition_key: 'MSFT' }));
  await bus.drain();
  assert.deepEqual(msft, ['evt-3']);
});

test('a handler that never settles does not stop another subscriber from receiving 1000 events', async () => {
  const { bus } = newBus({ maxConcurrency: 2 });
  let stuckCalls = 0;
  // Asks for every slot; the per-subscriber cap (here 1) keeps one free for the others.
  bus.subscribe({ topic: 'ordinis.market.*', name: 'stuck', maxInFlight: 64 }, () => {
    stuckCalls++;
    return new Promise<void>(() => {});
  });
  const done = deferred();
  let received = 0;
  bus.subscribe({ topic: 'ordinis.market.*', name: 'healthy' }, async () => {
    await Promise.resolve();
    if (++received === 1000) done.resolve();
  });
  for (let n = 0; n < 1000; n++) bus.publish(bar(n));
  await done.promise;
  await ticks(1); // let the healthy handler's last invocation return
  assert.equal(received, 1000);
  assert.equal(stuckCalls, 1);
  const h = bus.health();
  assert.equal(h.inFlight, 1);
  assert.equal(h.queued, 999, 'the stuck subscriber keeps its backlog');
  bus.close();
});

test('handler invocations in flight never exceed maxConcurrency, and the cap is used', async () => {
  const { bus } = newBus({ maxConcurrency: 4, maxInFlightPerSubscriber: 3 });
  let running = 0;
  let maxRunning = 0;
  let handled = 0;
  for (let s = 0; s < 10; s++) {
    bus.subscribe({ topic: 'ordinis.market.*', maxInFlight: 3 }, async (e) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      assert.ok(bus.health().inFlight <= 4);
      await ticks(1 + ((e.payload.n as number) % 3));
      running--;
      handled++;
    });
  }
  for (let n = 0; n < 200; n++) bus.publish(bar(n));
  await bus.drain();
  assert.equal(handled, 2000);
  assert.equal(maxRunning, 4);
  assert.equal(bus.health().peakInFlight, 4);
});

test('free slots go round-robin across subscribers', async () => {
  const { bus } = newBus({ maxConcurrency: 1 });
  const order: string[] = [];
  bus.subscribe({ topic: 'ordinis.market.*', name: 'a' }, async () => void order.push('a'));
  bus.subscribe({ topic: 'ordinis.market.*', name: 'b' }, async () => void order.push('b'));
  bus.subscribe({ topic: 'ordinis.market.bar.opened', name: 'c' }, async () => void order.push('c'));
  for (let n = 0; n < 3; n++) bus.publish(bar(n));
  bus.publish(bar(3, { event_type: 'ordinis.market.bar.opened' }));
  await bus.drain();
  // a and b take all four events, c only the last; c joins the ring when it gets work.
  assert.equal(order.join(''), 'abcababab');
});

test('a long burst of synchronous handlers yields to the event loop between batches', async () => {
  const { bus } = newBus({ dispatchBatch: 10 });
  const log: string[] = [];
  bus.subscribe({ topic: 'ordinis.market.*' }, (e) => void log.push(String(e.payload.n)));
  for (let n = 0; n < 30; n++) bus.publish(bar(n));
  setImmediate(() => log.push('io'));
  await bus.drain();
  assert.equal(log.length, 31);
  const io = log.indexOf('io');
  assert.ok(io > 0 && io < 30, `other work ran mid-burst (at ${io})`);
});

test('handlers may publish from inside a delivery', async () => {
  const { bus } = newBus();
  const seen: string[] = [];
  bus.subscribe({ topic: 'ordinis.market.bar.closed' }, (e) => {
    bus.publish(bar(100 + (e.payload.n as number), { event_type: 'ordinis.features.vector.computed' }));
  });
  bus.subscribe({ topic: 'ordinis.features.*' }, (e) => void seen.push(e.event_id));
  bus.publish(bar(1));
  bus.publish(bar(2));
  await bus.drain();
  assert.deepEqual(seen, ['evt-101', 'evt-102']);
});

test('drain resolves at once when idle, and waits for pending retries', async () => {
  const { bus } = newBus({ retryBackoffMs: 5 });
  await bus.drain();
  let calls = 0;
  bus.subscribe({ topic: 'ordinis.market.*' }, () => {
    if (++calls === 1) throw new Error('once');
  });
  bus.publish(bar(1));
  await bus.drain();
  assert.equal(calls, 2);
  assert.equal(bus.health().waitingRetry, 0);
});

test('unsubscribe stops delivery and drops what was not yet started', async () => {
  const { bus } = newBus();
  let calls = 0;
  const id = bus.subscribe({ topic: 'ordinis.market.*' }, () => void calls++);
  bus.publish(bar(1));
  bus.publish(bar(2));
  assert.equal(bus.unsubscribe(id), true);
  assert.equal(bus.unsubscribe(id), false);
  assert.equal(bus.unsubscribe('sub-unknown'), false);
  await bus.drain();
  assert.equal(calls, 0);
  const h = bus.health();
  assert.deepEqual([h.subscribers, h.queued, h.dropped], [0, 0, 2]);
});

test('close stops retry timers, drops pending work and refuses further use', async () => {
  const { bus, deadLetters } = newBus({ retryBackoffMs: 10_000 });
  let calls = 0;
  bus.subscribe({ topic: 'ordinis.market.*' }, () => {
    calls++;
    throw new Error('always');
  });
  bus.publish(bar(1));
  bus.publish(bar(2));
  await ticks(1);
  assert.equal(bus.health().waitingRetry, 1);
  bus.close();
  bus.close(); // idempotent
  await bus.drain(); // would hang for 10 s if the retry timer were still pending
  assert.equal(calls, 1);
  assert.equal(deadLetters.size, 0);
  const h = bus.health();
  assert.deepEqual([h.ok, h.closed, h.dropped, h.waitingRetry, h.queued], [false, true, 2, 0, 0]);
  assert.throws(() => bus.publish(bar(3)), isCode('E_SB_UNAVAILABLE'));
  assert.throws(() => bus.subscribe({ topic: 'ordinis.market.*' }, () => {}), isCode('E_SB_UNAVAILABLE'));
});

test('subscribe rejects patterns that are malformed or can never match, and bad maxInFlight', () => {
  const { bus } = newBus();
  assert.throws(() => bus.subscribe({ topic: 'ordinis..bar' }, () => {}), isCode('E_EVT_TOPIC_UNKNOWN'));
  assert.throws(() => bus.subscribe({ topic: 'ordinis.markets.*' }, () => {}), isCode('E_EVT_TOPIC_UNKNOWN'));
  assert.throws(() => bus.subscribe({ topic: 'ordinis.market.*', maxInFlight: 0 }, () => {}), isCode('E_CFG_INVALID'));
  assert.equal(bus.health().subscribers, 0);
});

test('bad options are E_CFG_INVALID naming the option', () => {
  const clock = new ManualClock();
  assert.throws(() => new InMemoryBus({ clock, maxConcurrency: 0 }), /maxConcurrency/);
  assert.throws(() => new InMemoryBus({ clock, maxQueueDepth: 1.5 }), /maxQueueDepth/);
  assert.throws(() => new InMemoryBus({ clock, maxRetries: -1 }), isCode('E_CFG_INVALID'));
  assert.throws(() => new InMemoryBus({} as InMemoryBusOptions), /clock is required/);
});

test('metrics report dispatch latency by the bus clock, and a throwing listener is harmless', async () => {
  const metrics: BusMetric[] = [];
  const { bus, clock } = newBus({
    onMetric: (m) => {
      metrics.push(m);
      throw new Error('metrics bug');
    },
  });
  bus.subscribe({ topic: 'ordinis.market.*', name: 'm' }, () => {});
  bus.publish(bar(1));
  clock.advance(3);
  await bus.drain();
  assert.deepEqual(
    metrics.map((m) => m.kind),
    ['published', 'dispatched', 'delivered'],
  );
  assert.equal(metrics[1]?.dispatchLatencyMs, 3);
  assert.equal(bus.health().delivered, 1);
});
