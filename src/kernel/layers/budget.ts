// Budgets. The cycle budget (ORCH_CYCLE_BUDGET_MS): once spent, only critical stages (and
// always AUDIT) still run; the others are skipped and the cycle degrades. The stage budget:
// each attempt runs within what is left of its stage's budget (budget.ts: a synchronous stage
// returns before any timer is armed; a promise is raced against it and cut with
// E_ORCH_TIMEOUT). A side-effecting attempt cut at its budget may still be talking to the
// broker: it is handed to `onAbandon`, and the engine starts no cycle until it settles.

import { performance } from 'node:perf_hooks';
import { OrdinisError, errorInfo } from '../../errors.ts';
import { isPromiseLike, type MaybePromise } from '../../core/maybe-async.ts';
import type { Layer } from '../compose.ts';
import { eventMeta, notRun, type StageStep } from '../cycle-state.ts';
import { LazyAbortController, runWithBudget } from '../budget.ts';
import { AttemptContext } from '../attempt-context.ts';
import type { Clock } from '../../core/clock.ts';
import type { RandomSource } from '../../core/random.ts';
import type { KillSwitchGuard } from '../stage-contract.ts';
import type { EventEmitterPort } from '../../bus/contract.ts';
import type { StageSpec } from '../stage-spec.ts';

export function cycleBudgetLayer(cycleBudgetMs: number, events: EventEmitterPort | undefined): Layer<StageStep> {
  return (s, next) => {
    const c = s.cycle;
    // The previous stage's end when it just ended ok: what ran since (bookkeeping, the gates)
    // is far below the budgets' resolution, and a clock read is not free.
    const now = c.stageEnd ?? performance.now();
    c.stageEnd = undefined;
    s.now = now;
    if (now >= c.deadline && !c.timedOut) {
      c.timedOut = true;
      c.errors.push(errorInfo(new OrdinisError('E_ORCH_TIMEOUT', `cycle budget of ${cycleBudgetMs} ms spent before ${s.spec.name}`)));
      events?.emit('ordinis.ops.cycle.timeout', { correlation_id: c.correlationId, budget_ms: cycleBudgetMs, next_stage: s.spec.name }, eventMeta(c));
    }
    if (c.timedOut && !s.spec.critical) {
      c.degraded = true;
      s.result = notRun(s.spec, 'skipped', 'cycle budget spent');
      return;
    }
    return next(s);
  };
}

/** What a stage may spend from `now`: critical stages always get their own budget (they must run even late); the others the smaller of theirs and what is left of the cycle's. */
export function stageBudgetMs(spec: StageSpec, deadline: number, now: number): number {
  return spec.critical ? spec.budgetMs : Math.min(spec.budgetMs, Math.max(0, deadline - now));
}

export interface AttemptOptions {
  clock: Clock;
  random: RandomSource;
  kill: KillSwitchGuard;
  onAbandon: (work: Promise<unknown>) => void;
}

/** The innermost step: one attempt of the stage, within its remaining budget; its outcome goes to `s.outcome`. */
export function budgetedAttempt(o: AttemptOptions): (s: StageStep) => MaybePromise<void> {
  return (s) => {
    const c = s.cycle;
    const name = s.spec.name;
    const abort = new LazyAbortController();
    const ctx = new AttemptContext(c.correlationId, c.traceId, c.mode, name, s.attempt, c.cycleTime, c.index, c.trigger, abort, o.clock, o.random, o.kill, c.data);
    const stage = s.stage;
    const r = runWithBudget(() => stage.run(ctx), Math.max(0, s.remainingMs), abort, name, s.spec.sideEffects ? o.onAbandon : undefined);
    if (!isPromiseLike(r)) {
      s.outcome = r;
      return;
    }
    return r.then((outcome) => {
      s.outcome = outcome;
    });
  };
}
