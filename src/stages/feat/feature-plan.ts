// A validated feature list (domain/feature-spec.ts) compiled once into a per-symbol plan of
// streaming indicators, and the per-bar step that feeds it.
//
// The plan is a list of value SLOTS: one per feature, or one per output of a multi-output
// catalogue kind (`bb` -> bb_mid, bb_top, bb_bot, bb_pctb). A multi-output feature's first
// slot feeds its indicator; the others read the outputs that step produced (the slots of one
// feature share one state object), so a vector is still one value per slot, in order.

import type { Bar } from '../../domain/market.ts';
import { featureNamesOf, indicatorInputsOf, isBarField, type BarField, type BarIndicator, type FeatureSpec, type IndicatorSpec } from '../../domain/feature-spec.ts';
import { isIndicatorKind } from '../../domain/indicator-kinds.ts';
import { createCatalogueState, type CatalogueState } from './catalogue.ts';
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
/** A catalogue kind: steps its state, returns its first output. */
const OP_CATALOGUE = 7;
/** A further output of the catalogue feature in the slots before it (already stepped this bar). */
const OP_OUTPUT = 8;

const OP_OF_KIND = { sma: OP_SMA, ema: OP_EMA, rsi: OP_RSI, atr: OP_ATR, crossover: OP_CROSSOVER, field: OP_FIELD, custom: OP_CUSTOM } as const;

/** A validated spec list compiled once: per value slot, what computes it and from which inputs. */
export interface FeaturePlan {
  readonly specs: readonly FeatureSpec[];
  /** The name of each slot: a feature's name, or `<name>_<output>` for a multi-output one. */
  readonly names: readonly string[];
  readonly ops: Uint8Array;
  /** The source, field or crossover / pair `a` input of each slot. */
  readonly inA: Int32Array;
  /** The crossover / pair `b` input of each slot. */
  readonly inB: Int32Array;
  /** For an OP_OUTPUT slot, which output of its feature it holds. */
  readonly output: Uint8Array;
}

/** One slot's per-symbol state: its streaming indicator (none for a bar field). */
export type FeatureState = Sma | Ema | Rsi | Atr | CrossOver | BarIndicator | CatalogueState | undefined;

/** Compiles a validated spec list once, for every symbol (resolves every input to an InputRef). */
export function planFeatures(specs: readonly FeatureSpec[]): FeaturePlan {
  const index = new Map<string, number>();
  // An input the feature does not have is never read; 0 just fills its slot.
  const toRef = (r: string | undefined): InputRef => (r === undefined ? 0 : isBarField(r) ? FIELD_CODE[r] : index.get(r)!);
  const names = specs.flatMap(featureNamesOf);
  const ops = new Uint8Array(names.length);
  const inA = new Int32Array(names.length);
  const inB = new Int32Array(names.length);
  const output = new Uint8Array(names.length);
  let slot = 0;
  for (const s of specs) {
    const [a, b] = inputsOf(s);
    const outputs = featureNamesOf(s);
    ops[slot] = isIndicatorKind(s.kind) ? OP_CATALOGUE : OP_OF_KIND[s.kind as keyof typeof OP_OF_KIND];
    inA[slot] = toRef(a);
    inB[slot] = toRef(b);
    for (let j = 1; j < outputs.length; j++) {
      ops[slot + j] = OP_OUTPUT;
      output[slot + j] = j;
    }
    outputs.forEach((n, j) => index.set(n, slot + j));
    slot += outputs.length;
  }
  return { specs, names, ops, inA, inB, output };
}

function inputsOf(s: FeatureSpec): [string | undefined, string | undefined] {
  switch (s.kind) {
    case 'sma':
    case 'ema':
    case 'rsi':
      return [s.source ?? 'close', undefined];
    case 'crossover':
      return [s.a, s.b];
    case 'field':
      return [s.field, undefined];
    case 'atr':
    case 'custom':
      return [undefined, undefined];
    default: {
      const [a, b] = indicatorInputsOf(s);
      return [a, b];
    }
  }
}

/** Fresh per-symbol state for a plan, one entry per slot (a multi-output feature's slots share one). */
export function createFeatureStates(plan: FeaturePlan): FeatureState[] {
  return plan.specs.flatMap((s) => {
    const st = createState(s);
    return featureNamesOf(s).map(() => st);
  });
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
    default:
      return createCatalogueState(s as IndicatorSpec);
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
    case OP_CUSTOM:
      return (st as BarIndicator).update(bar);
    case OP_CATALOGUE: {
      const c = st as CatalogueState;
      c.step(bar, readInput(plan.inA[k]!, bar, values), readInput(plan.inB[k]!, bar, values));
      return c.out[0];
    }
    default:
      return (st as CatalogueState).out[plan.output[k]!];
  }
}
