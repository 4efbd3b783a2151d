import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/clock.ts';
import type { ExecutionReport, OrderIntent } from '../../../src/domain/order.ts';
import type { AccountView } from '../../../src/domain/portfolio.ts';
import { OrdinisError } from '../../../src/errors.ts';
import type { BrokerAdapter } from '../../../src/stages/exec/broker-adapter.ts';
import { CircuitBreaker } from '../../../src/adapters/resilience/circuit-breaker.ts';
import { GuardedBroker } from '../../../src/adapters/venue/guarded-broker.ts';
import { PaperBroker } from '../../../src/adapters/venue/paper-broker.ts';
import { RateLimiter } from '../../../src/adapters/resilience/rate-limiter.ts';
import { T0 } from '../../stages/exec/support.ts';

function intent(i: number): OrderIntent {
  return { clientOrderId: `c${i}`, idempotencyKey: `k${i}`, correlationId: 'x', signalId: `s${i}`, symbol: 'X', side: 'buy', qty: 1, orderType: 'market', timeInForce: 'gtc', ts: T0 };
}

test('a synchronous adapter stays synchronous behind the guards', () => {
  const clock = new ManualClock(0);
  const g = new GuardedBroker(new PaperBroker(), { breaker: new CircuitBreaker({ clock }), limiter: new RateLimiter({ clock }) });
  const r = g.submit(intent(1));
  assert.ok(!(r instanceof Promise));
  assert.equal((r as ExecutionReport).status, 'submitted');
  assert.equal((g.fetchAccount() as AccountView).cash, 100000);
  assert.equal((g.fetchOpenOrders!() as ExecutionReport[]).length, 1);
});

test('order entry spends rate-limit tokens, queries do not (by default)', () => {
  const clock = new ManualClock(0);
  const g = new GuardedBroker(new PaperBroker(), { breaker: new CircuitBreaker({ clock }), limiter: new RateLimiter({ clock, capacity: 2, refillPerSecond: 1 }) });
  g.submit(intent(1));
  g.submit(intent(2));
  assert.throws(() => g.submit(intent(3)), (e: unknown) => e instanceof OrdinisError && e.code === 'E_EXEC_RATE_LIMITED' && e.retryAfterMs === 1000);
  for (let i = 0; i < 10; i++) g.fetchOrder('c1');
  clock.advance(1000);
  assert.equal((g.submit(intent(3)) as ExecutionReport).status, 'submitted');
});

test('a failing venue opens the circuit; rate-limit refusals never count as failures', async () => {
  const clock = new ManualClock(0);
  let calls = 0;
  const flaky: BrokerAdapter = {
    submit: async () => {
      calls++;
      throw new OrdinisError('E_EXEC_BROKER_UNAVAILABLE', 'timeout');
    },
    cancel: async () => {
      throw new Error('n/a');
    },
    fetchOrder: async () => undefined,
    fetchPositions: async () => new Map(),
    fetchAccount: async () => ({ cash: 0, positions: new Map() }),
  };
  const breaker = new CircuitBreaker({ clock, failureThreshold: 2, resetTimeoutMs: 5000 });
  const g = new GuardedBroker(flaky, { breaker, limiter: new RateLimiter({ clock, capacity: 2, refillPerSecond: 0.001 }) });
  await assert.rejects(async () => g.submit(intent(1)), /timeout/);
  assert.equal(breaker.state, 'closed');
  await assert.rejects(async () => g.submit(intent(2)), /timeout/);
  assert.equal(breaker.state, 'open');
  assert.equal(calls, 2);
  assert.throws(() => g.submit(intent(3)), (e: unknown) => e instanceof OrdinisError && e.code === 'E_EXEC_RATE_LIMITED');
  assert.throws(() => g.fetchOrder('c1'), (e: unknown) => e instanceof OrdinisError && e.code === 'E_EXEC_CIRCUIT_OPEN');
  assert.equal(calls, 2);
});
