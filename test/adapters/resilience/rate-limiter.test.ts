import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/clock.ts';
import { OrdinisError } from '../../../src/errors.ts';
import { RateLimiter } from '../../../src/adapters/resilience/rate-limiter.ts';

test('a full bucket allows a burst of `capacity`, then refuses with retryAfterMs', () => {
  const clock = new ManualClock(0);
  const rl = new RateLimiter({ clock, capacity: 3, refillPerSecond: 2 });
  for (let i = 0; i < 3; i++) rl.take();
  assert.throws(
    () => rl.take(),
    (e: unknown) => e instanceof OrdinisError && e.code === 'E_EXEC_RATE_LIMITED' && e.retryable && e.retryAfterMs === 500,
  );
  clock.advance(499);
  assert.equal(rl.tryTake(), false);
  assert.equal(rl.waitMs(), 1);
  clock.advance(1);
  assert.equal(rl.tryTake(), true);
});

test('refill is continuous and capped at capacity', () => {
  const clock = new ManualClock(1000);
  const rl = new RateLimiter({ clock, capacity: 5, refillPerSecond: 10 });
  for (let i = 0; i < 5; i++) rl.take();
  assert.equal(rl.available(), 0);
  clock.advance(250);
  assert.ok(Math.abs(rl.available() - 2.5) < 1e-9);
  clock.advance(60_000);
  assert.equal(rl.available(), 5);
});

test('a clock moving backwards never mints tokens', () => {
  const clock = new ManualClock(10_000);
  const rl = new RateLimiter({ clock, capacity: 1, refillPerSecond: 1 });
  rl.take();
  clock.set(0);
  assert.equal(rl.tryTake(), false);
  clock.set(10_000);
  assert.equal(rl.tryTake(), false, 'time lost going backwards is not counted twice');
  clock.set(11_000);
  assert.equal(rl.tryTake(), true);
});

test('invalid limiter options are configuration errors', () => {
  assert.throws(() => new RateLimiter({ clock: new ManualClock(), capacity: 0 }), (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID');
  assert.throws(() => new RateLimiter({ clock: new ManualClock(), refillPerSecond: 0 }), (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID');
});
