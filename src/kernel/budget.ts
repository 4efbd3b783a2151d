// Runs one stage attempt within its budget. A synchronous stage returns before any timer
// is armed (it cannot be interrupted anyway, and backtests stay cheap); a promise is raced
// against the budget and, when it overruns, its AbortSignal fires and the attempt is cut
// with E_ORCH_TIMEOUT whether or not the stage listens to the signal.

import { OrdinisError, toOrdinisError } from '../errors.ts';

export type BudgetOutcome<T> = { ok: true; value: T } | { ok: false; error: OrdinisError; timedOut: boolean };

import { isPromiseLike, type MaybePromise } from '../core/maybe-async.ts';

export type { MaybePromise };

/** An AbortController made on first use: a synchronous stage that never reads its signal costs none. */
export class LazyAbortController {
  #controller: AbortController | undefined;

  get signal(): AbortSignal {
    return (this.#controller ??= new AbortController()).signal;
  }

  /** signal.aborted, without making the signal when nobody asked for it yet. */
  get aborted(): boolean {
    return this.#controller?.signal.aborted ?? false;
  }

  abort(reason?: unknown): void {
    (this.#controller ??= new AbortController()).abort(reason);
  }
}

/** The outcome of `fn` within `budgetMs`: returned as is when `fn` is synchronous, a promise when `fn` returned one. */
export function runWithBudget<T>(
  fn: () => T | Promise<T>,
  budgetMs: number,
  controller: Pick<AbortController, 'abort'>,
  label: string,
  /** Told about work that was cut at its budget but is still running (it cannot be killed). */
  onAbandon?: (work: Promise<unknown>) => void,
): MaybePromise<BudgetOutcome<T>> {
  if (budgetMs <= 0) {
    controller.abort();
    return { ok: false, error: new OrdinisError('E_ORCH_TIMEOUT', `${label}: no budget left to start`), timedOut: true };
  }
  let value: T | Promise<T>;
  try {
    value = fn();
  } catch (e) {
    return { ok: false, error: toOrdinisError(e, 'E_ORCH_STAGE_FAILED'), timedOut: false };
  }
  if (!isPromiseLike(value)) return { ok: true, value };
  return raceBudget(value, budgetMs, controller, label, onAbandon);
}

async function raceBudget<T>(
  value: Promise<T>,
  budgetMs: number,
  controller: Pick<AbortController, 'abort'>,
  label: string,
  onAbandon?: (work: Promise<unknown>) => void,
): Promise<BudgetOutcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<BudgetOutcome<T>>((resolve) => {
    timer = setTimeout(() => {
      const error = new OrdinisError('E_ORCH_TIMEOUT', `${label} exceeded its ${Math.round(budgetMs)} ms budget`);
      controller.abort(error);
      resolve({ ok: false, error, timedOut: true });
    }, budgetMs);
  });
  const work = value.then(
    (v): BudgetOutcome<T> => ({ ok: true, value: v }),
    (e): BudgetOutcome<T> => ({ ok: false, error: toOrdinisError(e, 'E_ORCH_STAGE_FAILED'), timedOut: false }),
  );
  try {
    const outcome = await Promise.race([work, timeout]);
    if (!outcome.ok && outcome.timedOut && onAbandon) onAbandon(work);
    return outcome;
  } finally {
    clearTimeout(timer);
  }
}

