// Where ING's bars come from. A BarSource hands out time-aligned batches through a cursor
// that only moves forward: `peekTs()` reveals the time of the next batch (never its
// prices) and `next()` hands out that batch. ING takes batches only while their time is
// <= the cycle's time, so no later bar can reach a cycle.
//
// Implementations: FileReplaySource (CSV files, read incrementally and merged by time),
// ArrayBarSource (bars in memory: tests, small replays) and SyntheticBarSource (a seeded
// random walk for benchmarks).

import { OrdinisError } from '../../errors.ts';
import type { Bar } from '../../domain/market.ts';
import type { RandomSource } from '../../core/random.ts';
import { SeededRandom } from '../../core/random.ts';
import { CsvBarReader, dateBoundMs, symbolFromPath } from './csv-bars.ts';
import type { BadRowPolicy, SkippedRow } from './csv-bars.ts';

/** The bars sharing one timestamp, in the source's symbol order (absent symbols omitted). */
export interface BarBatch {
  ts: number;
  bars: Bar[];
}

export interface BarSource {
  /** Configured symbols; the order of bars within a batch. */
  readonly symbols: readonly string[];
  /** Time of the next batch not yet handed out, or undefined when the source is exhausted. */
  peekTs(): number | undefined;
  /** Hands out the next batch and advances the cursor; undefined when exhausted. */
  next(): BarBatch | undefined;
  /** Releases resources (file handles). Idempotent. */
  close(): void;
}

/**
 * Hands out the next batch if its time is <= `asOf`, else undefined and the cursor stays
 * put: the only way ING reads a source, so nothing later than `asOf` can come out.
 */
export function nextUntil(source: BarSource, asOf: number): BarBatch | undefined {
  const ts = source.peekTs();
  return ts !== undefined && ts <= asOf ? source.next() : undefined;
}

/** Every batch whose time is <= `asOf`, in time order, and nothing later. */
export function takeUntil(source: BarSource, asOf: number): BarBatch[] {
  const out: BarBatch[] = [];
  for (let b = nextUntil(source, asOf); b !== undefined; b = nextUntil(source, asOf)) out.push(b);
  return out;
}

function checkSymbols(symbols: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const s of symbols) {
    if (typeof s !== 'string' || s.trim() === '') throw new OrdinisError('E_CFG_INVALID', `${what}: empty symbol name`);
    if (seen.has(s)) throw new OrdinisError('E_CFG_INVALID', `${what}: symbol '${s}' given twice`);
    seen.add(s);
  }
}

/** A per-symbol stream of ascending bars, merged by time with its siblings. */
interface BarCursor {
  peek(): Bar | undefined;
  next(): Bar | undefined;
  close(): void;
}

/**
 * k-way merge by timestamp; within a batch, bars follow the cursor (= symbol) order.
 * The merge owns its cursors, so their heads change only in next() and close(): the next
 * batch's time is remembered in between (a replay asks for it several times a cycle).
 */
class AlignedMerge {
  private headTs: number | undefined;
  private headKnown = false;

  constructor(private readonly cursors: BarCursor[]) {}

  peekTs(): number | undefined {
    if (!this.headKnown) {
      this.headTs = this.minTs();
      this.headKnown = true;
    }
    return this.headTs;
  }

  next(): BarBatch | undefined {
    const ts = this.peekTs();
    if (ts === undefined) return undefined;
    this.headKnown = false;
    const bars: Bar[] = [];
    for (const c of this.cursors) {
      const b = c.peek();
      if (b !== undefined && b.ts === ts) bars.push(c.next()!);
    }
    return { ts, bars };
  }

  close(): void {
    this.headKnown = false;
    for (const c of this.cursors) c.close();
  }

  private minTs(): number | undefined {
    let min: number | undefined;
    for (const c of this.cursors) {
      const b = c.peek();
      if (b !== undefined && (min === undefined || b.ts < min)) min = b.ts;
    }
    return min;
  }
}

export interface FileReplaySourceOptions {
  /** CSV files, one per symbol (see csv-bars.ts for the accepted shapes). */
  files: readonly string[];
  /** Symbol names, same length as `files`. Default: the file stems (`orcl-1995-2014`). */
  symbols?: readonly string[];
  /** First date to replay, inclusive (`YYYY-MM-DD`, UTC). */
  from?: string;
  /** Last date to replay, inclusive (`YYYY-MM-DD`, UTC). */
  to?: string;
  /** Bad rows: `fail` (default) throws E_ING_NORMALIZE_FAILED, `skip` drops and records them. */
  policy?: BadRowPolicy;
  /** Relative slack of the OHLC consistency checks (see CsvBarsOptions). */
  ohlcTolerance?: number;
}

export interface SkippedFileRow extends SkippedRow {
  symbol: string;
  file: string;
}

/**
 * Deterministic replay of CSV files, aligned by timestamp: a batch holds the bars of every
 * symbol that has one at that time (no forward fill), in the configured symbol order.
 * Files are read incrementally; headers are checked when the source is built.
 */
export class FileReplaySource implements BarSource {
  readonly symbols: readonly string[];
  readonly files: readonly string[];
  private readonly opts: FileReplaySourceOptions;
  private readers: CsvBarReader[];
  private merge: AlignedMerge;

  constructor(opts: FileReplaySourceOptions) {
    if (!opts.files || opts.files.length === 0) throw new OrdinisError('E_CFG_INVALID', 'file replay needs at least one data file');
    if (opts.symbols !== undefined && opts.symbols.length !== opts.files.length) {
      throw new OrdinisError(
        'E_CFG_INVALID',
        `file replay: ${opts.symbols.length} symbol(s) for ${opts.files.length} file(s); give one symbol per file or none`,
      );
    }
    if (opts.from !== undefined) dateBoundMs(opts.from, 'from');
    if (opts.to !== undefined) dateBoundMs(opts.to, 'to');
    this.opts = opts;
    this.files = [...opts.files];
    this.symbols = opts.symbols ? [...opts.symbols] : opts.files.map(symbolFromPath);
    checkSymbols(this.symbols, 'file replay');
    this.readers = this.openReaders();
    try {
      this.refuseFilesWithoutBars();
    } catch (e) {
      for (const r of this.readers) r.close();
      throw e;
    }
    this.merge = new AlignedMerge(this.readers);
  }

  /**
   * A replay of nothing would report an empty run as a success. Refused: a file with no bar
   * at all (only a header, or every row skipped as bad), and a window that holds no bar of
   * any file. A window that misses only some files is fine: a symbol listed later than the
   * others simply starts later.
   */
  private refuseFilesWithoutBars(): void {
    const empty = this.readers.filter((r) => r.peek() === undefined);
    if (empty.length === 0) return;
    const windowed = this.opts.from !== undefined || this.opts.to !== undefined;
    if (!windowed) throw this.noBarsError(empty[0]!, undefined);
    for (const r of empty) {
      // A second pass over the file, on this error path only: is it empty or just outside the window?
      const span = fileSpan(r.file, r.symbol, this.opts.policy ?? 'fail', this.opts.ohlcTolerance);
      if (span.bars === 0 || empty.length === this.readers.length) throw this.noBarsError(r, span);
    }
  }

  /** Why a file gave no bar: only a header, every row skipped as bad, or a window that misses its bars (with the span it does cover). */
  private noBarsError(r: CsvBarReader, span: { bars: number; firstTs: number; lastTs: number } | undefined): OrdinisError {
    const { from, to } = this.opts;
    const details = { file: r.file, symbol: r.symbol, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
    let why: string;
    if (span && span.bars > 0) {
      why = `no bars ${windowText(from, to)} (its ${span.bars} bar${span.bars === 1 ? '' : 's'} run from ${dayOrInstant(span.firstTs)} to ${dayOrInstant(span.lastTs)})`;
    } else if (r.skipped.length > 0) {
      why = `no bars: all ${r.skipped.length} data row${r.skipped.length === 1 ? ' was' : 's were'} skipped as bad (first: line ${r.skipped[0]!.line}: ${r.skipped[0]!.reason})`;
    } else {
      why = 'no bars: only a header row';
    }
    return new OrdinisError('E_ING_NO_DATA', `data file ${r.file} has ${why}`, { details });
  }

  private openReaders(): CsvBarReader[] {
    const readers: CsvBarReader[] = [];
    try {
      for (let i = 0; i < this.files.length; i++) {
        readers.push(
          CsvBarReader.open(this.files[i]!, {
            symbol: this.symbols[i]!,
            policy: this.opts.policy ?? 'fail',
            ...(this.opts.from !== undefined ? { from: this.opts.from } : {}),
            ...(this.opts.to !== undefined ? { to: this.opts.to } : {}),
            ...(this.opts.ohlcTolerance !== undefined ? { ohlcTolerance: this.opts.ohlcTolerance } : {}),
          }),
        );
      }
    } catch (e) {
      for (const r of readers) r.close();
      throw e;
    }
    return readers;
  }

  peekTs(): number | undefined {
    return this.merge.peekTs();
  }

  next(): BarBatch | undefined {
    return this.merge.next();
  }

  close(): void {
    this.merge.close();
  }

  /** Rewinds to the first bar (reopens the files). */
  reset(): void {
    this.close();
    this.readers = this.openReaders();
    this.merge = new AlignedMerge(this.readers);
  }

  /** Rows dropped so far under the `skip` policy, by file. */
  skipped(): SkippedFileRow[] {
    return this.readers.flatMap((r) => r.skipped.map((s) => ({ ...s, symbol: r.symbol, file: r.file })));
  }

  /**
   * Every batch time, ascending, from an independent pass over the files (the replay
   * cursor does not move). A backtest driver iterates this to schedule its cycles.
   */
  *timestamps(): Generator<number> {
    const merge = new AlignedMerge(this.openReaders());
    try {
      for (let b = merge.next(); b !== undefined; b = merge.next()) yield b.ts;
    } finally {
      merge.close();
    }
  }
}

function windowText(from: string | undefined, to: string | undefined): string {
  if (from !== undefined && to !== undefined) return `from ${from} to ${to}`;
  return from !== undefined ? `from ${from} on` : `up to ${to}`;
}

/** A bar time as its UTC day when it is midnight (daily bars), else the full instant. */
function dayOrInstant(ts: number): string {
  const iso = new Date(ts).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

/** How many valid bars a whole file holds, and its first and last bar times. */
function fileSpan(file: string, symbol: string, policy: BadRowPolicy, ohlcTolerance: number | undefined): { bars: number; firstTs: number; lastTs: number } {
  const reader = CsvBarReader.open(file, { symbol, policy, ...(ohlcTolerance !== undefined ? { ohlcTolerance } : {}) });
  let bars = 0;
  let firstTs = 0;
  let lastTs = 0;
  try {
    for (let b = reader.next(); b !== undefined; b = reader.next()) {
      if (bars++ === 0) firstTs = b.ts;
      lastTs = b.ts;
    }
  } catch {
    // A bad row under the `fail` policy: the span read so far is still worth showing.
  } finally {
    reader.close();
  }
  return { bars, firstTs, lastTs };
}

/** Bars held in memory, aligned like the file replay (tests, small replays). */
export class ArrayBarSource implements BarSource {
  readonly symbols: readonly string[];
  private readonly batches: BarBatch[];
  private i = 0;

  /** `symbols` fixes the order within a batch; default: order of first appearance. */
  constructor(bars: readonly Bar[], symbols?: readonly string[]) {
    const syms = symbols ? [...symbols] : [...new Set(bars.map((b) => b.symbol))];
    checkSymbols(syms, 'array source');
    const rank = new Map(syms.map((s, k) => [s, k]));
    for (const b of bars) {
      if (!rank.has(b.symbol)) throw new OrdinisError('E_CFG_INVALID', `array source: bar for unlisted symbol '${b.symbol}'`);
    }
    const sorted = [...bars].sort((a, b) => a.ts - b.ts || rank.get(a.symbol)! - rank.get(b.symbol)!);
    const batches: BarBatch[] = [];
    for (let k = 0; k < sorted.length; k++) {
      const b = sorted[k]!;
      const prev = sorted[k - 1];
      if (prev && prev.ts === b.ts && prev.symbol === b.symbol) {
        throw new OrdinisError('E_ING_NORMALIZE_FAILED', `array source: two bars for ${b.symbol} at ${new Date(b.ts).toISOString()}`);
      }
      const last = batches[batches.length - 1];
      if (last && last.ts === b.ts) last.bars.push(b);
      else batches.push({ ts: b.ts, bars: [b] });
    }
    this.symbols = syms;
    this.batches = batches;
  }

  peekTs(): number | undefined {
    return this.batches[this.i]?.ts;
  }

  next(): BarBatch | undefined {
    const b = this.batches[this.i];
    if (b === undefined) return undefined;
    this.i++;
    return { ts: b.ts, bars: [...b.bars] };
  }

  close(): void {
    this.i = this.batches.length;
  }

  reset(): void {
    this.i = 0;
  }

  *timestamps(): Generator<number> {
    for (const b of this.batches) yield b.ts;
  }
}

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
    checkSymbols(syms, 'synthetic source');
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
