import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import { SeededRandom } from '../../src/core/random.ts';
import type { EventEmitterPort, EventEnvelope } from '../../src/bus/contract.ts';
import { EnvelopeFactory } from '../../src/bus/event-factory.ts';
import type { DefaultEventTags, EmitFailure, EnvelopeFactoryOptions } from '../../src/bus/event-factory.ts';
import { validateEnvelope } from '../../src/bus/envelope.ts';
import { InMemoryBus } from '../../src/bus/in-memory-bus.ts';
import { OrdinisError } from '../../src/errors.ts';
import { deferred } from './sample-events.ts';

const T0 = Date.UTC(2024, 0, 2, 15, 4, 5);
const TAGS: DefaultEventTags = { instrument_type: 'equity', venue: 'paper', jurisdiction: 'US', env: 'paper' };

function setup(overrides: Partial<EnvelopeFactoryOptions> = {}, busOptions: { maxQueueDepth?: number } = {}) {
  const clock = new ManualClock(T0);
  const bus = new InMemoryBus({ clock, ...busOptions });
  const failures: EmitFailure[] = [];
  const factory = new EnvelopeFactory({
    bus,
    clock,
    random: new SeededRandom('orch'),
    source: 'orch.engine',
    tags: TAGS,
    onEmitFailure: (f) => void failures.push(f),
    ...overrides,
  });
  return { clock, bus, factory, failures };
}

test('build fills a valid envelope from the clock, the random source and the defaults', () => {
  const { factory, clock } = setup();
  const e = factory.build('ordinis.ops.cycle.started', { cycle: 1 });
  assert.doesNotThrow(() => validateEnvelope(e));
  assert.match(e.event_id, /^[0-9a-f]{32}$/);
  assert.match(e.trace_id, /^[0-9a-f]{32}$/);
  assert.match(e.span_id, /^[0-9a-f]{16}$/);
  assert.equal(e.event_type, 'ordinis.ops.cycle.started');
  assert.equal(e.schema_version, '1.0.0');
  assert.equal(e.source, 'orch.engine');
  assert.equal(e.ts_event, '2024-01-02T15:04:05.000Z');
  assert.equal(e.ts_ingest, '2024-01-02T15:04:05.000Z');
  assert.equal(e.correlation_id, e.event_id, 'an uncorrelated event correlates with itself');
  assert.equal(e.partition_key, e.correlation_id);
  assert.deepEqual(e.tags, TAGS);
  assert.deepEqual(e.payload, { cycle: 1 });
  assert.equal('idempotency_key' in e, false);
  assert.equal('parent_span_id' in e, false);

  clock.advance(1_000);
  const next = factory.build('ordinis.ops.cycle.started', {});
  assert.notEqual(next.event_id, e.event_id);
  assert.equal(next.ts_ingest, '2024-01-02T15:04:06.000Z');
});

test('build uses the caller’s trace context, ids, time and tags when given', () => {
  const { factory } = setup();
  const e = factory.build(
    'ordinis.orders.intent',
    { qty: 10 },
    {
      correlationId: 'cycle-7',
      traceId: 't'.repeat(32),
      spanId: 's'.repeat(16),
      parentSpanId: 'p'.repeat(16),
      partitionKey: 'BTCUSD',
      idempotencyKey: 'ord-7-BTCUSD',
      tsEvent: T0 - 60_000,
      tags: { instrument_type: 'crypto', strategy: 'sma' },
    },
  );
  assert.doesNotThrow(() => validateEnvelope(e));
  assert.equal(e.correlation_id, 'cycle-7');
  assert.equal(e.trace_id, 't'.repeat(32));
  assert.equal(e.span_id, 's'.repeat(16));
  assert.equal(e.parent_span_id, 'p'.repeat(16));
  assert.equal(e.partition_key, 'BTCUSD');
  assert.equal(e.idempotency_key, 'ord-7-BTCUSD');
  assert.equal(e.ts_event, '2024-01-02T15:03:05.000Z');
  assert.deepEqual(e.tags, { ...TAGS, instrument_type: 'crypto', strategy: 'sma' });
});

test('ids are deterministic under a seed', () => {
  const ids = () => {
    const { factory } = setup();
    return [1, 2, 3].map(() => factory.build('ordinis.ops.cycle.started', {}).event_id);
  };
  assert.deepEqual(ids(), ids());
});

test('emit publishes to the bus and returns the ack', async () => {
  const { bus, factory } = setup();
  const got: EventEnvelope[] = [];
  bus.subscribe({ topic: 'ordinis.ops.*' }, (e) => void got.push(e));
  const port: EventEmitterPort = factory;
  port.emit('ordinis.ops.cycle.started', { cycle: 1 }, { correlationId: 'c-1' });
  const outcome = factory.emit('ordinis.ops.cycle.completed', { cycle: 1, status: 'ok' }, { correlationId: 'c-1' });
  assert.equal(outcome.ok, true);
  await bus.drain();
  assert.deepEqual(
    got.map((e) => [e.event_type, e.correlation_id]),
    [
      ['ordinis.ops.cycle.started', 'c-1'],
      ['ordinis.ops.cycle.completed', 'c-1'],
    ],
  );
  assert.deepEqual(factory.stats(), { emitted: 2, failed: 0, failedByCode: {} });
});

test('emit never throws on backpressure: the drop is returned, reported and counted', async () => {
  const { bus, factory, failures } = setup({}, { maxQueueDepth: 1 });
  const gate = deferred();
  bus.subscribe({ topic: 'ordinis.ops.*' }, () => gate.promise);
  assert.equal(factory.emit('ordinis.ops.cycle.started', {}).ok, true);
  const dropped = factory.emit('ordinis.ops.cycle.started', {});
  assert.equal(dropped.ok, false);
  assert.ok(!dropped.ok && dropped.error.code === 'E_SB_BACKPRESSURE' && dropped.topic === 'ordinis.ops.cycle.started');
  assert.equal(failures.length, 1);
  assert.equal(failures[0]?.error.code, 'E_SB_BACKPRESSURE');
  assert.deepEqual(factory.stats(), { emitted: 1, failed: 1, failedByCode: { E_SB_BACKPRESSURE: 1 } });
  gate.resolve();
  await bus.drain();
});

test('emit never throws for a closed bus or an event the bus refuses', () => {
  const { bus, factory } = setup({ onEmitFailure: () => { throw new Error('reporter bug'); } });
  const badTopic = factory.emit('ordinis.nowhere.thing', {});
  assert.ok(!badTopic.ok && badTopic.error.code === 'E_SB_SCHEMA_REJECT');
  const noKey = factory.emit('ordinis.orders.intent', { qty: 1 });
  assert.ok(!noKey.ok && noKey.error.code === 'E_SB_SCHEMA_REJECT' && /idempotency_key/.test(noKey.error.message));
  assert.equal(factory.emit('ordinis.orders.intent', { qty: 1 }, { idempotencyKey: 'k-1' }).ok, true);
  const badTime = factory.emit('ordinis.ops.cycle.started', {}, { tsEvent: Number.NaN });
  assert.ok(!badTime.ok && badTime.error.code === 'E_EVT_SCHEMA_INVALID' && /ts_event/.test(badTime.error.message));
  bus.close();
  const closed = factory.emit('ordinis.ops.cycle.started', {});
  assert.ok(!closed.ok && closed.error.code === 'E_SB_UNAVAILABLE');
  assert.deepEqual(factory.stats().failedByCode, { E_SB_SCHEMA_REJECT: 2, E_EVT_SCHEMA_INVALID: 1, E_SB_UNAVAILABLE: 1 });
});

test('a misconfigured emitter fails at construction with E_CFG_INVALID', () => {
  const bad: Array<Partial<EnvelopeFactoryOptions>> = [
    { tags: { ...TAGS, env: 'staging' as 'dev' } },
    { tags: { instrument_type: 'equity', jurisdiction: 'US', env: 'dev' } as DefaultEventTags },
    { source: '' },
    { schemaVersion: '1' },
  ];
  for (const overrides of bad) {
    assert.throws(
      () => setup(overrides),
      (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID' && e.cause instanceof OrdinisError,
      JSON.stringify(overrides),
    );
  }
});
