// The declarative indicator catalogue: for every kind beyond the original five, what a spec
// may say (its parameters with backtrader's defaults and their ranges), what it reads (one
// source, two features, or the bar's high/low/close), what it exposes (one value, or several
// named outputs) and on which bar each output first has a value. Validation, the feature
// version, the warm-up and FEAT's plan all read this one table, so a kind is declared once.
// The computations themselves live in stages/feat/ (a file per indicator).

/** A numeric parameter: its default (backtrader's; none means required) and its range. */
export interface ParamRule {
  readonly default?: number;
  /** A whole number (a period) or any finite number (a factor). */
  readonly integer: boolean;
  readonly min?: number;
  /** Exclusive lower bound, for factors that must be positive. */
  readonly above?: number;
}

/**
 * What a kind reads: `source` one input (a bar field or an earlier feature, default
 * `defaultSource`), `pair` two inputs `a` and `b`, `bar` the bar's high, low and close.
 */
export type KindInput = 'source' | 'pair' | 'bar';

export interface KindInfo {
  readonly input: KindInput;
  readonly defaultSource?: 'close';
  /** Parameters in the order the feature version lists them. */
  readonly params: Readonly<Record<string, ParamRule>>;
  /** Names of the outputs (a feature `bb` exposes `bb_mid`, ...); absent for one value under the feature's own name. */
  readonly outputs?: readonly string[];
  /** 1-based first bar of each output (one entry when single), given the input's first bar `w` (1 for bar fields). */
  warmup(p: Readonly<Record<string, number>>, w: number): readonly number[];
}

const period = (def: number | undefined, min = 1): ParamRule => (def === undefined ? { integer: true, min } : { default: def, integer: true, min });
const factor = (def?: number): ParamRule => (def === undefined ? { integer: false } : { default: def, integer: false });

/** An EMA of period n on a line first valid on bar w is first valid on bar w + n - 1. */
const after = (w: number, n: number): number => w + n - 1;

export const INDICATOR_KINDS = {
  wma: { input: 'source', defaultSource: 'close', params: { period: period(30) }, warmup: (p, w) => [after(w, p.period!)] },
  dema: { input: 'source', defaultSource: 'close', params: { period: period(30) }, warmup: (p, w) => [after(after(w, p.period!), p.period!)] },
  tema: { input: 'source', defaultSource: 'close', params: { period: period(30) }, warmup: (p, w) => [after(after(after(w, p.period!), p.period!), p.period!)] },
  kama: {
    input: 'source',
    defaultSource: 'close',
    params: { period: period(30), fast: period(2), slow: period(30) },
    warmup: (p, w) => [w + p.period!],
  },
  // HMA(n) = WMA(2 WMA(n/2) - WMA(n), floor(sqrt n)); n/2 must be a period, so n >= 2.
  hma: { input: 'source', defaultSource: 'close', params: { period: period(30, 2) }, warmup: (p, w) => [after(after(w, p.period!), Math.floor(Math.sqrt(p.period!)))] },
  zlema: { input: 'source', defaultSource: 'close', params: { period: period(30) }, warmup: (p, w) => [after(w + Math.floor((p.period! - 1) / 2), p.period!)] },
  stddev: { input: 'source', defaultSource: 'close', params: { period: period(20) }, warmup: (p, w) => [after(w, p.period!)] },
  bollinger: {
    input: 'source',
    defaultSource: 'close',
    params: { period: period(20), devfactor: factor(2.0) },
    outputs: ['mid', 'top', 'bot', 'pctb'],
    warmup: (p, w) => Array(4).fill(after(w, p.period!)),
  },
  macd: {
    input: 'source',
    defaultSource: 'close',
    params: { fastPeriod: period(12), slowPeriod: period(26), signalPeriod: period(9) },
    outputs: ['macd', 'signal', 'histo'],
    warmup: (p, w) => macdWarmup(p, w),
  },
  ppo: {
    input: 'source',
    defaultSource: 'close',
    params: { fastPeriod: period(12), slowPeriod: period(26), signalPeriod: period(9) },
    outputs: ['ppo', 'signal', 'histo'],
    warmup: (p, w) => macdWarmup(p, w),
  },
  stochastic: {
    input: 'bar',
    params: { period: period(14), periodDFast: period(3), periodDSlow: period(3) },
    outputs: ['k', 'd'],
    warmup: (p) => {
      const k = after(after(1, p.period!), p.periodDFast!);
      return [k, after(k, p.periodDSlow!)];
    },
  },
  stochastic_fast: {
    input: 'bar',
    params: { period: period(14), periodDFast: period(3) },
    outputs: ['k', 'd'],
    warmup: (p) => [p.period!, after(p.period!, p.periodDFast!)],
  },
  williamsr: { input: 'bar', params: { period: period(14) }, warmup: (p) => [p.period!] },
  cci: { input: 'bar', params: { period: period(20), factor: { default: 0.015, integer: false, above: 0 } }, warmup: (p) => [2 * p.period! - 1] },
  momentum: { input: 'source', defaultSource: 'close', params: { period: period(12) }, warmup: (p, w) => [w + p.period!] },
  roc: { input: 'source', defaultSource: 'close', params: { period: period(12) }, warmup: (p, w) => [w + p.period!] },
  dmi: {
    input: 'bar',
    params: { period: period(14) },
    outputs: ['plus', 'minus', 'adx'],
    warmup: (p) => [p.period! + 1, p.period! + 1, 2 * p.period!],
  },
  aroon: { input: 'bar', params: { period: period(14) }, outputs: ['up', 'down', 'osc'], warmup: (p) => Array(3).fill(p.period! + 1) },
  highest: { input: 'source', defaultSource: 'close', params: { period: period(1) }, warmup: (p, w) => [after(w, p.period!)] },
  lowest: { input: 'source', defaultSource: 'close', params: { period: period(1) }, warmup: (p, w) => [after(w, p.period!)] },
  ichimoku: {
    input: 'bar',
    params: { tenkan: period(9), kijun: period(26), senkou: period(52), senkouLead: period(26, 0) },
    outputs: ['tenkan', 'kijun', 'span_a', 'span_b'],
    warmup: (p) => [p.tenkan!, p.kijun!, Math.max(p.tenkan!, p.kijun!) + p.senkouLead!, p.senkou! + p.senkouLead!],
  },
  diff: { input: 'pair', params: {}, warmup: (_p, w) => [w] },
  ratio: { input: 'pair', params: {}, warmup: (_p, w) => [w] },
  scale: { input: 'source', defaultSource: 'close', params: { factor: factor() }, warmup: (_p, w) => [w] },
  lag: { input: 'source', defaultSource: 'close', params: { period: period(1) }, warmup: (p, w) => [w + p.period!] },
} as const satisfies Record<string, KindInfo>;

function macdWarmup(p: Readonly<Record<string, number>>, w: number): number[] {
  const line = after(w, Math.max(p.fastPeriod!, p.slowPeriod!));
  const signal = after(line, p.signalPeriod!);
  return [line, signal, signal];
}

export type IndicatorKind = keyof typeof INDICATOR_KINDS;

export function isIndicatorKind(kind: unknown): kind is IndicatorKind {
  return typeof kind === 'string' && Object.prototype.hasOwnProperty.call(INDICATOR_KINDS, kind);
}

export function kindInfo(kind: IndicatorKind): KindInfo {
  return INDICATOR_KINDS[kind];
}

/** A catalogue spec's parameters with the defaults filled in, in declaration order. */
export function paramsOf(kind: IndicatorKind, spec: object): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, rule] of Object.entries(kindInfo(kind).params)) {
    const v = (spec as Record<string, unknown>)[key];
    out[key] = (v === undefined ? rule.default : v) as number;
  }
  return out;
}

/** The value names a catalogue feature exposes: `name` alone, or `name_<output>` per output. */
export function outputNamesOf(kind: IndicatorKind, name: string): string[] {
  const outputs = kindInfo(kind).outputs;
  return outputs === undefined ? [name] : outputs.map((o) => `${name}_${o}`);
}
