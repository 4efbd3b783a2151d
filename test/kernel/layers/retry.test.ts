// The retrying run: retries by the stage's RetryPolicy, only where the spec allows it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/clock.ts';
import { SeededRandom } from '../../../src/core/random.ts';
import { OrdinisError } from '../../../src/errors.ts';
import { retryingRun } from '../../../src/kernel/layers/retry.ts';
import { budgetedAttempt } from '../../../src/kernel/layers/budget.ts';
import { EMPTY_OUTPUTS } from '../../support/engine-harness.ts';
import { cycleState, stageStep } from './layer-fixtures.ts';

const attempt = budgetedAttempt({ clock: new ManualClock(0), random: new SeededRandom(1), kill: { isActive: () => false }, onAbandon: () => {} });

function failingThenOk(failures: number, code: 'E_ING_PROVIDER_DOWN' | 'E_FEAT_COMPUTE_FAILED') {
  let calls = 0;
  return {
    run: () => {
      calls++;
      if (calls <= failures) throw new OrdinisError(code, `attempt ${calls}`);
      return EMPTY_OUTPUTS.ING as never;
    },
    calls: () => calls,
  };
}

test('a retryable failure is tried again after the backoff delay; the retry is reported', async () => {
  const retried: unknown[] = [];
  const run = retryingRun(attempt, { random: new SeededRandom(1), onRetry: (...a) => retried.push(a) });
  const f = failingThenOk(1, 'E_ING_PROVIDER_DOWN');
  const s = stageStep(cycleState(), 'ING', f.run);
  await run(s);
  assert.equal(s.result!.status, 'ok');
  assert.equal(s.result!.attempts, 2);
  assert.equal(s.result!.retryDelaysMs.length, 1);
  assert.equal(f.calls(), 2);
  assert.deepEqual(retried, [['ING', 'E_ING_PROVIDER_DOWN', s.result!.retryDelaysMs[0]]]);
});

test('a first attempt that succeeds synchronously returns at once, no promise', () => {
  const run = retryingRun(attempt, { random: new SeededRandom(1) });
  const s = stageStep(cycleState(), 'FEAT');
  assert.equal(run(s), undefined);
  assert.equal(s.result!.status, 'ok');
  assert.equal(s.cycle.stageEnd !== undefined, true, 'the next stage reuses this end time');
});

test('a non-retryable error fails at once with the error on the step', () => {
  const run = retryingRun(attempt, { random: new SeededRandom(1) });
  const f = failingThenOk(1, 'E_FEAT_COMPUTE_FAILED');
  const s = stageStep(cycleState(), 'FEAT', f.run);
  run(s);
  assert.equal(s.result!.status, 'failed');
  assert.equal(s.result!.attempts, 1);
  assert.equal(s.error!.code, 'E_FEAT_COMPUTE_FAILED');
});

test('a side-effecting stage without idempotency keys is never retried (declared in its spec)', async () => {
  const run = retryingRun(attempt, { random: new SeededRandom(1) });
  const f = failingThenOk(1, 'E_ING_PROVIDER_DOWN');
  const s = stageStep(cycleState(), 'ING', f.run);
  (s as { spec: unknown }).spec = { ...s.spec, sideEffects: true, idempotencyKeyed: false };
  await run(s);
  assert.equal(s.result!.status, 'failed');
  assert.equal(f.calls(), 1);
});
