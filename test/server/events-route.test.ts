// GET /events over real HTTP on 127.0.0.1: a real in-memory bus, a real ops server, a real
// SSE reader. Topic filters, heartbeats, a slow client dropped while the others go on, the
// stream outliving API_REQUEST_TIMEOUT_MS, the connection cap, a clean end on server stop.

import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { systemClock } from '../../src/core/clock.ts';
import { SeededRandom } from '../../src/core/random.ts';
import { InMemoryBus } from '../../src/bus/in-memory-bus.ts';
import { EnvelopeFactory } from '../../src/bus/event-factory.ts';
import { assertError, startOps } from './ops-harness.ts';
import { openSse } from './sse-client.ts';

const TAGS = { instrument_type: 'equity', venue: 'paper', jurisdiction: 'US', env: 'dev' } as const;

function busAndEmitter() {
  const bus = new InMemoryBus({ clock: systemClock });
  const events = new EnvelopeFactory({ bus, clock: systemClock, random: new SeededRandom(7), source: 'test', tags: TAGS });
  return { bus, events };
}

test('GET /events streams the events whose topic matches ?topic= (repeated or comma-separated)', async (t) => {
  const { bus, events } = busAndEmitter();
  const ops = await startOps(t, { bus });
  const cycles = await openSse(`${ops.base}/events?topic=ordinis.ops.cycle.*`);
  const several = await openSse(`${ops.base}/events?topic=ordinis.ops.kill.*,ordinis.market.bar.closed&topic=ordinis.ops.cycle.completed`);
  const everything = await openSse(`${ops.base}/events`);
  t.after(() => [cycles, several, everything].forEach((s) => s.close()));
  assert.equal(cycles.status, 200);
  assert.match(String(cycles.headers['content-type']), /^text\/event-stream/);

  events.emit('ordinis.ops.cycle.started', { n: 1 }, { correlationId: 'c-1' });
  events.emit('ordinis.market.bar.closed', { symbol: 'ORCL' });
  events.emit('ordinis.ops.kill.activated', { reason: 'r' });
  events.emit('ordinis.ops.cycle.completed', { n: 1, status: 'ok' }, { correlationId: 'c-1' });
  events.emit('ordinis.signals.generated', { n: 2 });

  const got = await cycles.waitFor((f) => f.length >= 2);
  assert.deepEqual(got.map((f) => f.event), ['ordinis.ops.cycle.started', 'ordinis.ops.cycle.completed']);
  const envelope = JSON.parse(got[1]!.data!);
  assert.equal(envelope.event_type, 'ordinis.ops.cycle.completed');
  assert.equal(envelope.correlation_id, 'c-1');
  assert.equal(got[1]!.id, envelope.event_id);
  assert.deepEqual((await several.waitFor((f) => f.length >= 3)).map((f) => f.event), [
    'ordinis.market.bar.closed',
    'ordinis.ops.kill.activated',
    'ordinis.ops.cycle.completed',
  ]);
  assert.equal((await everything.waitFor((f) => f.length >= 5)).length, 5);
  // Overlapping patterns still send an event once.
  await sleep(50);
  assert.equal(several.frames.length, 3);
  assert.equal(cycles.frames.length, 2);
});

test('GET /events refuses a malformed or impossible pattern and unknown parameters; without a bus it is 503', async (t) => {
  const withBus = await startOps(t, { bus: busAndEmitter().bus });
  assert.match(assertError(await withBus.api('/events?topic=ordinis.mark*'), 400, 'E_API_BAD_REQUEST'), /ordinis\.mark\*/);
  assert.match(assertError(await withBus.api('/events?topic=ordinis.nowhere.*'), 400, 'E_API_BAD_REQUEST'), /unknown domain "nowhere"/);
  assert.match(assertError(await withBus.api('/events?topics=ordinis.ops.*'), 400, 'E_API_BAD_REQUEST'), /'topics': unknown query parameter/);
  const noBus = await startOps(t);
  assertError(await noBus.api('/events'), 503, 'E_SB_UNAVAILABLE');
});

test('a quiet stream gets heartbeat comments and outlives API_REQUEST_TIMEOUT_MS', async (t) => {
  const { bus, events } = busAndEmitter();
  const limits = { headersTimeoutMs: 100, requestTimeoutMs: 150, keepAliveTimeoutMs: 100, maxConnections: 8 };
  const ops = await startOps(t, { bus, limits, eventStream: { heartbeatMs: 40 } });
  const stream = await openSse(`${ops.base}/events?topic=ordinis.ops.*`);
  t.after(() => stream.close());
  // Several request timeouts (and the server's timeout checks) pass with nothing but heartbeats.
  await sleep(600);
  assert.ok(stream.comments.filter((c) => c === 'heartbeat').length >= 2, `heartbeats: ${stream.comments.join(',')}`);
  events.emit('ordinis.ops.cycle.started', { late: true });
  const [frame] = await stream.waitFor((f) => f.length >= 1);
  assert.equal(frame!.event, 'ordinis.ops.cycle.started');
});

test('a client that stops reading is dropped and counted; the bus and the other clients go on', async (t) => {
  const { bus, events } = busAndEmitter();
  const ops = await startOps(t, { bus, eventStream: { maxBufferedBytes: 64 * 1024 } });
  const fast = await openSse(`${ops.base}/events?topic=ordinis.ops.*`);
  t.after(() => fast.close());
  // A raw socket that sends the request and never reads a byte.
  const slow = connect({ host: '127.0.0.1', port: Number(new URL(ops.base).port) });
  await new Promise<void>((r) => slow.once('connect', () => r()));
  slow.pause();
  slow.write('GET /events?topic=ordinis.ops.* HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
  t.after(() => slow.destroy());
  while (ops.server.eventStreamStats().clients < 2) await sleep(5);

  const big = 'x'.repeat(32 * 1024);
  let sent = 0;
  while (ops.server.eventStreamStats().dropped === 0 && sent < 5_000) {
    events.emit('ordinis.ops.cycle.completed', { n: sent, big });
    sent++;
    await bus.drain();
    // The fast reader keeps up; the slow one's socket fills until the server gives up on it.
    await fast.waitFor((f) => f.length >= sent);
  }
  const stats = ops.server.eventStreamStats();
  assert.equal(stats.dropped, 1, `after ${sent} events`);
  assert.equal(stats.clients, 1);
  events.emit('ordinis.ops.cycle.completed', { n: 'after' });
  await fast.waitFor((f) => JSON.parse(f.at(-1)!.data!).payload.n === 'after');
  assert.equal(bus.health().dlq, 0);
});

test('SSE connections count toward API_MAX_CONNECTIONS', async (t) => {
  const { bus } = busAndEmitter();
  const ops = await startOps(t, { bus, limits: { headersTimeoutMs: 5_000, requestTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, maxConnections: 2 } });
  const a = await openSse(`${ops.base}/events`);
  const b = await openSse(`${ops.base}/events`);
  t.after(() => [a, b].forEach((s) => s.close()));
  await assert.rejects(openSse(`${ops.base}/events`));
  a.close();
  await a.ended;
  while (ops.server.eventStreamStats().clients > 1) await sleep(5);
  const c = await openSse(`${ops.base}/events`);
  t.after(() => c.close());
  assert.equal(c.status, 200);
});

test('stopping the server ends every stream cleanly and lets go of the bus', async (t) => {
  const { bus } = busAndEmitter();
  const ops = await startOps(t, { bus });
  const a = await openSse(`${ops.base}/events?topic=ordinis.ops.*`);
  const b = await openSse(`${ops.base}/events`);
  assert.equal(bus.health().subscribers, 1);
  await ops.server.close();
  assert.equal(await a.ended, 'end');
  assert.equal(await b.ended, 'end');
  assert.equal(bus.health().subscribers, 0);
});
