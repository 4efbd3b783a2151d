// A seeded random walk as a BarSource: N symbols x M bars for benchmarks and property tests.

import { OrdinisError } from '../../errors.ts';
import type { Bar } from '../../domain/market.ts';
import type { RandomSource } from '../../core/random.ts';
import { SeededRandom } from '../../core/random.ts';
import type { BarBatch, BarSource } from '../../stages/ing/bar-source.ts';
import { checkSymbolList } from './symbol-list.ts';

export interface SyntheticBarSourceOptions {
  /** Number of symbols (named SYN000, SYN001, ...) or explicit names. */
  symbols: number | readonly string[];
  /** Bars per symbol. */
  bars: number;
  /** Seed for a SeededRandom (default 1); ignored when `random` is given. */
  seed?: number | string;
  /** Random source to draw from (overrides `seed`). */
  random?: RandomSource;
  /** Time of the first bar (ms, default 2000-01-03 UTC). */
  startTs?: number;
  /** Spacing of bars (ms, default one day). */
  stepMs?: number;
  /** First price of every symbol (default 100). */
  startPrice?: number;
  /** Per-bar volatility of log returns (default 0.02). */
  volatility?: number;
  /** Per-bar drift of log returns (default 0). */
  drift?: number;
}

/**
 * N symbols x M bars of a geometric random walk, generated lazily and deterministically
 * from a seed (same seed, same bars). Every bar is a valid OHLC bar (low <= open, close <=
 * high, prices > 0); volumes are whole numbers. For benchmarks and property tests.
 */
export class SyntheticBarSource implements BarSource {
  readonly symbols: readonly string[];
  readonly barsPerSymbol: number;
  private readonly random: RandomSource;
  private readonly startTs: number;
  private readonly stepMs: number;
  private readonly vol: number;
  private readonly drift: number;
  private readonly last: Float64Array;
  private i = 0;
  /**
   * Box-Muller's second value, NaN when there is none: a field that is always a number
   * stays an unboxed double, where number | undefined boxes every value stored in it.
   */
  private spare = Number.NaN;

  constructor(opts: SyntheticBarSourceOptions) {
    const syms =
      typeof opts.symbols === 'number' ? Array.from({ length: opts.symbols }, (_, k) => `SYN${String(k).padStart(3, '0')}`) : [...opts.symbols];
    if (syms.length === 0) throw new OrdinisError('E_CFG_INVALID', 'synthetic source needs at least one symbol');
    checkSymbolList(syms, 'synthetic source');
    if (!Number.isInteger(opts.bars) || opts.bars < 0) throw new OrdinisError('E_CFG_INVALID', `synthetic source: bars must be a whole number >= 0, got ${opts.bars}`);
    const startPrice = opts.startPrice ?? 100;
    if (!(startPrice > 0)) throw new OrdinisError('E_CFG_INVALID', 'synthetic source: startPrice must be > 0');
    this.symbols = syms;
    this.barsPerSymbol = opts.bars;
    this.random = opts.random ?? new SeededRandom(opts.seed ?? 1);
    this.startTs = opts.startTs ?? Date.UTC(2000, 0, 3);
    this.stepMs = opts.stepMs ?? 86_400_000;
    this.vol = opts.volatility ?? 0.02;
    this.drift = opts.drift ?? 0;
    this.last = new Float64Array(syms.length).fill(startPrice);
  }

  peekTs(): number | undefined {
    return this.i < this.barsPerSymbol ? this.startTs + this.i * this.stepMs : undefined;
  }

  next(): BarBatch | undefined {
    const ts = this.peekTs();
    if (ts === undefined) return undefined;
    this.i++;
    const bars: Bar[] = new Array(this.symbols.length);
    for (let k = 0; k < this.symbols.length; k++) {
      const prev = this.last[k]!;
      const open = prev * Math.exp(this.vol * 0.25 * this.gauss());
      const close = open * Math.exp(this.drift + this.vol * this.gauss());
      const hi = Math.max(open, close);
      const lo = Math.min(open, close);
      const high = hi * (1 + this.vol * 0.5 * this.random.next());
      const low = lo / (1 + this.vol * 0.5 * this.random.next());
      const volume = 1000 + Math.floor(this.random.next() * 1_000_000);
      this.last[k] = close;
      bars[k] = { symbol: this.symbols[k]!, ts, open, high, low, close, volume };
    }
    return { ts, bars };
  }

  close(): void {
    this.i = this.barsPerSymbol;
  }

  *timestamps(): Generator<number> {
    for (let k = 0; k < this.barsPerSymbol; k++) yield this.startTs + k * this.stepMs;
  }

  /** Standard normal draw (Box-Muller, both values used). */
  private gauss(): number {
    // A draw is never NaN (r and the sine are finite), so NaN only ever means "none".
    if (!Number.isNaN(this.spare)) {
      const s = this.spare;
      this.spare = Number.NaN;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.random.next();
    const v = this.random.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}
