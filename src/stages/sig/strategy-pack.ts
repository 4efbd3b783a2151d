// A strategy pack: the unit a user writes to add a strategy. It declares the features it
// needs (FEAT computes them) and decides, per symbol and bar, what it WANTS: a direction
// (LONG = be long, FLAT = be flat, SHORT = be short) or nothing. It does not size orders;
// RISK turns a direction into orders against the position: LONG while flat buys, SHORT
// while flat sells short, FLAT closes a long (sell) or a short (buy to cover), LONG while
// short covers then buys and SHORT while long sells all then sells short (two orders, in
// that order); a direction the position already has changes nothing. `decide` may read
// the book (its fourth argument, read-only): the symbol's position, the account, the
// symbol's working orders.
//
// `decide` is called only on warm vectors (every declared feature has a value), in time
// order, once per symbol and bar; `memory` is a per-symbol scratch object the pack may
// use to remember things between bars. It must be deterministic: no clock, no randomness.
//
// Example: a pack in a few lines (close crossing its EMA):
//
//   import { z } from 'zod';
//   import { defineStrategyPack } from './strategy-pack.ts';
//
//   export const emaTrend = defineStrategyPack({
//     id: 'ema-trend',
//     version: '1.0.0',
//     params: z.object({ period: z.coerce.number().int().min(2).default(20) }),
//     features: (p) => [
//       { kind: 'ema', name: 'ema', period: p.period },
//       { kind: 'crossover', name: 'cross', a: 'close', b: 'ema' },
//     ],
//     decide: (v) =>
//       v.features.cross === 1 ? { direction: 'LONG', reason: 'close_above_ema' }
//       : v.features.cross === -1 ? { direction: 'FLAT', reason: 'close_below_ema' }
//       : null,
//   });
//
//   registry.register(emaTrend);   // or: new SignalStage({ strategy: resolvePack(emaTrend, { period: 50 }) })

import type { z } from 'zod';
import type { Direction } from '../../domain/signal.ts';
import type { FeatureVector } from '../../domain/features.ts';
import type { FeatureSpec } from '../../domain/feature-spec.ts';
import type { OrderIntent, OrderRequest } from '../../domain/order.ts';

/**
 * What a pack decided on one bar: a direction (RISK maps it against the position), explicit
 * orders (RISK decides each as it is), cancels of working orders, or any of them together
 * (at least one).
 *
 * @example
 * ```ts
 * // A buy limit 2% under the close for a quarter of equity, good for the day; a protective stop.
 * { reason: 'dip', orders: [
 *   { side: 'buy', type: 'limit', limitPrice: close * 0.98, equityFraction: 0.25, timeInForce: 'day' },
 *   { side: 'sell', type: 'stop', stopPrice: close * 0.9, qty: 10 },
 * ] }
 * ```
 */
export interface Decision {
  direction?: Direction;
  /** Why, in a short machine-friendly phrase, e.g. "cross_up". */
  reason: string;
  /** 0..1, default 1. */
  confidence?: number;
  /** Explicit orders, submitted in this order after the direction's. */
  orders?: readonly OrderRequest[];
  /** Client order ids of working orders (see `book.openOrders`) to cancel, before any new order. */
  cancel?: readonly string[];
}

/**
 * What `decide` is shown of the book (read-only), as the venue holds it after this bar's
 * fills, valued at this bar's close.
 */
export interface TradingView {
  readonly position: {
    /** Signed shares: negative when short, 0 when flat. */
    readonly qty: number;
    /** Average price (0 when flat; NaN when the venue does not report it). */
    readonly avgPrice: number;
    /** When the position was opened (ms): the fill that left zero or went through it; undefined when flat or unknown. */
    readonly entryTs: number | undefined;
    /** qty × (close − avgPrice). */
    readonly unrealizedPnl: number;
  };
  readonly account: {
    readonly cash: number;
    /** cash + Σ qty × last close, over every position. */
    readonly equity: number;
  };
  /** This symbol's working orders, in submission order. */
  readonly openOrders: readonly Readonly<OrderIntent>[];
}

/** Per-symbol scratch state a pack may keep between bars. */
export type StrategyMemory = Record<string, unknown>;

/**
 * A strategy pack: the unit you write to add a strategy. It declares the features it needs
 * (FEAT computes them) and decides, per symbol and bar, a direction or nothing; RISK sizes it.
 * Write one with `defineStrategyPack`.
 */
export interface StrategyPack<P = Record<string, never>> {
  /** Stable id, e.g. "sma-cross" (lowercase letters, digits, `-`, `_`, `.`). */
  readonly id: string;
  /** Version of the decision logic, e.g. "1.0.0"; part of every signal's modelId. */
  readonly version: string;
  readonly description?: string;
  /**
   * Validates and defaults the parameters (a zod schema; use `z.coerce` for numbers so
   * CLI strings work). Absent: the pack takes no parameters.
   */
  readonly params?: z.ZodType<P>;
  /** The features `decide` reads, for the given parameters. */
  features(params: P): FeatureSpec[];
  /**
   * The decision on one warm vector; null or undefined for "nothing to do". `book` is the
   * symbol's position, the account and the symbol's working orders (a SIG run without a book
   * source shows a flat position and NaN cash).
   */
  decide(vector: FeatureVector, memory: StrategyMemory, params: P, book: TradingView): Decision | null | undefined;
}

/** Identity helper that gives a pack literal its parameter type from its schema. */
export function defineStrategyPack<P>(pack: StrategyPack<P>): StrategyPack<P> {
  return pack;
}
