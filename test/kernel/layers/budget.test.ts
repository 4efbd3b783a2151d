// The budget layer and the budgeted attempt: a spent cycle budget skips the non-critical
// stages (the cycle degrades) and lets the critical ones run; an attempt that overruns its
// stage budget is cut with E_ORCH_TIMEOUT; a synchronous attempt returns without a promise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/clock.ts';
import { SeededRandom } from '../../../src/core/random.ts';
import { budgetedAttempt, cycleBudgetLayer, stageBudgetMs } from '../../../src/kernel/layers/budget.ts';
import { RecordingEvents } from '../../support/recording-events.ts';
import { cycleState, innerCounter, specOf, stageStep } from './layer-fixtures.ts';

test('a spent cycle budget: E_ORCH_TIMEOUT once, cycle.timeout emitted, ANA skipped, critical AUDIT still runs', () => {
  const events = new RecordingEvents();
  const layer = cycleBudgetLayer(100, events);
  const c = cycleState({ deadline: performance.now() - 1 });
  const inner = innerCounter();
  const ana = stageStep(c, 'ANA');
  layer(ana, inner.next);
  assert.equal(inner.calls, 0);
  assert.equal(ana.result!.status, 'skipped');
  assert.equal(ana.result!.note, 'cycle budget spent');
  assert.equal(c.timedOut, true);
  assert.equal(c.degraded, true);
  layer(stageStep(c, 'AUDIT'), inner.next);
  assert.equal(inner.calls, 1);
  assert.equal(c.errors.filter((e) => e.code === 'E_ORCH_TIMEOUT').length, 1);
  assert.deepEqual(events.topics(), ['ordinis.ops.cycle.timeout']);
});

test("a non-critical stage gets the smaller of its budget and the cycle's rest; a critical one always its own", () => {
  const now = 1000;
  assert.equal(stageBudgetMs(specOf('ANA'), now + 30, now), 30);
  assert.equal(stageBudgetMs(specOf('ANA'), now - 5, now), 0);
  assert.equal(stageBudgetMs(specOf('AUDIT'), now - 5, now), specOf('AUDIT').budgetMs);
});

const attempt = budgetedAttempt({ clock: new ManualClock(0), random: new SeededRandom(1), kill: { isActive: () => false }, onAbandon: () => {} });

test('a synchronous attempt completes without a promise', () => {
  const s = stageStep(cycleState(), 'FEAT');
  s.attempt = 1;
  s.remainingMs = 50;
  assert.equal(attempt(s), undefined);
  assert.equal(s.outcome!.ok, true);
});

test('an async attempt past its budget is cut with E_ORCH_TIMEOUT and its signal fires', async () => {
  let aborted = false;
  const s = stageStep(cycleState(), 'SIG', (ctx) => {
    ctx.signal.addEventListener('abort', () => (aborted = true));
    return new Promise(() => {});
  });
  s.attempt = 1;
  s.remainingMs = 20;
  await attempt(s);
  assert.equal(s.outcome!.ok, false);
  assert.equal(!s.outcome!.ok && s.outcome!.error.code, 'E_ORCH_TIMEOUT');
  assert.equal(aborted, true);
});
