// Deterministic replay of OHLCV CSV files, one per symbol, merged by time into ING's batches
// (a BarSource). Files are read incrementally through CsvBarReader; a replay that would hand
// out nothing is refused with the reason (empty file, every row bad, a window that misses).

import { OrdinisError } from '../../errors.ts';
import type { BarBatch, BarSource } from '../../stages/ing/bar-source.ts';
import { CsvBarReader, symbolFromPath } from './csv-bars.ts';
import { dateBoundMs } from './bar-time.ts';
import type { BadRowPolicy, SkippedRow } from './strict-row.ts';
import { AlignedMerge } from './aligned-merge.ts';
import { checkSymbolList } from './symbol-list.ts';

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
    checkSymbolList(this.symbols, 'file replay');
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
