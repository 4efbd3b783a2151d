// OHLCV CSV files -> validated, normalized bars, read incrementally (a file is pulled in
// 64 KiB chunks, one row at a time, so a large file never sits in memory whole).
//
// Shapes accepted (see the shared data README):
// - a header row first; column names are case-insensitive (`Open`/`open`), surrounding
//   spaces and quotes are ignored; required: a date column (`Date`, `Datetime` or
//   `Timestamp`) and `Open`, `High`, `Low`, `Close`; optional `Time` and `Volume` (`Vol`);
//   anything else (`Adj Close`, `OpenInterest`, ...) is ignored;
// - dates `YYYY-MM-DD`, `YYYY/MM/DD` or `YYYYMMDD`, optionally with a time
//   (`YYYY-MM-DD HH:MM[:SS[.fff]]`, `T` separator, optional `Z`); times `HH:MM[:SS[.fff]]`;
//   every timestamp is UTC (a date alone is UTC midnight);
// - the quirk of backtrader's `2006-01-02-volume-min-001.txt`: the header lacks `Time`
//   but every row carries one after the date. Detected on the first data row (one field
//   more than the header, the second field a time of day) and then required of every row;
// - LF or CRLF line ends, an optional UTF-8 BOM, blank lines (ignored).
//
// A row is rejected (E_ING_NORMALIZE_FAILED, naming the file, the 1-based line and the
// field and value) for: a wrong field count, an unparsable date or time, an empty,
// non-numeric or non-finite number, a price <= 0, High < Low, High < max(Open, Close),
// Low > min(Open, Close), a negative volume, a timestamp equal to or earlier than the
// previous accepted row's. Policy `fail` throws on the first bad row; `skip` drops it and
// records `{line, reason}`.

import { closeSync, openSync, readSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { parse as parseCsv } from 'csv-parse/sync';
import { OrdinisError } from '../../errors.ts';
import type { Bar } from '../../domain/market.ts';

export type BadRowPolicy = 'fail' | 'skip';

export interface SkippedRow {
  /** 1-based physical line number in the file (the header is line 1). */
  line: number;
  reason: string;
}

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

const DAY_MS = 86_400_000;
const CHUNK_BYTES = 64 * 1024;

// Groups: 1 year, 3 month, 4 day, 5 hour, 6 minute, 7 second, 8 fraction (2 is the separator).
const DATE_RE = /^(\d{4})([-/]?)(\d{2})\2(\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?[Zz]?)?$/;
const TIME_RE = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;
const NUM_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

type ColumnKey = 'date' | 'time' | 'open' | 'high' | 'low' | 'close' | 'volume';
const COLUMN_ALIASES: Record<string, ColumnKey> = {
  date: 'date',
  datetime: 'date',
  timestamp: 'date',
  time: 'time',
  open: 'open',
  high: 'high',
  low: 'low',
  close: 'close',
  volume: 'volume',
  vol: 'volume',
};

function columnKey(name: string): ColumnKey | undefined {
  return Object.prototype.hasOwnProperty.call(COLUMN_ALIASES, name) ? COLUMN_ALIASES[name] : undefined;
}

/** A symbol from a file name: its stem (`orcl-1995-2014.txt` -> `orcl-1995-2014`). */
export function symbolFromPath(path: string): string {
  const b = basename(path);
  const ext = extname(b);
  return ext ? b.slice(0, -ext.length) : b;
}

/**
 * `YYYY-MM-DD` -> UTC midnight in ms, or undefined if not a valid calendar date.
 * Also accepts `YYYY/MM/DD` and `YYYYMMDD`.
 */
export function parseIsoDate(s: string): number | undefined {
  const m = DATE_RE.exec(s.trim());
  if (!m || m[5] !== undefined) return undefined;
  return utcMs(+m[1]!, +m[3]!, +m[4]!, 0, 0, 0, 0);
}

function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // Every month has a 28th, and Date.UTC takes years from 100 on as they are: only a later
  // day (or a two-digit year, which Date.UTC reads as 19xx) can fail the round trip.
  if (d <= 28 && y >= 100) return t;
  // Date.UTC rolls 2006-02-30 over to March: a round trip catches impossible dates.
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return t;
}

function fractionMs(f: string | undefined): number {
  // Milliseconds are the first three digits (truncated, no float arithmetic).
  return f ? Number(`${f}00`.slice(0, 3)) : 0;
}

/** A date bound (`YYYY-MM-DD`) as ms; throws E_CFG_INVALID naming the option otherwise. */
export function dateBoundMs(value: string, what: string): number {
  const t = parseIsoDate(value);
  if (t === undefined) throw new OrdinisError('E_CFG_INVALID', `${what} must be a date YYYY-MM-DD, got '${value}'`);
  return t;
}

interface RowProblem {
  reason: string;
  field?: string;
  value?: string;
}

/**
 * Splits one CSV line. Plain lines (no quote, the data files' case) take a split on ','; a
 * line with quotes goes through csv-parse, which knows quoting and escaping. A malformed
 * quoted line throws csv-parse's error; callers turn it into a rejected row.
 */
function splitFields(line: string): string[] {
  if (line.indexOf('"') < 0) return line.split(',');
  const rows = parseCsv(line, { relax_column_count: true, skip_empty_lines: false }) as string[][];
  return rows[0] ?? [''];
}

/** Column layout of one file, settled by the header and the first data row. */
interface Layout {
  nFields: number;
  date: number;
  time: number; // -1: none
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number; // -1: none
  /** What each field is to the fast path (ROLE_*), or undefined when only the strict path applies. */
  roles: Uint8Array | undefined;
}

// Field roles of the fast path (plainRow).
const ROLE_IGNORED = 0;
const ROLE_DATE = 1;
const ROLE_OPEN = 2;
const ROLE_HIGH = 3;
const ROLE_LOW = 4;
const ROLE_CLOSE = 5;
const ROLE_VOLUME = 6;

/** 10^k for k <= 15, each exact in a double. */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * `s[start..end)` as a number if it is plain, unsigned decimal (`123`, `12.5`, `.5`, `12.`)
 * of at most 15 digits; NaN for anything else (the caller then takes the strict path).
 * The digits make an integer m < 10^15 and the fraction a divisor 10^f, both exact in a
 * double, so the one correctly rounded division m / 10^f is the correctly rounded value of
 * the decimal: bit for bit what Number() gives (Clinger's fast path).
 */
function plainNumber(s: string, start: number, end: number): number {
  let m = 0;
  let digits = 0;
  let point = -1;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
    } else if (c === 46 && point < 0) {
      point = i;
    } else {
      return Number.NaN;
    }
  }
  if (digits === 0 || digits > 15) return Number.NaN;
  return point < 0 ? m : m / POW10[end - point - 1]!;
}

/** Two ASCII digits at `s[i]`, or NaN. */
function digits2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : Number.NaN;
}

/**
 * Plain `YYYY-MM-DD` dates to UTC midnight ms, as utcMs gives them. Rows come a month at a
 * time, so the month's first day and length are kept: a day of the same month is one
 * multiply-add (a UTC day is always DAY_MS long) instead of Date.UTC and a round trip.
 */
class PlainDates {
  private month = -1; // y * 100 + mo of the kept month
  private monthMs = 0;
  private monthDays = 0;

  /** `s[start..end)` as ms if it is exactly a valid `YYYY-MM-DD`; NaN for anything else (strict path). */
  ms(s: string, start: number, end: number): number {
    if (end - start !== 10 || s.charCodeAt(start + 4) !== 45 || s.charCodeAt(start + 7) !== 45) return Number.NaN;
    const y = digits2(s, start) * 100 + digits2(s, start + 2);
    const mo = digits2(s, start + 5);
    const d = digits2(s, start + 8);
    if (Number.isNaN(y + mo + d)) return Number.NaN;
    if (y * 100 + mo !== this.month && !this.keepMonth(y, mo)) return Number.NaN;
    return d >= 1 && d <= this.monthDays ? this.monthMs + (d - 1) * DAY_MS : Number.NaN;
  }

  /** Keeps month `mo` of year `y`; false if utcMs refuses its first day (month out of range, two-digit year). */
  private keepMonth(y: number, mo: number): boolean {
    const first = utcMs(y, mo, 1, 0, 0, 0, 0);
    if (first === undefined) return false;
    this.month = y * 100 + mo;
    this.monthMs = first;
    // Day 0 of the next month is this month's last day.
    this.monthDays = new Date(Date.UTC(y, mo, 0)).getUTCDate();
    return true;
  }
}

/** The OHLC consistency problem of a row's prices (each finite and > 0), within the relative slack `tol`. */
function ohlcProblem(open: number, high: number, low: number, close: number, tol: number): RowProblem | undefined {
  if (high < low) return { reason: `high ${high} < low ${low}`, field: 'high', value: String(high) };
  const top = Math.max(open, close);
  if (high < top && top - high > tol * top) return { reason: `high ${high} < max(open, close) ${top}`, field: 'high', value: String(high) };
  const bottom = Math.min(open, close);
  if (low > bottom && low - bottom > tol * bottom) return { reason: `low ${low} > min(open, close) ${bottom}`, field: 'low', value: String(low) };
  return undefined;
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
  private fd: number | undefined;
  private readonly buf: Buffer | undefined;
  private readonly decoder = new StringDecoder('utf8');
  private carry = '';
  // Lines are read in place: `text` holds a chunk's complete lines (or the whole in-memory
  // text); the unread ones are the '\n'-separated segments of text[pos..stop] (none when pos >
  // stop), and the current line is text[lineStart..lineEnd) without its line end. A line is
  // cut out as a string only when the strict path needs one.
  private text = '';
  private pos = 0;
  private stop = -1;
  private lineStart = 0;
  private lineEnd = 0;
  /** Where the first '"' at or after lineStart is (text.length if none): a quoted row takes the strict path. */
  private quoteAt = -1;
  private readonly dates = new PlainDates();
  private lineNo = 0;
  private eof = false;
  private done = false;
  private headerCols: string[] | undefined;
  private layout: Layout | undefined;
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
      this.setLines(text, text.length);
      this.eof = true;
      this.buf = undefined;
    } else {
      this.buf = Buffer.allocUnsafe(CHUNK_BYTES);
    }
    this.fd = owner?.fd;
    if (owner) owner.fd = undefined;
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
    this.releaseFd();
  }

  private releaseFd(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }

  /** Moves to the next physical line (false at the end of the input); one '\r' before '\n' is not part of it. */
  private nextLine(): boolean {
    for (;;) {
      if (this.pos <= this.stop) {
        const t = this.text;
        let nl = t.indexOf('\n', this.pos);
        if (nl < 0 || nl > this.stop) nl = this.stop;
        this.lineStart = this.pos;
        this.lineEnd = nl > this.pos && t.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        this.pos = nl + 1;
        this.lineNo++;
        return true;
      }
      if (this.eof) return false;
      this.fill();
    }
  }

  /** The current line as a string. */
  private line(): string {
    return this.text.slice(this.lineStart, this.lineEnd);
  }

  /** Whether the current line is empty or all whitespace (as String.prototype.trim sees it). */
  private blankLine(): boolean {
    if (this.lineStart === this.lineEnd) return true;
    const c = this.text.charCodeAt(this.lineStart);
    // Printable ASCII other than space is never whitespace: no string is needed to know.
    if (c > 32 && c < 127) return false;
    return this.line().trim() === '';
  }

  /** New lines to read: the segments of text[0..stop] (stop -1: none). */
  private setLines(text: string, stop: number): void {
    this.text = text;
    this.pos = 0;
    this.stop = stop;
    this.quoteAt = -1;
  }

  private fill(): void {
    const fd = this.fd;
    if (fd === undefined || this.buf === undefined) {
      this.eof = true;
      return;
    }
    let n: number;
    try {
      n = readSync(fd, this.buf, 0, this.buf.length, null);
    } catch (e) {
      throw new OrdinisError('E_ING_PROVIDER_DOWN', `cannot read ${this.file}: ${(e as Error).message}`, {
        cause: e,
        retryable: false,
        details: { file: this.file },
      });
    }
    if (n === 0) {
      // What is left is one last line without a line end (if anything is left).
      const text = this.carry + this.decoder.end();
      this.carry = '';
      this.eof = true;
      this.releaseFd();
      this.setLines(text, text.length > 0 ? text.length : -1);
    } else {
      // Complete lines are read now; the part after the last '\n' waits for the next chunk.
      const text = this.carry + this.decoder.write(this.buf.subarray(0, n));
      const cut = text.lastIndexOf('\n');
      this.carry = cut < 0 ? text : text.slice(cut + 1);
      this.setLines(text, cut);
    }
  }

  private headerError(reason: string): OrdinisError {
    return new OrdinisError('E_ING_NORMALIZE_FAILED', `${this.file}:${this.lineNo}: ${reason}`, {
      details: { file: this.file, line: this.lineNo, symbol: this.symbol },
    });
  }

  private readHeader(): void {
    let more: boolean;
    do {
      more = this.nextLine();
    } while (more && this.blankLine());
    if (!more) throw this.headerError('empty file: no header row');
    let line = this.line();
    if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    let header: string[];
    try {
      header = splitFields(line);
    } catch (e) {
      throw this.headerError(`malformed header: ${(e as Error).message}`);
    }
    const cols = header.map((c) => c.trim().toLowerCase());
    this.headerCols = cols;
    const seen = new Set<string>();
    for (const c of cols) {
      const key = columnKey(c);
      if (key === undefined) continue;
      if (seen.has(key)) throw this.headerError(`header names the '${key}' column twice (columns: ${cols.join(',')})`);
      seen.add(key);
    }
    for (const need of ['date', 'open', 'high', 'low', 'close']) {
      if (!seen.has(need)) throw this.headerError(`header lacks a '${need}' column (columns: ${cols.join(',')})`);
    }
  }

  /** Settles the layout on the first data row (the missing-`Time` quirk). */
  private settleLayout(fields: string[]): Layout {
    const cols = this.headerCols!;
    const idx = (want: ColumnKey): number => cols.findIndex((c) => columnKey(c) === want);
    const date = idx('date');
    let time = idx('time');
    let shift = 0;
    if (time < 0 && fields.length === cols.length + 1 && TIME_RE.test((fields[date + 1] ?? '').trim())) {
      time = date + 1;
      shift = 1;
    }
    const at = (i: number): number => (i < 0 ? -1 : i > date ? i + shift : i);
    const layout: Layout = {
      nFields: cols.length + shift,
      date,
      time,
      open: at(idx('open')),
      high: at(idx('high')),
      low: at(idx('low')),
      close: at(idx('close')),
      volume: at(idx('volume')),
      roles: undefined,
    };
    // The fast path knows dates alone: files with a time column always take the strict path.
    if (time < 0) layout.roles = fieldRoles(layout);
    return layout;
  }

  private pull(): Bar | undefined {
    if (this.failure) throw this.failure;
    if (this.done) return undefined;
    for (;;) {
      if (!this.nextLine()) {
        this.close();
        return undefined;
      }
      if (this.blankLine()) continue;
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
      this.lastLine = this.lineNo;
      if (this.toMsExclusive !== undefined && bar.ts >= this.toMsExclusive) {
        this.close();
        return undefined;
      }
      if (this.fromMs !== undefined && bar.ts < this.fromMs) continue;
      return bar;
    }
  }

  private reject(p: RowProblem): void {
    if (this.policy === 'skip') {
      this.skipped.push({ line: this.lineNo, reason: p.reason });
      return;
    }
    this.close();
    // Sticky: every later read throws the same error, so a caller that carries on cannot
    // mistake the rejected file for a shorter one.
    this.failure = new OrdinisError('E_ING_NORMALIZE_FAILED', `${this.file}:${this.lineNo}: ${p.reason}`, {
      details: { file: this.file, line: this.lineNo, symbol: this.symbol, ...(p.field ? { field: p.field } : {}), ...(p.value !== undefined ? { value: p.value } : {}) },
    });
    throw this.failure;
  }

  /** The current (non-blank) line as a bar, or what is wrong with it: the fast path if it applies, else the strict one. */
  private rowOf(): Bar | RowProblem {
    const roles = this.layout?.roles;
    const fast = roles !== undefined ? this.plainRow(roles) : undefined;
    if (fast !== undefined) return fast;
    let fields: string[];
    try {
      fields = splitFields(this.line());
    } catch (e) {
      return { reason: `malformed CSV row: ${(e as Error).message}` };
    }
    return this.parseRow(fields, (this.layout ??= this.settleLayout(fields)));
  }

  /**
   * The fast path for the common row: no quotes, the right number of fields, a plain
   * `YYYY-MM-DD` date and plain unsigned numbers, all valid. It reads the fields in place
   * (no split, no substrings) and returns exactly the bar parseRow would; any row it is
   * unsure of, valid or not, gives undefined and goes through parseRow, which alone words
   * the errors.
   */
  private plainRow(roles: Uint8Array): Bar | undefined {
    const line = this.text;
    const lineEnd = this.lineEnd;
    // indexOf, not a loop over the characters: the chunk is a concatenation (carry + new
    // text), and the built-in searches it faster than charCodeAt can.
    if (this.quoteAt < this.lineStart) {
      const q = line.indexOf('"', this.lineStart);
      this.quoteAt = q < 0 ? line.length : q;
    }
    if (this.quoteAt < lineEnd) return undefined;
    let ts = Number.NaN;
    let open = Number.NaN;
    let high = Number.NaN;
    let low = Number.NaN;
    let close = Number.NaN;
    let volume = 0;
    const last = roles.length - 1;
    let start = this.lineStart;
    for (let k = 0; k <= last; k++) {
      let comma = line.indexOf(',', start);
      if (comma >= lineEnd) comma = -1;
      // Exactly one comma between fields and none after the last.
      if (k < last ? comma < 0 : comma >= 0) return undefined;
      const end = k < last ? comma : lineEnd;
      switch (roles[k]) {
        case ROLE_DATE:
          ts = this.dates.ms(line, start, end);
          break;
        case ROLE_OPEN:
          open = plainNumber(line, start, end);
          break;
        case ROLE_HIGH:
          high = plainNumber(line, start, end);
          break;
        case ROLE_LOW:
          low = plainNumber(line, start, end);
          break;
        case ROLE_CLOSE:
          close = plainNumber(line, start, end);
          break;
        case ROLE_VOLUME:
          volume = plainNumber(line, start, end);
          break;
      }
      start = end + 1;
    }
    // NaN (not plain) fails every comparison; a plain number is >= 0, so only a zero price is left to refuse.
    if (!(ts === ts && open > 0 && high > 0 && low > 0 && close > 0 && volume >= 0)) return undefined;
    if (ohlcProblem(open, high, low, close, this.ohlcTolerance) !== undefined) return undefined;
    return ohlcBar(this.symbol, ts, open, high, low, close, volume);
  }

  private num(fields: string[], i: number, name: string): number | RowProblem {
    const raw = fields[i]!.trim();
    if (raw === '') return { reason: `field '${name}' is empty`, field: name, value: raw };
    if (!NUM_RE.test(raw)) return { reason: `field '${name}' value '${raw}' is not a finite number`, field: name, value: raw };
    const v = Number(raw);
    if (!Number.isFinite(v)) return { reason: `field '${name}' value '${raw}' is not finite`, field: name, value: raw };
    return v;
  }

  private parseRow(fields: string[], L: Layout): Bar | RowProblem {
    if (fields.length !== L.nFields) {
      return { reason: `expected ${L.nFields} fields, found ${fields.length}` };
    }
    const ts = this.parseTs(fields, L);
    if (typeof ts !== 'number') return ts;
    const open = this.price(fields, L.open, 'open');
    if (typeof open !== 'number') return open;
    const rawHigh = this.price(fields, L.high, 'high');
    if (typeof rawHigh !== 'number') return rawHigh;
    const rawLow = this.price(fields, L.low, 'low');
    if (typeof rawLow !== 'number') return rawLow;
    const close = this.price(fields, L.close, 'close');
    if (typeof close !== 'number') return close;
    const problem = ohlcProblem(open, rawHigh, rawLow, close, this.ohlcTolerance);
    if (problem !== undefined) return problem;
    let volume = 0;
    if (L.volume >= 0) {
      const v = this.num(fields, L.volume, 'volume');
      if (typeof v !== 'number') return v;
      if (v < 0) return { reason: `field 'volume' value '${fields[L.volume]!.trim()}' is negative`, field: 'volume', value: fields[L.volume]!.trim() };
      volume = v;
    }
    return ohlcBar(this.symbol, ts, open, rawHigh, rawLow, close, volume);
  }

  /** A price field: a finite number > 0. */
  private price(fields: string[], i: number, name: 'open' | 'high' | 'low' | 'close'): number | RowProblem {
    const v = this.num(fields, i, name);
    if (typeof v !== 'number') return v;
    if (v <= 0) return { reason: `field '${name}' value '${fields[i]!.trim()}' must be > 0`, field: name, value: fields[i]!.trim() };
    return v;
  }

  private parseTs(fields: string[], L: Layout): number | RowProblem {
    const rawDate = fields[L.date]!.trim();
    const m = DATE_RE.exec(rawDate);
    if (!m) return badDate(rawDate);
    let h = 0;
    let mi = 0;
    let s = 0;
    let ms = 0;
    if (m[5] !== undefined) {
      h = +m[5];
      mi = +m[6]!;
      s = m[7] !== undefined ? +m[7] : 0;
      ms = fractionMs(m[8]);
    }
    if (L.time >= 0) {
      const rawTime = fields[L.time]!.trim();
      const t = TIME_RE.exec(rawTime);
      if (!t || m[5] !== undefined) return { reason: `field 'time' value '${rawTime}' is not a valid time HH:MM[:SS]`, field: 'time', value: rawTime };
      h = +t[1]!;
      mi = +t[2]!;
      s = t[3] !== undefined ? +t[3] : 0;
      ms = fractionMs(t[4]);
      if (h > 23 || mi > 59 || s > 59) return { reason: `field 'time' value '${rawTime}' is not a valid time HH:MM[:SS]`, field: 'time', value: rawTime };
    }
    const ts = utcMs(+m[1]!, +m[3]!, +m[4]!, h, mi, s, ms);
    return ts === undefined ? badDate(rawDate) : ts;
  }
}

/** What each field of a date-only layout is to the fast path. */
function fieldRoles(L: Layout): Uint8Array {
  const roles = new Uint8Array(L.nFields).fill(ROLE_IGNORED);
  roles[L.date] = ROLE_DATE;
  roles[L.open] = ROLE_OPEN;
  roles[L.high] = ROLE_HIGH;
  roles[L.low] = ROLE_LOW;
  roles[L.close] = ROLE_CLOSE;
  if (L.volume >= 0) roles[L.volume] = ROLE_VOLUME;
  return roles;
}

/**
 * The bar of a row that passed ohlcProblem: a High or Low off by float noise (within the
 * slack) is moved to max(Open, Close) or min(Open, Close).
 */
function ohlcBar(symbol: string, ts: number, open: number, high: number, low: number, close: number, volume: number): Bar {
  return { symbol, ts, open, high: Math.max(high, open, close), low: Math.min(low, open, close), close, volume };
}

function badDate(rawDate: string): RowProblem {
  return { reason: `field 'date' value '${rawDate}' is not a valid date`, field: 'date', value: rawDate };
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
