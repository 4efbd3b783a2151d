// A validated feature list (domain/feature-spec.ts) compiled once into a per-symbol plan of
// streaming indicators, and the per-bar step that feeds it.

import type { Bar } from '../../domain/market.ts';
import { isBarField, type BarField, type BarIndicator, type FeatureKind, type FeatureSpec } from '../../domain/feature-spec.ts';
import { Atr } from './atr.ts';
import { CrossOver } from './crossover.ts';
import { Ema } from './ema.ts';
import { Rsi } from './rsi.ts';
import { Sma } from './sma.ts';

/** Reads an input: a bar field (negative code) or an earlier feature (its index). */
type InputRef = number;
const FIELD_CODE: Record<BarField, InputRef> = { open: -1, high: -2, low: -3, close: -4, volume: -5 };

function readInput(ref: InputRef, bar: Bar, values: readonly (number | undefined)[]): number | undefined {
  switch (ref) {
    case -1:
      return bar.open;
    case -2:
      return bar.high;
    case -3:
      return bar.low;
    case -4:
      return bar.close;
    case -5:
      return bar.volume;
    default:
      return values[ref];
  }
}

// What computes a feature, one code per kind. computeFeature switches on it, so each
// indicator's update is called from a site that only ever sees that class (V8 inlines it);
// one closure per feature called from a single site made that site megamorphic.
const OP_SMA = 0;
const OP_EMA = 1;
const OP_RSI = 2;
const OP_ATR = 3;
const OP_CROSSOVER = 4;
const OP_FIELD = 5;
const OP_CUSTOM = 6;

const OP_OF_KIND: Record<FeatureKind, number> = { sma: OP_SMA, ema: OP_EMA, rsi: OP_RSI, atr: OP_ATR, crossover: OP_CROSSOVER, field: OP_FIELD, custom: OP_CUSTOM };

/** A validated spec list compiled once: per feature, what computes it and from which inputs. */
export interface FeaturePlan {
  readonly specs: readonly FeatureSpec[];
  readonly ops: Uint8Array;
  /** The source, field or crossover `a` input of each feature. */
  readonly inA: Int32Array;
  /** The crossover `b` input of each feature. */
  readonly inB: Int32Array;
}

/** One feature's per-symbol state: its streaming indicator (none for a bar field). */
export type FeatureState = Sma | Ema | Rsi | Atr | CrossOver | BarIndicator | undefined;

/** Compiles a validated spec list once, for every symbol (resolves every input to an InputRef). */
export function planFeatures(specs: readonly FeatureSpec[]): FeaturePlan {
  const index = new Map<string, number>();
  // An input the feature does not have is never read; 0 just fills its slot.
  const toRef = (r: string | undefined): InputRef => (r === undefined ? 0 : isBarField(r) ? FIELD_CODE[r] : index.get(r)!);
  const ops = new Uint8Array(specs.length);
  const inA = new Int32Array(specs.length);
  const inB = new Int32Array(specs.length);
  specs.forEach((s, k) => {
    ops[k] = OP_OF_KIND[s.kind];
    inA[k] = toRef(inputA(s));
    inB[k] = toRef(s.kind === 'crossover' ? s.b : undefined);
    index.set(s.name, k);
  });
  return { specs, ops, inA, inB };
}

function inputA(s: FeatureSpec): string | undefined {
  switch (s.kind) {
    case 'sma':
    case 'ema':
    case 'rsi':
      return s.source ?? 'close';
    case 'crossover':
      return s.a;
    case 'field':
      return s.field;
    default:
      return undefined;
  }
}

/** Fresh per-symbol state for a plan, one entry per feature. */
export function createFeatureStates(plan: FeaturePlan): FeatureState[] {
  return plan.specs.map(createState);
}

function createState(s: FeatureSpec): FeatureState {
  switch (s.kind) {
    case 'sma':
      return new Sma(s.period);
    case 'ema':
      return new Ema(s.period);
    case 'rsi':
      return new Rsi(s.period);
    case 'atr':
      return new Atr(s.period);
    case 'crossover':
      return new CrossOver();
    case 'field':
      return undefined;
    case 'custom':
      return s.create();
  }
}

/** Feeds this bar to feature `k` (its state `st`, earlier features' values in `values`) and returns its value. */
export function computeFeature(plan: FeaturePlan, k: number, st: FeatureState, bar: Bar, values: readonly (number | undefined)[]): number | undefined {
  const op = plan.ops[k]!;
  switch (op) {
    case OP_SMA:
    case OP_EMA:
    case OP_RSI: {
      const x = readInput(plan.inA[k]!, bar, values);
      // Holds its last value on bars where its input has none (cannot happen for bar fields).
      if (x === undefined) return (st as Sma | Ema | Rsi).value;
      return op === OP_SMA ? (st as Sma).update(x) : op === OP_EMA ? (st as Ema).update(x) : (st as Rsi).update(x);
    }
    case OP_ATR:
      return (st as Atr).update(bar.high, bar.low, bar.close);
    case OP_CROSSOVER:
      return (st as CrossOver).update(readInput(plan.inA[k]!, bar, values), readInput(plan.inB[k]!, bar, values));
    case OP_FIELD:
      return readInput(plan.inA[k]!, bar, values);
    default:
      return (st as BarIndicator).update(bar);
  }
}
