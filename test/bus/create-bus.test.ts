// createBus builds the bus from the SB_* keys as loaded from the environment, and each key
// does what README's config table says, on a real in-memory bus.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { SeededRandom } from '../../src/core/random.ts';
import type { OrdinisError } from '../../src/errors.ts';
import type { BusMetric } from '../../src/bus/bus-metric.ts';
import { createBus, createModeEmitter, deadLetterRows } from '../../src/bus/create-bus.ts';
import { openDatabase } from '../../src/persistence/database.ts';
import { MemoryDeadLetterSink } from '../../src/bus/memory-dead-letter-sink.ts';
import { sampleEvent } from './sample-events.ts';

function configWith(env: Record<string, string>) {
  return loadConfig({ env }).config;
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('SB_MAX_QUEUE_DEPTH: past the cap a publish fails with E_SB_BACKPRESSURE and enqueues nothing', async () => {
  const bus = createBus(configWith({ ORDINIS_SB_MAX_QUEUE_DEPTH: '2' }), { clock: new ManualClock(0) });
  const gate = deferred();
  bus.subscribe({ topic: 'ordinis.ops.*' }, () => gate.promise);
  bus.publish(sampleEvent({ event_type: 'ordinis.ops.cycle.started' }));
  bus.publish(sampleEvent({ event_type: 'ordinis.ops.cycle.started' }));
  assert.throws(
    () => bus.publish(sampleEvent({ event_type: 'ordinis.ops.cycle.started' })),
    (e: OrdinisError) => e.code === 'E_SB_BACKPRESSURE' && e.retryable === true,
  );
  assert.equal(bus.health().backpressured, 1);
  gate.resolve();
  await bus.drain();
  assert.equal(bus.health().delivered, 2);
});

test('SB_MAX_RETRIES and SB_RETRY_BACKOFF_MS: a failing handler is retried with doubling delays, then dead-lettered', async () => {
  const metrics: BusMetric[] = [];
  const deadLetters = new MemoryDeadLetterSink();
  const bus = createBus(configWith({ ORDINIS_SB_MAX_RETRIES: '2', ORDINIS_SB_RETRY_BACKOFF_MS: '3' }), {
    clock: new ManualClock(0),
    deadLetters,
    onMetric: (m) => metrics.push(m),
  });
  let calls = 0;
  bus.subscribe({ topic: 'ordinis.ops.cycle.started', name: 'always-fails' }, () => {
    calls++;
    throw new Error('handler broke');
  });
  bus.publish(sampleEvent({ event_type: 'ordinis.ops.cycle.started' }));
  await bus.drain();
  assert.equal(calls, 3, 'the first attempt and SB_MAX_RETRIES=2 retries');
  assert.deepEqual(metrics.filter((m) => m.kind === 'retry_scheduled').map((m) => m.delayMs), [3, 6]);
  assert.equal(deadLetters.size, 1);
  const [dead] = deadLetters.entries();
  assert.equal(dead!.attempts, 3);
  assert.equal(dead!.errorCode, 'E_SB_HANDLER_FAILED');
  assert.equal(dead!.subscriptionName, 'always-fails');
  assert.equal(bus.health().dlq, 1);
});

test('SB_MAX_CONCURRENCY caps the handler invocations running at once', async () => {
  const bus = createBus(configWith({ ORDINIS_SB_MAX_CONCURRENCY: '2' }), { clock: new ManualClock(0) });
  const gate = deferred();
  for (let i = 0; i < 4; i++) bus.subscribe({ topic: 'ordinis.ops.*' }, () => gate.promise);
  bus.publish(sampleEvent({ event_type: 'ordinis.ops.cycle.started' }));
  await new Promise((r) => setImmediate(r));
  assert.equal(bus.health().inFlight, 2);
  assert.equal(bus.health().queued, 2);
  gate.resolve();
  await bus.drain();
  assert.equal(bus.health().peakInFlight, 2);
  assert.equal(bus.health().delivered, 4);
});

test('SB_BACKEND: inmemory is the one backend; anything else is refused naming the key', () => {
  assert.throws(() => configWith({ ORDINIS_SB_BACKEND: 'kafka' }), /SB_BACKEND/);
  const config = { ...configWith({}), SB_BACKEND: 'kafka' as 'inmemory' };
  assert.throws(() => createBus(config, { clock: new ManualClock(0) }), (e: OrdinisError) => e.code === 'E_CFG_INVALID' && /SB_BACKEND/.test(e.message));
});

test("a mode's emitter builds only the events someone subscribed to: an unheard one costs no envelope and no random draw", async () => {
  const config = configWith({});
  const bus = createBus(config, { clock: new ManualClock(0) });
  const random = new SeededRandom(1);
  const events = createModeEmitter({ bus, config, clock: new ManualClock(0), random, source: 'orch.test', venue: 'paper' });
  const fresh = new SeededRandom(1);
  assert.deepEqual(events.emit('ordinis.ops.cycle.started', { n: 1 }), { ok: true, unheard: true });
  assert.equal(random.next(), fresh.next(), 'an unheard event draws nothing');
  assert.equal(bus.health().published, 0);

  const got: string[] = [];
  bus.subscribe({ topic: 'ordinis.ops.cycle.*' }, (e) => void got.push(`${e.event_type} ${e.tags.env} ${e.tags.venue}`));
  assert.equal(events.emit('ordinis.ops.cycle.started', { n: 2 }).ok, true);
  await bus.drain();
  assert.deepEqual(got, ['ordinis.ops.cycle.started paper paper']);
  assert.deepEqual(events.stats(), { emitted: 1, unheard: 1, failed: 0, failedByCode: {} });
});

test('dead letters land in the SQLite dlq table whole, as paper and serve wire it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ordinis-dlq-'));
  const db = openDatabase({ path: join(dir, 'dlq.db') });
  try {
    const bus = createBus(configWith({ ORDINIS_SB_MAX_RETRIES: '0' }), { clock: new ManualClock(Date.UTC(2025, 0, 2)), deadLetters: deadLetterRows(db.deadLetters) });
    bus.subscribe({ topic: 'ordinis.ops.*', name: 'broken-consumer' }, () => Promise.reject(new Error('consumer down')));
    const event = sampleEvent({ event_type: 'ordinis.ops.cycle.completed' });
    bus.publish(event);
    await bus.drain();
    const [row] = db.deadLetters.list();
    assert.equal(db.deadLetters.count(), 1);
    assert.equal(row!.subscription, 'broken-consumer');
    assert.equal(row!.errorCode, 'E_SB_HANDLER_FAILED');
    assert.equal(row!.errorMessage, 'consumer down');
    assert.equal(row!.attempts, 1);
    assert.equal(row!.ts, '2025-01-02T00:00:00.000Z');
    assert.deepEqual(JSON.parse(row!.eventJson), event);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
