// The flags `ordinis backtest` and `ordinis paper` share (data, strategy, sizing, cash,
// commission, dates, seed, warm-up mode) and their one translation into a BacktestConfig
// (and configuration overrides), so the two commands cannot drift apart.

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { OrdinisError } from '../errors.ts';
import type { BacktestConfig } from '../modes/backtest/backtest-driver.ts';
import { NO_COMMISSION, type CommissionModel } from '../domain/commission.ts';
import { isStrategyFileArgument } from '../adapters/strategy/strategy-file-name.ts';
import { WARMUP_MODES, type WarmupMode } from '../stages/feat/common-warmup.ts';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The bundled sample: real ORCL daily bars, so `ordinis backtest` works on a fresh install. */
export const SAMPLE_DATA = join(PROJECT_ROOT, 'samples', 'orcl-1995-2014.txt');

export interface PipelineFlags {
  data?: string[];
  symbols?: string;
  /** A built-in pack's id, or a strategy file's path (strategy-file-name.ts tells them apart). Default SIG_STRATEGY. */
  strategy?: string;
  /** `--param key=value`, repeatable: the pack's raw parameters. */
  param?: string[];
  fast?: string;
  slow?: string;
  period?: string;
  lower?: string;
  upper?: string;
  qty?: string;
  weight?: string;
  /** Default: BROKER_STARTING_CASH. */
  cash?: string;
  commissionPct?: string;
  from?: string;
  to?: string;
  db?: string;
  seed?: string;
  /** `--warmup-mode`: per-symbol | common (default SIG_WARMUP_MODE). */
  warmupMode?: string;
}

const STRATEGY_FLAGS: Record<string, readonly (keyof PipelineFlags)[]> = {
  'sma-cross': ['fast', 'slow'],
  'close-sma': ['period'],
  rsi: ['period', 'lower', 'upper'],
};

/** Adds the shared flags; `cashHelp` and `dbHelp` say what cash and the database mean for the command. */
export function addPipelineOptions(cmd: Command, cashHelp: string, dbHelp: string): Command {
  return cmd
    .option('--data <file>', 'OHLCV CSV file (repeatable; one symbol per file)', collect, undefined)
    .option('--symbols <list>', 'symbol names for the files, comma-separated (default: file stems); also the order within a bar')
    .option('--strategy <id|file>', 'sma-cross | close-sma | rsi, or your own pack: a .ts, .mts, .js or .mjs file (default export or `export const strategy`) (default SIG_STRATEGY: sma-cross)')
    .option('--param <key=value>', "a strategy parameter, validated by the pack's schema (repeatable; e.g. --param period=20)", collect, undefined)
    .option('--fast <n>', 'sma-cross: fast SMA period (default 15)')
    .option('--slow <n>', 'sma-cross: slow SMA period (default 30)')
    .option('--period <n>', 'close-sma: SMA period (default 15); rsi: RSI period (default 14)')
    .option('--lower <x>', 'rsi: buy below this RSI (default 30)')
    .option('--upper <x>', 'rsi: close above this RSI (default 70)')
    .option('--qty <n>', 'fixed order size in shares (default 10)')
    .option('--weight <w>', 'order size as a fraction of portfolio value at the decision bar close, floored to whole shares')
    .option('--cash <amount>', `${cashHelp} (default BROKER_STARTING_CASH)`)
    .option('--commission-pct <pct>', 'commission as a percentage of fill notional (0.1 = 0.1%)')
    .option('--from <date>', 'first date, YYYY-MM-DD (inclusive)')
    .option('--to <date>', 'last date, YYYY-MM-DD (inclusive)')
    .option('--db <file>', dbHelp)
    .option('--seed <n>', 'random seed (default ORCH_SEED)')
    .option('--warmup-mode <mode>', "per-symbol: each symbol decides once its own features are warm; common: no symbol decides until every symbol is (backtrader's rule) (default SIG_WARMUP_MODE: per-symbol)");
}

/**
 * The configuration overrides the flags make (pure): `--warmup-mode` as SIG_WARMUP_MODE, so
 * the run records it in its config snapshot like any key. A bad value is E_CFG_INVALID naming the flag.
 */
export function configOverridesOf(f: Pick<PipelineFlags, 'warmupMode'>): { SIG_WARMUP_MODE?: WarmupMode } {
  if (f.warmupMode === undefined) return {};
  const mode = WARMUP_MODES.find((m) => m === f.warmupMode);
  if (!mode) throw new OrdinisError('E_CFG_INVALID', `--warmup-mode ${JSON.stringify(f.warmupMode)}: expected ${WARMUP_MODES.join(' or ')}`);
  return { SIG_WARMUP_MODE: mode };
}

/**
 * `--param key=value` flags as raw parameters (pure): the value is everything after the first
 * `=`, kept a string for the pack's schema to coerce. A flag without `=` or an empty key, or
 * a key given twice, is E_CFG_INVALID naming it.
 */
export function paramFlags(flags: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const flag of flags ?? []) {
    const eq = flag.indexOf('=');
    const key = eq < 0 ? '' : flag.slice(0, eq).trim();
    if (key === '') throw new OrdinisError('E_CFG_INVALID', `--param ${JSON.stringify(flag)}: expected key=value (e.g. --param period=20)`, { details: { flag: '--param', value: flag } });
    if (Object.prototype.hasOwnProperty.call(out, key)) throw new OrdinisError('E_CFG_INVALID', `--param ${key} given twice`, { details: { flag: '--param', key } });
    out[key] = flag.slice(eq + 1);
  }
  return out;
}

export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * The longest indicator window a flag may ask for. Far beyond any window a strategy on daily
 * or intraday bars uses, yet it stops `--slow 1e9` from silently producing a run that never
 * warms up (or from sizing a window buffer by the flag).
 */
export const MAX_INDICATOR_PERIOD = 100_000;
/** The largest fixed order size, in shares. */
export const MAX_ORDER_QTY = 1_000_000_000;
/** The largest starting cash: money stays exact to the cent well inside 2^53 / 100. */
export const MAX_CASH = 1e12;
/** Seeds are 32-bit (SeededRandom keeps `seed >>> 0`): a larger or fractional one would alias silently. */
export const MAX_SEED = 0xffff_ffff;

export interface DecimalBounds {
  min?: number;
  /** The value must be greater than `min`, not equal to it. */
  minExclusive?: boolean;
  max?: number;
  maxExclusive?: boolean;
  /** A count: a whole number (a safe integer). */
  integer?: boolean;
}

// Plain decimal notation, as an operator types a number: no exponent (1e308), no radix
// prefix (0x10), no Infinity/NaN, no digit separators. Number() accepts all of those.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)$/;

function expectedText(b: DecimalBounds): string {
  if (b.integer) {
    if (b.min !== undefined && b.max !== undefined) return `an integer from ${b.min} to ${b.max}`;
    if (b.min !== undefined) return `an integer >= ${b.min}`;
    return 'an integer';
  }
  const parts: string[] = [];
  if (b.min !== undefined) parts.push(`${b.minExclusive ? '>' : '>='} ${b.min}`);
  if (b.max !== undefined) parts.push(`${b.maxExclusive ? '<' : '<='} ${b.max}`);
  return parts.length ? `a number ${parts.join(' and ')}` : 'a number';
}

/**
 * A numeric flag in plain decimal notation, finite and within `bounds`, or E_CFG_INVALID
 * naming the flag, the value and what was expected. Pure.
 */
export function decimalFlag(flag: string, raw: string, bounds: DecimalBounds): number {
  const text = raw.trim();
  if (!DECIMAL.test(text)) throw new OrdinisError('E_CFG_INVALID', `${flag} ${JSON.stringify(raw)}: expected a decimal number (digits, an optional sign and fraction; no exponent or hex), ${expectedText(bounds)}`, { details: { flag, value: raw } });
  const v = Number(text);
  const inRange =
    Number.isFinite(v) &&
    (!bounds.integer || Number.isSafeInteger(v)) &&
    (bounds.min === undefined || (bounds.minExclusive ? v > bounds.min : v >= bounds.min)) &&
    (bounds.max === undefined || (bounds.maxExclusive ? v < bounds.max : v <= bounds.max));
  if (!inRange) throw new OrdinisError('E_CFG_INVALID', `${flag} ${JSON.stringify(raw)}: expected ${expectedText(bounds)}`, { details: { flag, value: raw } });
  return v;
}

/** What each numeric flag of the shared set may be. */
const FLAG_BOUNDS = {
  fast: { integer: true, min: 1, max: MAX_INDICATOR_PERIOD },
  slow: { integer: true, min: 1, max: MAX_INDICATOR_PERIOD },
  period: { integer: true, min: 1, max: MAX_INDICATOR_PERIOD },
  lower: { min: 0, max: 100 },
  upper: { min: 0, max: 100 },
  qty: { integer: true, min: 1, max: MAX_ORDER_QTY },
  weight: { min: 0, minExclusive: true, max: 1 },
  cash: { min: 0, minExclusive: true, max: MAX_CASH },
  commissionPct: { min: 0, max: 100, maxExclusive: true },
  seed: { integer: true, min: 0, max: MAX_SEED },
} as const satisfies Record<string, DecimalBounds>;

/** The strategy of the configuration (SIG_STRATEGY, SIG_STRATEGY_PARAMS), which the flags override. */
export interface ConfiguredStrategy {
  strategy: string;
  params: Readonly<Record<string, unknown>>;
}

const BUILTIN_DEFAULT: ConfiguredStrategy = { strategy: 'sma-cross', params: {} };

/**
 * The strategy and its raw parameters (pure): `--strategy` or else the configured one; the
 * configured parameters only for the configured strategy (they were written for its pack),
 * then `--param` and the built-in packs' flags over them, one flag per parameter.
 */
function strategyOf(f: PipelineFlags, configured: ConfiguredStrategy): { strategy: string; strategyParams: Record<string, unknown> } {
  const strategy = f.strategy ?? configured.strategy;
  const given: Record<string, unknown> = paramFlags(f.param);
  const file = isStrategyFileArgument(strategy);
  const allowed = file ? [] : STRATEGY_FLAGS[strategy];
  if (!allowed) throw new OrdinisError('E_SIG_STRATEGY_UNKNOWN', `${f.strategy === undefined ? 'SIG_STRATEGY' : '--strategy'} ${strategy}: expected one of ${Object.keys(STRATEGY_FLAGS).join(', ')}, or a strategy file (.ts, .mts, .js, .mjs)`);
  for (const k of ['fast', 'slow', 'period', 'lower', 'upper'] as const) {
    if (f[k] === undefined) continue;
    if (file) throw new OrdinisError('E_CFG_INVALID', `--${k} is a flag of the built-in packs; give a strategy file's parameters as --param ${k}=${f[k]}`);
    if (!allowed.includes(k)) throw new OrdinisError('E_CFG_INVALID', `--${k} does not apply to --strategy ${strategy} (it takes ${allowed.map((a) => `--${a}`).join(', ')})`);
    if (k in given) throw new OrdinisError('E_CFG_INVALID', `--${k} and --param ${k}: give the parameter once`);
    given[k] = decimalFlag(`--${k}`, f[k], FLAG_BOUNDS[k]);
  }
  const base = strategy === configured.strategy ? configured.params : {};
  return { strategy, strategyParams: { ...base, ...given } };
}

/**
 * The flags as a BacktestConfig. `configured` is the commission model of the EXEC_COMMISSION_*
 * keys; `--commission-pct` replaces it. `configuredStrategy` is SIG_STRATEGY and its
 * parameters; `--strategy`, `--param` and the built-in flags override them.
 */
export function toBacktestConfig(
  f: PipelineFlags,
  defaultCash: number,
  configured: CommissionModel = NO_COMMISSION,
  configuredStrategy: ConfiguredStrategy = BUILTIN_DEFAULT,
): BacktestConfig & { strategy: string } {
  const { strategy, strategyParams } = strategyOf(f, configuredStrategy);
  if (f.qty !== undefined && f.weight !== undefined) throw new OrdinisError('E_CFG_INVALID', 'give --qty or --weight, not both');
  const sizing = f.weight !== undefined
    ? { kind: 'weight' as const, weight: decimalFlag('--weight', f.weight, FLAG_BOUNDS.weight) }
    : { kind: 'fixed' as const, qty: decimalFlag('--qty', f.qty ?? '10', FLAG_BOUNDS.qty) };
  const commission: CommissionModel =
    f.commissionPct !== undefined ? { kind: 'percent', percent: decimalFlag('--commission-pct', f.commissionPct, FLAG_BOUNDS.commissionPct) } : configured;
  const symbols = f.symbols?.split(',').map((s) => s.trim()).filter(Boolean);
  return {
    dataFiles: f.data ?? [SAMPLE_DATA],
    ...(symbols ? { symbols } : f.data ? {} : { symbols: ['ORCL'] }),
    strategy,
    strategyParams,
    sizing,
    cash: f.cash === undefined ? defaultCash : decimalFlag('--cash', f.cash, FLAG_BOUNDS.cash),
    commission,
    ...(f.from ? { from: f.from } : {}),
    ...(f.to ? { to: f.to } : {}),
    ...(f.seed !== undefined ? { seed: decimalFlag('--seed', f.seed, FLAG_BOUNDS.seed) } : {}),
  };
}
