// The composer: an onion of layers around a core, each layer `(ctx, next)`. A layer does its
// part, calls `next(ctx)` once to run everything inside it, and may look at the outcome after.
// Synchronous all the way down when nothing is async: `next` returns whatever the inner layers
// returned, a plain value or a promise, so no layer is made to await a plain value (a
// backtest's cycles of synchronous stages never make a promise). Modelled on Hono's
// compose.ts, written afresh, with one difference for the hot path: the chain is built once,
// at compose time, and `next` takes the context, so a run allocates nothing. The guard against
// a layer calling `next` twice (a bug in that layer, refused with E_INTERNAL rather than
// running the inner layers again) keeps its count in a field of the context, one per onion
// (so onions nested on one context do not share it), read and written through the `depth`
// accessors given at compose time: plain field accesses the JIT inlines, where a field looked
// up by a name held in a variable costs a keyed lookup per layer of every run.

import { OrdinisError } from '../errors.ts';
import { isPromiseLike, type MaybePromise } from '../core/maybe-async.ts';

export type Next<C> = (ctx: C) => MaybePromise<void>;
export type Layer<C> = (ctx: C, next: Next<C>) => MaybePromise<void>;

/** Where in the context the guard keeps how deep the current run has entered (-1: not yet). */
export interface DepthField<C> {
  get(ctx: C): number;
  set(ctx: C, depth: number): void;
}

/** One function running `layers` (outermost first) around `core`. */
export function compose<C>(layers: readonly Layer<C>[], core: Next<C>, depth: DepthField<C>): Next<C> {
  const n = layers.length;
  if (n === 0) return core;
  // chain[i] enters layer i (chain[n] is the core): the same functions for every run.
  const chain: Next<C>[] = new Array<Next<C>>(n + 1);
  const { get, set } = depth;
  const enter = (ctx: C, i: number): void => {
    if (get(ctx) >= i) throw new OrdinisError('E_INTERNAL', `layer ${i - 1} called next() more than once`);
    set(ctx, i);
  };
  chain[n] = (ctx) => {
    enter(ctx, n);
    return core(ctx);
  };
  for (let i = n - 1; i >= 0; i--) {
    const layer = layers[i]!;
    const next = chain[i + 1]!;
    chain[i] = (ctx) => {
      enter(ctx, i);
      return layer(ctx, next);
    };
  }
  const first = chain[0]!;
  return (ctx) => {
    set(ctx, -1);
    return first(ctx);
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
