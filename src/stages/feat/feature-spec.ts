// Feature specifications: what a strategy pack declares it needs, validated and compiled
// into a per-symbol plan of streaming indicators.
//
// A spec names a feature and says how to compute it. Inputs (`source`, `a`, `b`) are
// either a bar field (`open`, `high`, `low`, `close`, `volume`) or the name of a feature
// declared EARLIER in the list (so SMA of RSI, or a crossover of two SMAs, just works).
// A feature fed by another is updated only on bars where its input has a value, as
// backtrader's indicator-on-indicator does.

import { OrdinisError } from '../../errors.ts';
import type { Bar } from '../../domain/market.ts';
import { Atr } from './atr.ts';
import { CrossOver } from './crossover.ts';
import { Ema } from './ema.ts';
import { Rsi } from './rsi.ts';
import { Sma } from './sma.ts';

export const BAR_FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;
export type BarField = (typeof BAR_FIELDS)[number];

/** A user-supplied indicator for `kind: 'custom'`: fed every bar, returns its value or undefined. */
export interface BarIndicator {
  update(bar: Bar): number | undefined;
}

export type FeatureSpec =
  | { kind: 'sma'; name: string; period: number; source?: string }
  | { kind: 'ema'; name: string; period: number; source?: string }
  | { kind: 'rsi'; name: string; period: number; source?: string }
  | { kind: 'atr'; name: string; period: number }
  | { kind: 'crossover'; name: string; a: string; b: string }
  | { kind: 'field'; name: string; field: BarField }
  | {
      kind: 'custom';
      name: string;
      /** Stable id of the computation, part of the feature version (e.g. "donchian_high@1(20)"). */
      id: string;
      /** 1-based first bar with a value, if known (for warm-up checks). */
      warmup?: number;
      create(): BarIndicator;
    };

export type FeatureKind = FeatureSpec['kind'];

const NAME_RE = /^[A-Za-z][A-Za-z0-9_]*$/;
const FEATURE_VERSION_PREFIX = 'feat_v1';

function invalid(msg: string): OrdinisError {
  return new OrdinisError('E_CFG_INVALID', `feature spec: ${msg}`);
}

function isBarField(s: string): s is BarField {
  return (BAR_FIELDS as readonly string[]).includes(s);
}

function checkPeriodOf(spec: { name: string; period: number }): void {
  if (!Number.isInteger(spec.period) || spec.period < 1) {
    throw invalid(`'${spec.name}': period must be a whole number >= 1, got ${String(spec.period)}`);
  }
}

/** Validates a list of specs (names, periods, references); throws E_CFG_INVALID. */
export function validateFeatureSpecs(specs: readonly FeatureSpec[]): void {
  if (!Array.isArray(specs)) throw invalid('features must be an array');
  const declared = new Set<string>();
  const ref = (owner: string, what: string, r: unknown): void => {
    if (typeof r !== 'string' || (!isBarField(r) && !declared.has(r))) {
      throw invalid(`'${owner}': ${what} '${String(r)}' is neither a bar field (${BAR_FIELDS.join(', ')}) nor a feature declared before it`);
    }
  };
  for (const s of specs) {
    if (s === null || typeof s !== 'object') throw invalid('each feature must be an object');
    const name = (s as { name?: unknown }).name;
    if (typeof name !== 'string' || !NAME_RE.test(name)) throw invalid(`bad feature name '${String(name)}' (letters, digits, _; starting with a letter)`);
    if (isBarField(name)) throw invalid(`feature name '${name}' clashes with a bar field`);
    if (declared.has(name)) throw invalid(`feature '${name}' declared twice`);
    switch (s.kind) {
      case 'sma':
      case 'ema':
      case 'rsi':
        checkPeriodOf(s);
        ref(name, 'source', s.source ?? 'close');
        break;
      case 'atr':
        checkPeriodOf(s);
        break;
      case 'crossover':
        ref(name, 'a', s.a);
        ref(name, 'b', s.b);
        if (s.a === s.b) throw invalid(`'${name}': a crossover of '${s.a}' with itself`);
        break;
      case 'field':
        if (!isBarField(s.field)) throw invalid(`'${name}': unknown bar field '${String(s.field)}'`);
        break;
      case 'custom':
        if (typeof s.id !== 'string' || s.id === '') throw invalid(`'${name}': a custom feature needs an id`);
        if (typeof s.create !== 'function') throw invalid(`'${name}': a custom feature needs create()`);
        if (s.warmup !== undefined && (!Number.isInteger(s.warmup) || s.warmup < 1)) throw invalid(`'${name}': warmup must be a whole number >= 1`);
        break;
      default:
        throw invalid(`'${name}': unknown kind '${String((s as { kind?: unknown }).kind)}'`);
    }
    declared.add(name);
  }
}

function describe(s: FeatureSpec): string {
  switch (s.kind) {
    case 'sma':
    case 'ema':
    case 'rsi':
      return `${s.name}=${s.kind}(${s.source ?? 'close'},${s.period})`;
    case 'atr':
      return `${s.name}=atr(${s.period})`;
    case 'crossover':
      return `${s.name}=crossover(${s.a},${s.b})`;
    case 'field':
      return `${s.name}=${s.field}`;
    case 'custom':
      return `${s.name}=custom(${s.id})`;
  }
}

/**
 * A deterministic, readable version string of a feature list, e.g.
 * `feat_v1:fast=sma(close,15),slow=sma(close,30),cross=crossover(fast,slow)`.
 * Same specs, same version; any change in what is computed changes it.
 */
export function featureVersionOf(specs: readonly FeatureSpec[]): string {
  return `${FEATURE_VERSION_PREFIX}:${specs.map(describe).join(',')}`;
}

/**
 * 1-based index of the first bar on which every feature has a value (the first bar a
 * strategy may decide on), e.g. 31 for SMA(15), SMA(30) and their crossover. Custom
 * features without a declared warm-up count as 1.
 */
export function warmupBarsOf(specs: readonly FeatureSpec[]): number {
  const w = new Map<string, number>();
  const of = (r: string): number => (isBarField(r) ? 1 : (w.get(r) ?? 1));
  let max = 1;
  for (const s of specs) {
    let v: number;
    switch (s.kind) {
      case 'sma':
      case 'ema':
        v = of(s.source ?? 'close') + s.period - 1;
        break;
      case 'rsi':
        v = of(s.source ?? 'close') + s.period;
        break;
      case 'atr':
        v = s.period + 1;
        break;
      case 'crossover':
        v = Math.max(of(s.a), of(s.b)) + 1;
        break;
      case 'field':
        v = 1;
        break;
      case 'custom':
        v = s.warmup ?? 1;
        break;
    }
    w.set(s.name, v);
    if (v > max) max = v;
  }
  return max;
}

// ---- compiled plan ---------------------------------------------------------------------

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
