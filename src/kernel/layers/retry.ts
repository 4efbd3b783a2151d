// Retries: a stage's attempts, by its RetryPolicy, within its stage budget. A failed attempt
// is tried again only when the stage may be retried at all (idempotent; a side-effecting
// stage only with idempotency keys), the error is retryable by the policy, attempts remain,
// and the backoff delay leaves some of the budget. The result (ok with the output kept on the
// step, or failed / timed_out with the last error) goes to the step.
// The common case, a synchronous first attempt that succeeded, returns at once.

import { performance } from 'node:perf_hooks';
import { isPromiseLike, thenMaybe, type MaybePromise } from '../../core/maybe-async.ts';
import type { ErrorCode } from '../../errors.ts';
import type { RandomSource } from '../../core/random.ts';
import type { StageStep } from '../cycle-state.ts';
import type { StageName } from '../stage-contract.ts';
import { stageMayRetry } from '../stage-spec.ts';
import { backoffDelayMs, isRetryable } from '../retry-policy.ts';
import { stageBudgetMs } from './budget.ts';

export interface RetryOptions {
  random: RandomSource;
  /** Told before each wait (the metrics layer's stageRetried). */
  onRetry?: (stage: StageName, errorCode: ErrorCode, delayMs: number) => void;
}

/** The stage's run: its attempts (each through `attempt`, the attempt layers) until one succeeds or retrying ends. */
export function retryingRun(attempt: (s: StageStep) => MaybePromise<void>, o: RetryOptions): (s: StageStep) => MaybePromise<void> {
  return (s) => {
    const budgetMs = stageBudgetMs(s.spec, s.cycle.deadline, s.now);
    s.attempt = 1;
    s.remainingMs = budgetMs;
    const first = attempt(s);
    if (!isPromiseLike(first) && s.outcome!.ok) {
      const end = performance.now();
      s.cycle.stageEnd = end;
      succeeded(s, s.outcome!.value, [], end);
      return;
    }
    return thenMaybe(first, () => settle(s, s.now + budgetMs, [], attempt, o));
  };
}

function settle(s: StageStep, deadline: number, delays: number[], attempt: (s: StageStep) => MaybePromise<void>, o: RetryOptions): MaybePromise<void> {
  const outcome = s.outcome!;
  if (outcome.ok) {
    succeeded(s, outcome.value, delays, performance.now());
    return;
  }
  const { spec } = s;
  const error = outcome.error;
  let delay = -1;
  if (stageMayRetry(spec) && s.attempt < spec.retry.maximumAttempts && isRetryable(error.code, error.retryable, spec.retry)) {
    delay = backoffDelayMs(s.attempt, spec.retry, o.random, error.retryAfterMs);
    // Retry only within the remaining budget: a delay that would eat it all is pointless.
    if (performance.now() + delay >= deadline) delay = -1;
  }
  if (delay < 0) {
    s.error = error;
    s.result = {
      stage: spec.name,
      status: outcome.timedOut ? 'timed_out' : 'failed',
      attempts: s.attempt,
      durationMs: performance.now() - s.now,
      errorCode: error.code,
      note: error.message,
      retryDelaysMs: delays,
      output: null,
    };
    return;
  }
  delays.push(delay);
  o.onRetry?.(spec.name, error.code, delay);
  const again = (): MaybePromise<void> => {
    s.attempt++;
    s.remainingMs = deadline - performance.now();
    return thenMaybe(attempt(s), () => settle(s, deadline, delays, attempt, o));
  };
  return delay > 0 ? sleep(delay).then(again) : again();
}

/**
 * A stage's successful run: its result, its output kept on the step. The summary of the
 * output that a CycleResult shows is made at the cycle's end, and only for a cycle something
 * keeps (engine.ts, summarizeOutputs): a backtest's ok bars are never read, and summarising
 * eight outputs per bar cost more than some stages.
 */
function succeeded(s: StageStep, output: unknown, delays: number[], end: number): void {
  s.output = output;
  s.result = { stage: s.spec.name, status: 'ok', attempts: s.attempt, durationMs: end - s.now, errorCode: null, note: null, retryDelaysMs: delays, output: null };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
