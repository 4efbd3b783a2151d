import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/clock.ts';
import { OrdinisError } from '../../../src/errors.ts';
import { CircuitBreaker, type CircuitState } from '../../../src/adapters/resilience/circuit-breaker.ts';

const boom = (): never => {
  throw new Error('venue down');
};
const isOpenError = (e: unknown): boolean => e instanceof OrdinisError && e.code === 'E_EXEC_CIRCUIT_OPEN' && e.retryable;

test('closed → open after N consecutive failures; a success resets the count', () => {
  const clock = new ManualClock(0);
  const cb = new CircuitBreaker({ clock, failureThreshold: 3, resetTimeoutMs: 1000 });
  assert.throws(() => cb.execute(boom));
  assert.throws(() => cb.execute(boom));
  assert.equal(cb.execute(() => 42), 42);
  assert.equal(cb.consecutiveFailures, 0);
  for (let i = 0; i < 3; i++) assert.throws(() => cb.execute(boom), /venue down/);
  assert.equal(cb.state, 'open');
  let called = false;
  assert.throws(
    () =>
      cb.execute(() => {
        called = true;
      }),
    (e: unknown) => isOpenError(e) && (e as OrdinisError).retryAfterMs === 1000,
  );
  assert.equal(called, false, 'an open circuit does not call through');
});

test('open → half-open after the reset timeout; a trial success closes it', () => {
  const clock = new ManualClock(0);
  const changes: string[] = [];
  const cb = new CircuitBreaker({ clock, failureThreshold: 1, resetTimeoutMs: 1000, onStateChange: (a: CircuitState, b: CircuitState) => changes.push(`${a}->${b}`) });
  assert.throws(() => cb.execute(boom));
  clock.advance(400);
  assert.throws(() => cb.execute(() => 1), (e: unknown) => isOpenError(e) && (e as OrdinisError).retryAfterMs === 600);
  clock.advance(600);
  assert.equal(cb.state, 'half-open');
  assert.equal(cb.execute(() => 'ok'), 'ok');
  assert.equal(cb.state, 'closed');
  assert.deepEqual(changes, ['closed->open', 'open->half-open', 'half-open->closed']);
});

test('a failed trial re-opens the circuit for another timeout', () => {
  const clock = new ManualClock(0);
  const cb = new CircuitBreaker({ clock, failureThreshold: 2, resetTimeoutMs: 1000 });
  assert.throws(() => cb.execute(boom));
  assert.throws(() => cb.execute(boom));
  clock.advance(1000);
  assert.equal(cb.state, 'half-open');
  assert.throws(() => cb.execute(boom), /venue down/);
  assert.equal(cb.state, 'open');
  clock.advance(999);
  assert.equal(cb.state, 'open');
  clock.advance(1);
  assert.equal(cb.state, 'half-open');
});

test('only one trial call at a time while half-open (async)', async () => {
  const clock = new ManualClock(0);
  const cb = new CircuitBreaker({ clock, failureThreshold: 1, resetTimeoutMs: 10 });
  await assert.rejects(async () => cb.execute(() => Promise.reject(new Error('down'))));
  clock.advance(10);
  let release!: () => void;
  const trial = cb.execute(() => new Promise<string>((r) => (release = () => r('up'))));
  assert.throws(() => cb.execute(() => 'second'), isOpenError);
  release();
  assert.equal(await trial, 'up');
  assert.equal(cb.state, 'closed');
});

test('business errors (non-retryable OrdinisErrors) do not count against the venue', () => {
  const clock = new ManualClock(0);
  const cb = new CircuitBreaker({ clock, failureThreshold: 1 });
  assert.throws(() =>
    cb.execute(() => {
      throw new OrdinisError('E_EXEC_IDEMPOTENCY_CONFLICT');
    }),
  );
  assert.equal(cb.state, 'closed');
  assert.throws(() =>
    cb.execute(() => {
      throw new OrdinisError('E_EXEC_BROKER_UNAVAILABLE');
    }),
  );
  assert.equal(cb.state, 'open');
});

test('an outage longer than openTooLongMs is reported once (kill-switch hook), across half-open retries', () => {
  const clock = new ManualClock(0);
  const reports: { openForMs: number }[] = [];
  const cb = new CircuitBreaker({ clock, failureThreshold: 1, resetTimeoutMs: 100, openTooLongMs: 250, onOpenTooLong: (i) => reports.push(i) });
  assert.throws(() => cb.execute(boom));
  for (let t = 0; t < 5; t++) {
    clock.advance(100);
    assert.throws(() => cb.execute(boom)); // trial fails, re-opens: still the same outage
  }
  assert.equal(reports.length, 1);
  assert.equal(reports[0].openForMs, 300);
  clock.advance(100);
  cb.execute(() => 'recovered');
  assert.equal(cb.state, 'closed');
  // A new outage may be reported again.
  assert.throws(() => cb.execute(boom));
  clock.advance(250);
  cb.poll();
  assert.equal(reports.length, 2);
});

test('invalid breaker options are configuration errors', () => {
  assert.throws(() => new CircuitBreaker({ clock: new ManualClock(), failureThreshold: 0 }), (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID');
});
