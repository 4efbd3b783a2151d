// Feature specifications: what a strategy pack (SIG) declares it needs and FEAT computes.
// They are the contract between the two stages, so they live in the domain; FEAT compiles
// them into a per-symbol plan of streaming indicators (stages/feat/feature-plan.ts).
//
// A spec names a feature and says how to compute it. Inputs (`source`, `a`, `b`) are
// either a bar field (`open`, `high`, `low`, `close`, `volume`) or the name of a feature
// declared EARLIER in the list (so SMA of RSI, or a crossover of two SMAs, just works).
// A feature fed by another is updated only on bars where its input has a value, as
// backtrader's indicator-on-indicator does.

import { OrdinisError } from '../errors.ts';
import type { Bar } from './market.ts';

const BAR_FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;
/** A bar's own fields, usable as an indicator's input. */
export type BarField = (typeof BAR_FIELDS)[number];

/** A user-supplied indicator for `kind: 'custom'`: fed every bar, returns its value or undefined. */
export interface BarIndicator {
  /** Takes the next bar (in time order); returns the value at that bar, or undefined while warming up. */
  update(bar: Bar): number | undefined;
}

/**
 * One feature a strategy pack declares and FEAT computes, by `kind`, named for `decide` to read
 * (`vector.features[name]`). Inputs name a bar field or a feature declared earlier in the list;
 * `custom` brings your own indicator.
 *
 * @example
 * ```ts
 * features: (p) => [
 *   { kind: 'ema', name: 'ema', period: p.period },
 *   { kind: 'crossover', name: 'cross', a: 'close', b: 'ema' },
 * ]
 * ```
 */
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
      /** A fresh indicator (one per symbol). */
      create(): BarIndicator;
    };

export type FeatureKind = FeatureSpec['kind'];

const NAME_RE = /^[A-Za-z][A-Za-z0-9_]*$/;
const FEATURE_VERSION_PREFIX = 'feat_v1';

function invalid(msg: string): OrdinisError {
  return new OrdinisError('E_CFG_INVALID', `feature spec: ${msg}`);
}

export function isBarField(s: string): s is BarField {
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
