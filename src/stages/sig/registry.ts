// Strategy packs by id, with parameter validation. `resolve(id, params)` turns a pack and
// raw parameters (from config or the CLI, numbers or strings) into a ResolvedStrategy:
// validated parameters, the feature specs FEAT must compute, ids for provenance.
// Unknown id -> E_SIG_STRATEGY_UNKNOWN; bad parameters -> E_CFG_INVALID.

import { OrdinisError } from '../../errors.ts';
import { validateFeatureSpecs, warmupBarsOf, type FeatureSpec } from '../../domain/feature-spec.ts';
import type { StrategyPack } from './strategy-pack.ts';
import { smaCross } from './builtin/sma-cross.ts';
import { closeSma } from './builtin/close-sma.ts';
import { rsiReversion } from './builtin/rsi.ts';

const ID_RE = /^[a-z0-9][a-z0-9._-]*$/;

/** A pack bound to validated parameters: everything FEAT and SIG need. */
export interface ResolvedStrategy<P = unknown> {
  readonly pack: StrategyPack<P>;
  readonly params: Readonly<P>;
  /** The features FEAT computes for this strategy. */
  readonly features: readonly FeatureSpec[];
  /** The pack id, e.g. "sma-cross". */
  readonly strategyId: string;
  /** `${id}@${version}`, e.g. "sma-cross@1.0.0". */
  readonly modelId: string;
  /** 1-based first bar the strategy can decide on (e.g. 31 for sma-cross 15/30). */
  readonly warmupBars: number;
}

/** A pack as listed by the registry. */
export interface StrategyInfo {
  id: string;
  version: string;
  description?: string;
}

type AnyPack = StrategyPack<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Throws E_CFG_INVALID unless `pack` has the shape of a StrategyPack (id, version, features, decide). */
export function checkPackShape(pack: AnyPack): void {
  const bad = (msg: string): OrdinisError => new OrdinisError('E_CFG_INVALID', `strategy pack: ${msg}`);
  if (pack === null || typeof pack !== 'object') throw bad('not an object');
  if (typeof pack.id !== 'string' || !ID_RE.test(pack.id)) throw bad(`bad id '${String(pack.id)}' (lowercase letters, digits, . _ -)`);
  if (typeof pack.version !== 'string' || pack.version === '') throw bad(`'${pack.id}' needs a version`);
  if (typeof pack.features !== 'function') throw bad(`'${pack.id}' needs features(params)`);
  if (typeof pack.decide !== 'function') throw bad(`'${pack.id}' needs decide(vector, memory, params)`);
}

/** Binds a pack to parameters (validated by its schema); E_CFG_INVALID on bad ones. */
export function resolvePack<P>(pack: StrategyPack<P>, rawParams: unknown = {}): ResolvedStrategy<P> {
  checkPackShape(pack);
  let params: P;
  if (pack.params) {
    const r = pack.params.safeParse(rawParams ?? {});
    if (!r.success) {
      const issues = r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(params)'}: ${i.message}`).join('; ');
      throw new OrdinisError('E_CFG_INVALID', `strategy '${pack.id}': invalid parameters: ${issues}`, {
        details: { strategy: pack.id, params: rawParams as Record<string, unknown> },
      });
    }
    params = r.data;
  } else {
    if (rawParams !== undefined && rawParams !== null && (typeof rawParams !== 'object' || Object.keys(rawParams).length > 0)) {
      throw new OrdinisError('E_CFG_INVALID', `strategy '${pack.id}' takes no parameters`);
    }
    params = {} as P;
  }
  let features: FeatureSpec[];
  try {
    features = pack.features(params);
    validateFeatureSpecs(features);
  } catch (e) {
    // The spec's own E_CFG_INVALID message without its code, which this error repeats.
    const why = e instanceof OrdinisError ? e.message.slice(`${e.code}: `.length) : ((e as Error)?.message ?? String(e));
    throw new OrdinisError('E_CFG_INVALID', `strategy '${pack.id}': bad feature declaration: ${why}`, { cause: e });
  }
  return Object.freeze({
    pack,
    params: Object.freeze(params),
    features: Object.freeze([...features]),
    strategyId: pack.id,
    modelId: `${pack.id}@${pack.version}`,
    warmupBars: warmupBarsOf(features),
  });
}

/** Strategy packs by id: what `--strategy <id>` and `runBacktest({ strategy: id })` look up. */
export class StrategyRegistry {
  private readonly packs = new Map<string, AnyPack>();

  /** Adds a pack; E_CFG_INVALID for a malformed pack or a duplicate id. */
  register(pack: AnyPack): this {
    checkPackShape(pack);
    if (this.packs.has(pack.id)) throw new OrdinisError('E_CFG_INVALID', `strategy '${pack.id}' is already registered`);
    this.packs.set(pack.id, pack);
    return this;
  }

  /** Whether a pack with this id is registered. */
  has(id: string): boolean {
    return this.packs.has(id);
  }

  /** The pack; E_SIG_STRATEGY_UNKNOWN listing the known ids otherwise. */
  get(id: string): AnyPack {
    const p = this.packs.get(id);
    if (p === undefined) {
      throw new OrdinisError('E_SIG_STRATEGY_UNKNOWN', `unknown strategy '${id}' (known: ${[...this.packs.keys()].sort().join(', ') || 'none'})`, {
        details: { strategy: id },
      });
    }
    return p;
  }

  /** The registered packs, by id. */
  list(): StrategyInfo[] {
    return [...this.packs.values()]
      .map((p) => ({ id: p.id, version: p.version, ...(p.description ? { description: p.description } : {}) }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Looks up and binds a pack: E_SIG_STRATEGY_UNKNOWN or E_CFG_INVALID. */
  resolve(id: string, rawParams: unknown = {}): ResolvedStrategy {
    return resolvePack(this.get(id), rawParams) as ResolvedStrategy;
  }
}

/** The built-in packs: sma-cross, close-sma, rsi. */
const BUILTIN_STRATEGIES: readonly AnyPack[] = [smaCross, closeSma, rsiReversion];

/** A fresh registry holding the built-in packs (add your own with `register`). */
export function createStrategyRegistry(extra: readonly AnyPack[] = []): StrategyRegistry {
  const r = new StrategyRegistry();
  for (const p of BUILTIN_STRATEGIES) r.register(p);
  for (const p of extra) r.register(p);
  return r;
}

/**
 * Parses CLI-style parameters `"fast=10,slow=20"` (or `fast=10 slow=20`) into
 * `{ fast: "10", slow: "20" }`; the pack's schema coerces the values.
 */
export function parseStrategyParams(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (text === undefined || text.trim() === '') return out;
  for (const part of text.split(/[,\s]+/)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new OrdinisError('E_CFG_INVALID', `strategy parameter '${part}' is not key=value`);
    const k = part.slice(0, eq).trim();
    if (Object.prototype.hasOwnProperty.call(out, k)) throw new OrdinisError('E_CFG_INVALID', `strategy parameter '${k}' given twice`);
    out[k] = part.slice(eq + 1).trim();
  }
  return out;
}

/** Throws E_SIG_WARMUP_INSUFFICIENT when `bars` per symbol cannot warm the strategy up. */
export function assertEnoughBars(strategy: ResolvedStrategy, bars: number, symbol?: string): void {
  if (bars < strategy.warmupBars) {
    throw new OrdinisError(
      'E_SIG_WARMUP_INSUFFICIENT',
      `${symbol ? `${symbol}: ` : ''}${bars} bar(s), but ${strategy.modelId} needs ${strategy.warmupBars} to make its first decision`,
      { details: { strategy: strategy.strategyId, bars, needed: strategy.warmupBars, ...(symbol ? { symbol } : {}) } },
    );
  }
}
