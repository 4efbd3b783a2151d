// OHLCV CSV files -> validated, normalized bars, read incrementally: the file-level API
// (CsvBarReader, readBarsFile, parseBarsCsv) over four parts, one file each:
// - line-reader.ts: bytes -> lines, streaming (64 KiB chunks; LF or CRLF; blank lines ignored);
// - csv-layout.ts: the header and the column layout (accepted column names, the missing-`Time` quirk);
// - plain-row.ts: the fast path for well-formed unquoted rows;
// - strict-row.ts: every other row (quoted fields via csv-parse, every check worded), and the
//   bad-row policy (`fail` throws E_ING_NORMALIZE_FAILED on the first bad row, naming the
//   file, the 1-based line, the field and the value; `skip` drops it and records `{line, reason}`).
// Dates and times are read as bar-time.ts says (UTC); an optional UTF-8 BOM is ignored. The
// reader itself refuses a timestamp equal to or earlier than the previous accepted row's,
// and applies the `from`/`to` window.

import { closeSync, openSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { OrdinisError } from '../../errors.ts';
import type { Bar } from '../../domain/market.ts';
import { DAY_MS, dateBoundMs } from './bar-time.ts';
import { headerColumns, headerProblem, settleLayout, type Layout } from './csv-layout.ts';
import { LineReader } from './line-reader.ts';
import type { RowProblem } from './ohlc-bar.ts';
import { PlainRowParser } from './plain-row.ts';
import { badRowError, splitFields, strictRow, type BadRowPolicy, type SkippedRow } from './strict-row.ts';

export interface CsvBarsOptions {
  /** The symbol stamped on every bar. */
  symbol: string;
  /** Name used in error messages. Default: the path (files) or `<memory>` (text). */
  file?: string;
  /** What to do with a bad row. Default `fail`. */
  policy?: BadRowPolicy;
  /** First date to emit, inclusive (`YYYY-MM-DD`, UTC). Earlier rows are validated, not emitted. */
  from?: string;
  /** Last date to emit, inclusive (`YYYY-MM-DD`, UTC). Reading stops at the first later row. */
  to?: string;
  /**
   * Relative slack for the OHLC consistency checks (default 1e-12). Adjusted prices carry
   * float noise: SPY 2013-01-25 has High one ulp below Close. Within the slack, High is
   * raised to max(Open, Close) and Low lowered to min(Open, Close); beyond it, the row is bad.
   */
  ohlcTolerance?: number;
}

export interface ParsedBars {
  symbol: string;
  file: string;
  bars: Bar[];
  skipped: SkippedRow[];
}

/** A symbol from a file name: its stem (`orcl-1995-2014.txt` -> `orcl-1995-2014`). */
export function symbolFromPath(path: string): string {
  const b = basename(path);
  const ext = extname(b);
  return ext ? b.slice(0, -ext.length) : b;
}

/**
 * Pull-based reader of one OHLCV CSV: `next()` returns the next valid bar (or undefined at
 * the end), after skipping or throwing on bad rows according to the policy.
 */
export class CsvBarReader {
  readonly symbol: string;
  readonly file: string;
  readonly policy: BadRowPolicy;
  /** Rows dropped under the `skip` policy. */
  readonly skipped: SkippedRow[] = [];

  private readonly ohlcTolerance: number;
  private readonly fromMs: number | undefined;
  private readonly toMsExclusive: number | undefined;
  private readonly lines: LineReader;
  private done = false;
  private headerCols: string[] | undefined;
  private layout: Layout | undefined;
  /** The fast path once the layout is settled, if the layout allows one. */
  private plain: PlainRowParser | undefined;
  private lastTs = Number.NEGATIVE_INFINITY;
  private lastLine = 0;
  private peeked: Bar | undefined;
  private hasPeek = false;
  private failure: OrdinisError | undefined;

  private constructor(opts: CsvBarsOptions & { file: string }, owner: { fd: number | undefined } | undefined, text: string | undefined) {
    this.symbol = opts.symbol;
    this.file = opts.file;
    this.policy = opts.policy ?? 'fail';
    this.ohlcTolerance = opts.ohlcTolerance ?? 1e-12;
    if (!(this.ohlcTolerance >= 0 && this.ohlcTolerance < 0.01)) throw new OrdinisError('E_CFG_INVALID', `ohlcTolerance must be in [0, 0.01), got ${opts.ohlcTolerance}`);
    this.fromMs = opts.from !== undefined ? dateBoundMs(opts.from, 'from') : undefined;
    this.toMsExclusive = opts.to !== undefined ? dateBoundMs(opts.to, 'to') + DAY_MS : undefined;
    if (this.fromMs !== undefined && this.toMsExclusive !== undefined && this.fromMs >= this.toMsExclusive) {
      throw new OrdinisError('E_CFG_INVALID', `from ${opts.from} is after to ${opts.to}`);
    }
    if (text !== undefined) {
      this.lines = LineReader.ofText(text, this.file);
    } else {
      this.lines = LineReader.ofFile(owner!.fd!, this.file);
      owner!.fd = undefined;
    }
    try {
      this.readHeader();
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Opens a file (synchronously) and reads its header; E_CFG_INVALID if it cannot be opened. */
  static open(path: string, opts: Omit<CsvBarsOptions, 'symbol'> & { symbol?: string } = {}): CsvBarReader {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      throw new OrdinisError('E_CFG_INVALID', `cannot open data file ${path}: ${(e as Error).message}`, { cause: e, details: { file: path } });
    }
    const owner = { fd: fd as number | undefined };
    try {
      return new CsvBarReader({ ...opts, symbol: opts.symbol ?? symbolFromPath(path), file: opts.file ?? path }, owner, undefined);
    } finally {
      // The reader takes the descriptor over once it is built; on failure it is closed here.
      if (owner.fd !== undefined) closeSync(owner.fd);
    }
  }

  /** A reader over CSV text already in memory. */
  static fromText(text: string, opts: CsvBarsOptions): CsvBarReader {
    return new CsvBarReader({ ...opts, file: opts.file ?? '<memory>' }, undefined, text);
  }

  /** The next bar without consuming it. */
  peek(): Bar | undefined {
    if (!this.hasPeek) {
      this.peeked = this.pull();
      this.hasPeek = true;
    }
    return this.peeked;
  }

  next(): Bar | undefined {
    const b = this.peek();
    this.hasPeek = false;
    this.peeked = undefined;
    return b;
  }

  /** Releases the file handle (also done automatically at the end of the file). */
  close(): void {
    this.done = true;
    this.lines.close();
  }

  private headerError(reason: string): OrdinisError {
    return new OrdinisError('E_ING_NORMALIZE_FAILED', `${this.file}:${this.lines.lineNo}: ${reason}`, {
      details: { file: this.file, line: this.lines.lineNo, symbol: this.symbol },
    });
  }

  private readHeader(): void {
    const lines = this.lines;
    let more: boolean;
    do {
      more = lines.next();
    } while (more && lines.blank());
    if (!more) throw this.headerError('empty file: no header row');
    let line = lines.line();
    if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    let header: string[];
    try {
      header = splitFields(line);
    } catch (e) {
      throw this.headerError(`malformed header: ${(e as Error).message}`);
    }
    const cols = headerColumns(header);
    const problem = headerProblem(cols);
    if (problem !== undefined) throw this.headerError(problem);
    this.headerCols = cols;
  }

  private pull(): Bar | undefined {
    if (this.failure) throw this.failure;
    if (this.done) return undefined;
    const lines = this.lines;
    for (;;) {
      if (!lines.next()) {
        this.close();
        return undefined;
      }
      if (lines.blank()) continue;
      const res = this.rowOf();
      if ('reason' in res) {
        this.reject(res);
        continue;
      }
      const bar = res;
      if (bar.ts <= this.lastTs) {
        const when = new Date(bar.ts).toISOString();
        this.reject({
          reason:
            bar.ts === this.lastTs
              ? `timestamp ${when} duplicates line ${this.lastLine}`
              : `timestamp ${when} is earlier than line ${this.lastLine}'s ${new Date(this.lastTs).toISOString()} (rows must ascend)`,
          field: 'date',
          value: when,
        });
        continue;
      }
      this.lastTs = bar.ts;
      this.lastLine = lines.lineNo;
      if (this.toMsExclusive !== undefined && bar.ts >= this.toMsExclusive) {
        this.close();
        return undefined;
      }
      if (this.fromMs !== undefined && bar.ts < this.fromMs) continue;
      return bar;
    }
  }

  /** Applies the bad-row policy to the current line. */
  private reject(p: RowProblem): void {
    if (this.policy === 'skip') {
      this.skipped.push({ line: this.lines.lineNo, reason: p.reason });
      return;
    }
    this.close();
    // Sticky: every later read throws the same error, so a caller that carries on cannot
    // mistake the rejected file for a shorter one.
    this.failure = badRowError(this.file, this.lines.lineNo, this.symbol, p);
    throw this.failure;
  }

  /** The current (non-blank) line as a bar, or what is wrong with it: the fast path if it applies, else the strict one. */
  private rowOf(): Bar | RowProblem {
    const lines = this.lines;
    if (this.plain !== undefined && !lines.hasQuote()) {
      const bar = this.plain.parse(lines.text, lines.lineStart, lines.lineEnd);
      if (bar !== undefined) return bar;
    }
    let fields: string[];
    try {
      fields = splitFields(lines.line());
    } catch (e) {
      return { reason: `malformed CSV row: ${(e as Error).message}` };
    }
    if (this.layout === undefined) {
      this.layout = settleLayout(this.headerCols!, fields);
      this.plain = PlainRowParser.of(this.layout, this.symbol, this.ohlcTolerance);
    }
    return strictRow(fields, this.layout, this.symbol, this.ohlcTolerance);
  }
}

/** Reads a whole file (incrementally) into bars. */
export function readBarsFile(path: string, opts: Omit<CsvBarsOptions, 'symbol'> & { symbol?: string } = {}): ParsedBars {
  return drain(CsvBarReader.open(path, opts));
}

/** Parses CSV text already in memory. */
export function parseBarsCsv(text: string, opts: CsvBarsOptions): ParsedBars {
  return drain(CsvBarReader.fromText(text, opts));
}

function drain(r: CsvBarReader): ParsedBars {
  const bars: Bar[] = [];
  try {
    for (let b = r.next(); b !== undefined; b = r.next()) bars.push(b);
  } finally {
    r.close();
  }
  return { symbol: r.symbol, file: r.file, bars, skipped: r.skipped };
}
