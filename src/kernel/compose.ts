// The composer: an onion of layers around a core, each layer `(ctx, next)`. A layer does its
// part, calls `next()` once to run everything inside it, and may look at the outcome after.
// Synchronous all the way down when nothing is async: `next()` returns whatever the inner
// layers returned, a plain value or a promise, so no layer is made to await a plain value
// (a backtest's cycles of synchronous stages never make a promise). Modelled on Hono's
// compose.ts, written afresh: calling `next()` twice from one layer is a bug in that layer,
// refused with E_INTERNAL rather than running the inner layers again.

import { OrdinisError } from '../errors.ts';
import { isPromiseLike, type MaybePromise } from '../core/maybe-async.ts';

export type Next = () => MaybePromise<void>;
export type Layer<C> = (ctx: C, next: Next) => MaybePromise<void>;

/** One function running `layers` (outermost first) around `core`; callable again and again, even while an earlier call is still pending. */
export function compose<C>(layers: readonly Layer<C>[], core: (ctx: C) => MaybePromise<void>): (ctx: C) => MaybePromise<void> {
  const stack = layers.slice();
  if (stack.length === 0) return core;
  return (ctx: C) => {
    let entered = -1;
    const dispatch = (i: number): MaybePromise<void> => {
      if (i <= entered) throw new OrdinisError('E_INTERNAL', `layer ${i - 1} of ${stack.length} called next() more than once`);
      entered = i;
      return i === stack.length ? core(ctx) : stack[i]!(ctx, () => dispatch(i + 1));
    };
    return dispatch(0);
  };
}

/**
 * Runs `done` once the inner layers are finished, whether they succeeded or failed: at once
 * when they finished synchronously, after the promise otherwise. What an after-step of a layer
 * (end a span, write a record) uses so that it does not force a promise on a synchronous cycle.
 */
export function whenDone(out: MaybePromise<void>, done: () => void): MaybePromise<void> {
  if (out === undefined || !isPromiseLike(out)) {
    done();
    return undefined;
  }
  return out.then(done, (e: unknown) => {
    done();
    throw e;
  });
}
