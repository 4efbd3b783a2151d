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
import { isIndicatorKind, kindInfo, outputNamesOf, paramsOf, type IndicatorKind } from './indicator-kinds.ts';

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
    }
  | IndicatorSpec;

/**
 * The indicator catalogue (domain/indicator-kinds.ts), each exact against backtrader 1.9.78.
 * Parameters are optional and default to backtrader's. `source` (default `close`) is a bar
 * field or an earlier feature; `bar` kinds read the bar's high, low and close.
 *
 * A multi-output kind exposes one value per output, named `<name>_<output>`: the spec
 * `{ kind: 'bollinger', name: 'bb' }` gives `bb_mid`, `bb_top`, `bb_bot` and `bb_pctb`, each a
 * feature a strategy reads (and a later spec may use as its source); `bb` itself is not one.
 */
export type IndicatorSpec =
  /** Weighted, double/triple exponential, Hull and zero-lag EMA (period 30); StdDev (20, population); momentum and ROC (12, `(x - x[-n]) / x[-n]`). */
  | { kind: 'wma' | 'dema' | 'tema' | 'hma' | 'zlema' | 'stddev' | 'momentum' | 'roc'; name: string; period?: number; source?: string }
  /** Kaufman's adaptive MA: efficiency over `period` (30), smoothing between EMA(fast) (2) and EMA(slow) (30). */
  | { kind: 'kama'; name: string; period?: number; fast?: number; slow?: number; source?: string }
  /** Outputs mid, top, bot, pctb: SMA(period) (20) +- devfactor (2) population standard deviations; %B = (x - bot) / (top - bot). */
  | { kind: 'bollinger'; name: string; period?: number; devfactor?: number; source?: string }
  /** MACD outputs macd, signal, histo; PPO outputs ppo (100 (fast - slow) / slow), signal, histo. EMAs 12, 26, signal 9. */
  | { kind: 'macd' | 'ppo'; name: string; fastPeriod?: number; slowPeriod?: number; signalPeriod?: number; source?: string }
  /** Slow stochastic, outputs k, d: %K = SMA(periodDFast) of the fast %K over `period` (14, 3), %D = SMA(periodDSlow) (3) of it. */
  | { kind: 'stochastic'; name: string; period?: number; periodDFast?: number; periodDSlow?: number }
  /** Fast stochastic, outputs k, d: %K = 100 (close - lowest low) / (highest high - lowest low) over `period` (14), %D = SMA(periodDFast) (3). */
  | { kind: 'stochastic_fast'; name: string; period?: number; periodDFast?: number }
  /** Williams %R (14), DMI (14; outputs plus, minus, adx: +DI, -DI, ADX, Wilder smoothing), Aroon (14; outputs up, down, osc). */
  | { kind: 'williamsr' | 'dmi' | 'aroon'; name: string; period?: number }
  /** Commodity channel index: typical price's deviation from its SMA(period) (20) over factor (0.015) x its mean deviation. */
  | { kind: 'cci'; name: string; period?: number; factor?: number }
  /** Highest / lowest `source` over the last `period` bars (backtrader's default 1); a Donchian channel is highest(high) and lowest(low). */
  | { kind: 'highest' | 'lowest'; name: string; period?: number; source?: string }
  /**
   * Outputs tenkan, kijun, span_a, span_b: midpoints of the high-low range over tenkan (9),
   * kijun (26) and senkou (52) bars; the spans are shifted senkouLead (26) bars forward. No
   * chikou span: backtrader's is the close 26 bars AHEAD, a look-ahead a strategy must not see.
   */
  | { kind: 'ichimoku'; name: string; tenkan?: number; kijun?: number; senkou?: number; senkouLead?: number }
  /** Arithmetic between features: `a - b`, `a / b`. */
  | { kind: 'diff' | 'ratio'; name: string; a: string; b: string }
  /** `factor x source`. */
  | { kind: 'scale'; name: string; factor: number; source?: string }
  /** `source` `period` (1) bars ago. */
  | { kind: 'lag'; name: string; period?: number; source?: string };

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
  /** Every value a later feature may read: feature names and the outputs of multi-output ones. */
  const declared = new Set<string>();
  /** Every spec's name (a multi-output spec's own name is not a value, but still taken). */
  const specNames = new Set<string>();
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
    if (declared.has(name) || specNames.has(name)) throw invalid(`feature '${name}' declared twice`);
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
      default: {
        const kind = (s as { kind?: unknown }).kind;
        if (!isIndicatorKind(kind)) throw invalid(`'${name}': unknown kind '${String(kind)}'`);
        checkIndicatorSpec(kind, s as IndicatorSpec, ref);
        for (const out of outputNamesOf(kind, name)) {
          if (out !== name && (declared.has(out) || isBarField(out))) throw invalid(`'${name}': output '${out}' clashes with a feature declared before it`);
          declared.add(out);
        }
      }
    }
    specNames.add(name);
    if (!isIndicatorKind(s.kind)) declared.add(name);
  }
}

const SPEC_KEYS = new Set(['kind', 'name']);

/** A catalogue spec: only its own fields, each parameter in range, its inputs declared before it. */
function checkIndicatorSpec(kind: IndicatorKind, s: IndicatorSpec, ref: (owner: string, what: string, r: unknown) => void): void {
  const info = kindInfo(kind);
  const inputs = info.input === 'source' ? ['source'] : info.input === 'pair' ? ['a', 'b'] : [];
  for (const key of Object.keys(s)) {
    if (!SPEC_KEYS.has(key) && !inputs.includes(key) && !(key in info.params)) {
      throw invalid(`'${s.name}': unknown field '${key}' for kind '${kind}' (fields: ${[...inputs, ...Object.keys(info.params)].join(', ') || 'none'})`);
    }
  }
  const fields = s as unknown as Record<string, unknown>;
  for (const [key, rule] of Object.entries(info.params)) {
    const v = fields[key];
    if (v === undefined) {
      if (rule.default === undefined) throw invalid(`'${s.name}': ${kind} needs '${key}'`);
      continue;
    }
    const ok = typeof v === 'number' && Number.isFinite(v) && (!rule.integer || Number.isInteger(v)) && (rule.min === undefined || v >= rule.min) && (rule.above === undefined || v > rule.above);
    if (!ok) {
      const want = rule.integer ? `a whole number >= ${rule.min ?? 0}` : rule.above !== undefined ? `a number > ${rule.above}` : 'a finite number';
      throw invalid(`'${s.name}': ${key} must be ${want}, got ${JSON.stringify(v) ?? String(v)}`);
    }
  }
  if (info.input === 'source') ref(s.name, 'source', fields['source'] ?? info.defaultSource);
  if (info.input === 'pair') {
    ref(s.name, 'a', fields['a']);
    ref(s.name, 'b', fields['b']);
  }
}

/** The inputs a catalogue spec reads (bar fields or earlier features), in order: none for bar kinds. */
export function indicatorInputsOf(s: IndicatorSpec): string[] {
  const info = kindInfo(s.kind);
  const fields = s as unknown as Record<string, string | undefined>;
  if (info.input === 'source') return [fields['source'] ?? info.defaultSource!];
  if (info.input === 'pair') return [fields['a']!, fields['b']!];
  return [];
}

/** The value names a spec exposes: its own name, or one per output of a multi-output kind. */
export function featureNamesOf(s: FeatureSpec): string[] {
  return isIndicatorKind(s.kind) ? outputNamesOf(s.kind, s.name) : [s.name];
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
    default:
      return `${s.name}=${s.kind}(${[...indicatorInputsOf(s), ...Object.values(paramsOf(s.kind, s))].join(',')})`;
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
      default: {
        // A pair is warm once both inputs are; a bar kind reads bar fields (warm on bar 1).
        const input = Math.max(1, ...indicatorInputsOf(s).map(of));
        const outputs = kindInfo(s.kind).warmup(paramsOf(s.kind, s), input);
        outputNamesOf(s.kind, s.name).forEach((n, k) => w.set(n, outputs[k]!));
        v = Math.max(...outputs);
      }
    }
    w.set(s.name, v);
    if (v > max) max = v;
  }
  return max;
}
