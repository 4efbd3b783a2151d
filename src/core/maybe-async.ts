// Sync-or-async in one code path. A generator yields MaybePromise values and receives their
// results: it runs fully synchronously while every yielded value is plain and switches to a
// promise at the first real one. This is how one piece of multi-step logic (a cycle, EXEC's
// submit flow) serves a synchronous paper broker at backtest speed and an async live broker.

export type MaybePromise<T> = T | Promise<T>;

export function isPromiseLike<T>(v: MaybePromise<T> | PromiseLike<T>): v is PromiseLike<T> & Promise<T> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** Runs every step of the generator inside `within` (e.g. an OpenTelemetry context). */
export type StepScope = <R>(step: () => R) => R;

const bare: StepScope = (step) => step();

export function runMaybeAsync<T>(gen: Generator<unknown, T, unknown>, within: StepScope = bare): MaybePromise<T> {
  let step = within(() => gen.next());
  while (!step.done) {
    const v = step.value;
    if (isPromiseLike(v)) return continueAsync(gen, v, within);
    step = within(() => gen.next(v));
  }
  return step.value;
}

async function continueAsync<T>(gen: Generator<unknown, T, unknown>, first: PromiseLike<unknown>, within: StepScope): Promise<T> {
  let pending: unknown = first;
  for (;;) {
    let value: unknown;
    let failed = false;
    try {
      value = await pending;
    } catch (e) {
      failed = true;
      value = e;
    }
    const step = within(() => (failed ? gen.throw(value) : gen.next(value)));
    if (step.done) return step.value;
    pending = step.value;
  }
}

/** Applies `f` to a MaybePromise without forcing a promise when the value is plain. */
export function thenMaybe<A, B>(v: MaybePromise<A>, f: (a: A) => MaybePromise<B>): MaybePromise<B> {
  return isPromiseLike(v) ? v.then(f) : f(v);
}
