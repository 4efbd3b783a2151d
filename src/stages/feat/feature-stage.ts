// FEAT: one FeatureVector per bar of the cycle, from per-symbol streaming indicator state.
//
// The features are the ones the strategy pack declares (see feature-spec.ts). A vector is
// `warm` once every feature has a value: SIG decides only on warm vectors, which is the
// reference warm-up rule. With `commonWarmup` (SIG_WARMUP_MODE=common, backtrader's rule for
// several datas), no vector is warm until every symbol of the run is (common-warmup.ts).
// Bars with NaN/Infinity, a non-positive price or a time after the cycle's are rejected
// (E_FEAT_INVALID_INPUT naming the symbol and time) before any state changes. A retried attempt of the same cycle returns the same vectors without feeding
// the indicators twice.

import { OrdinisError, isOrdinisError } from '../../errors.ts';
import type { Bar } from '../../domain/market.ts';
import type { FeatureSet, FeatureVector } from '../../domain/features.ts';
import type { Stage, StageContext } from '../../kernel/stage-contract.ts';
import { featureVersionOf, validateFeatureSpecs, warmupBarsOf, type FeatureSpec } from '../../domain/feature-spec.ts';
import { CommonWarmup } from './common-warmup.ts';
import { computeFeature, createFeatureStates, planFeatures, type FeaturePlan, type FeatureState } from './feature-plan.ts';

export interface FeatureStageOptions {
  /** The features to compute, usually a resolved strategy's `features`. */
  features: readonly FeatureSpec[];
  /** Timeframe label stamped on vectors. Default "1d". */
  tf?: string;
  /** The run's symbols, for the common warm-up: no vector is warm until each of them has been. Default: per-symbol warm-up. */
  commonWarmup?: readonly string[];
}

interface SymbolState {
  features: FeatureState[];
  values: (number | undefined)[];
  lastTs: number;
  lastVector: FeatureVector | undefined;
}

/** The default FEAT engine: computes the strategy's declared features per symbol, streaming and exact. */
export class FeatureStage implements Stage<'FEAT'> {
  readonly name = 'FEAT' as const;
  readonly featureVersion: string;
  /** 1-based first bar on which vectors are warm. */
  readonly warmupBars: number;
  readonly tf: string;
  private readonly plan: FeaturePlan;
  private readonly names: readonly string[];
  private readonly record: RecordOf;
  private readonly state = new Map<string, SymbolState>();
  private readonly common: CommonWarmup | undefined;

  constructor(opts: FeatureStageOptions) {
    validateFeatureSpecs(opts.features);
    const specs = [...opts.features];
    this.plan = planFeatures(specs);
    // One name per value slot: a multi-output feature contributes one per output.
    this.names = this.plan.names;
    this.record = recordOf(this.names);
    this.featureVersion = featureVersionOf(specs);
    this.warmupBars = warmupBarsOf(specs);
    this.tf = opts.tf ?? '1d';
    this.common = opts.commonWarmup ? new CommonWarmup(opts.commonWarmup) : undefined;
  }

  run(ctx: StageContext): FeatureSet {
    const snap = ctx.data.ING;
    if (snap === undefined) throw new OrdinisError('E_FEAT_COMPUTE_FAILED', 'FEAT needs the ING snapshot of this cycle');
    for (const bar of snap.bars) checkBar(bar, ctx.cycleTime);
    return { vectors: this.onBars(snap.bars) };
  }

  /** Feeds one timestamp's bars (already checked) and returns their vectors, warm as the warm-up mode says. Also usable outside a cycle. */
  onBars(bars: readonly Bar[]): FeatureVector[] {
    const vectors: FeatureVector[] = [];
    for (const bar of bars) vectors.push(this.onBar(bar));
    return this.common ? this.common.admit(vectors) : vectors;
  }

  /** Feeds one bar (already checked) and returns its vector, warm by its own features alone (onBars applies the common warm-up). */
  onBar(bar: Bar): FeatureVector {
    const st = this.state.get(bar.symbol) ?? this.addSymbol(bar.symbol);
    if (bar.ts === st.lastTs && st.lastVector !== undefined) return st.lastVector; // retry of the same cycle
    if (bar.ts <= st.lastTs) notAfter(bar, st.lastTs);
    const { plan } = this;
    const { features, values } = st;
    let warm = true;
    try {
      for (let k = 0; k < features.length; k++) {
        const v = computeFeature(plan, k, features[k], bar, values);
        if (v !== undefined && !Number.isFinite(v)) badValue(bar, this.names[k]!, v);
        values[k] = v;
        if (v === undefined) warm = false;
      }
    } catch (e) {
      computeFailed(bar, e);
    }
    const vector: FeatureVector = { symbol: bar.symbol, ts: bar.ts, tf: this.tf, featureVersion: this.featureVersion, features: this.record(values), warm };
    st.lastTs = bar.ts;
    st.lastVector = vector;
    return vector;
  }

  private addSymbol(symbol: string): SymbolState {
    const st: SymbolState = { features: createFeatureStates(this.plan), values: this.names.map(() => undefined), lastTs: Number.NEGATIVE_INFINITY, lastVector: undefined };
    this.state.set(symbol, st);
    return st;
  }

  summarize(out: FeatureSet): Record<string, unknown> {
    let warm = 0;
    for (const v of out.vectors) if (v.warm) warm++;
    return { vectors: out.vectors.length, warm, featureVersion: this.featureVersion };
  }
}

// The errors below are worded apart from onBar, which V8 would otherwise optimize worse (it
// runs on every bar).
function notAfter(bar: Bar, lastTs: number): never {
  throw new OrdinisError('E_FEAT_INVALID_INPUT', `${bar.symbol} at ${iso(bar.ts)}: bar is not after the previous one (${iso(lastTs)})`, {
    details: { symbol: bar.symbol, ts: bar.ts },
  });
}

/** Rethrows an OrdinisError as it is; anything else a feature threw is E_FEAT_COMPUTE_FAILED. */
function computeFailed(bar: Bar, e: unknown): never {
  if (isOrdinisError(e)) throw e;
  throw new OrdinisError('E_FEAT_COMPUTE_FAILED', `${bar.symbol} at ${iso(bar.ts)}: ${(e as Error)?.message ?? String(e)}`, {
    cause: e,
    details: { symbol: bar.symbol, ts: bar.ts },
  });
}

function badValue(bar: Bar, feature: string, v: number): never {
  throw new OrdinisError('E_FEAT_COMPUTE_FAILED', `${bar.symbol} at ${iso(bar.ts)}: feature '${feature}' computed ${v}`, {
    details: { symbol: bar.symbol, ts: bar.ts, feature },
  });
}

/** Builds a vector's features record from the values, keyed by feature name in spec order. */
type RecordOf = (values: readonly (number | undefined)[]) => Record<string, number | undefined>;

function recordOf(names: readonly string[]): RecordOf {
  return (values) => {
    const record: Record<string, number | undefined> = {};
    for (let k = 0; k < names.length; k++) record[names[k]!] = values[k];
    return record;
  };
}

function iso(ts: number): string {
  return Number.isFinite(ts) ? new Date(ts).toISOString() : String(ts);
}

const PRICE_FIELDS = ['open', 'high', 'low', 'close'] as const;

/** Rejects a bar FEAT must not compute on: E_FEAT_INVALID_INPUT naming symbol and time. */
export function checkBar(bar: Bar, cycleTime: number): void {
  // This runs on every bar: one plain test first, kept apart from the wording of the errors
  // (V8 optimizes a function holding the message templates about ten times worse).
  if (!isComputable(bar, cycleTime)) refuseBar(bar, cycleTime);
}

function isPrice(x: number): boolean {
  return Number.isFinite(x) && x > 0;
}

function isComputable(bar: Bar, cycleTime: number): boolean {
  return (
    Number.isFinite(bar.ts) &&
    !(bar.ts > cycleTime) &&
    isPrice(bar.open) &&
    isPrice(bar.high) &&
    isPrice(bar.low) &&
    isPrice(bar.close) &&
    Number.isFinite(bar.volume) &&
    bar.volume >= 0
  );
}

/** Throws for the first check a bar fails, naming the field. */
function refuseBar(bar: Bar, cycleTime: number): void {
  if (!Number.isFinite(bar.ts)) badBar(bar, `timestamp ${bar.ts} is not finite`, 'ts');
  if (bar.ts > cycleTime) badBar(bar, `bar is later than the cycle time ${iso(cycleTime)} (look-ahead)`, 'ts');
  for (const f of PRICE_FIELDS) {
    const v = bar[f];
    if (typeof v !== 'number' || !Number.isFinite(v)) badBar(bar, `${f} is ${String(v)}, not a finite number`, f);
    if (v <= 0) badBar(bar, `${f} ${v} is not > 0`, f);
  }
  if (typeof bar.volume !== 'number' || !Number.isFinite(bar.volume) || bar.volume < 0) badBar(bar, `volume ${String(bar.volume)} is not a finite number >= 0`, 'volume');
}

// Built only when a bar is refused: checkBar runs on every bar.
function badBar(bar: Bar, msg: string, field?: string): never {
  throw new OrdinisError('E_FEAT_INVALID_INPUT', `${bar.symbol} at ${iso(bar.ts)}: ${msg}`, { details: { symbol: bar.symbol, ts: bar.ts, ...(field ? { field } : {}) } });
}
